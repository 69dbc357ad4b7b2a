"""Pictures and voice recordings as residents and staff upload them, checked before anything is
stored: the type read from the bytes (never from the client's claim), the size capped, pictures
decoded within a pixel cap (a decompression bomb is refused before it is decoded) and written
anew without their metadata, so no location, camera or time from the phone is kept; MP3 ID3
tags are cut. HEIC (iPhones) is decoded by pillow-heif and kept as JPEG."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from gateway.http.requests import RequestRefused
from schema import CheckedFile

pillow_heif.register_heif_opener()

HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")


@dataclass(frozen=True, slots=True)
class MediaLimits:
    picture_bytes: int
    voice_bytes: int
    pixels: int


def sniff(content: bytes) -> str | None:
    """The media type the bytes are, of those accepted; None for anything else."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[4:8] == b"ftyp" and content[8:12] in HEIF_BRANDS:
        return "image/heic"
    if content.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return "audio/amr"
    if content.startswith(b"ID3") or _mpeg_frame(content, 0):
        return "audio/mpeg"
    return None


def _mpeg_frame(content: bytes, at: int) -> bool:
    """An MPEG audio frame header: 11 sync bits, a defined version, layer and bitrate."""
    if len(content) < at + 4 or content[at] != 0xFF or content[at + 1] & 0xE0 != 0xE0:
        return False
    version, layer = (content[at + 1] >> 3) & 3, (content[at + 1] >> 1) & 3
    bitrate = content[at + 2] >> 4
    return version != 1 and layer != 0 and bitrate not in (0, 15)


def checked(content: bytes, limits: MediaLimits) -> CheckedFile:
    kind = sniff(content)
    if kind is None:
        raise RequestRefused(
            415,
            "UPLOAD_TYPE_REFUSED",
            "只接受图片（JPEG、PNG、HEIC）和录音（AMR、MP3）/ only pictures and voice recordings",
        )
    if kind.startswith("image/"):
        if len(content) > limits.picture_bytes:
            raise _too_large(limits.picture_bytes)
        return _picture(content, kind, limits.pixels)
    if len(content) > limits.voice_bytes:
        raise _too_large(limits.voice_bytes)
    return CheckedFile(kind, _without_id3(content) if kind == "audio/mpeg" else content)


def _too_large(cap: int) -> RequestRefused:
    return RequestRefused(
        413, "UPLOAD_TOO_LARGE", f"文件超过{cap // 1_000_000}MB / a file is over {cap} bytes"
    )


def _unreadable() -> RequestRefused:
    return RequestRefused(
        400, "UPLOAD_UNREADABLE", "文件已损坏或不完整 / the file is damaged or truncated"
    )


def _picture(content: bytes, kind: str, max_pixels: int) -> CheckedFile:
    formats = {"image/jpeg": ["JPEG"], "image/png": ["PNG"], "image/heic": ["HEIF"]}[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=formats)
            width, height = image.size
            if width * height > max_pixels:
                raise RequestRefused(
                    413,
                    "UPLOAD_TOO_LARGE",
                    f"图片像素过多 / a picture over {max_pixels} pixels",
                )
            image.load()
            upright = ImageOps.exif_transpose(image)
    except RequestRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise _unreadable() from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_large(max_pixels) from error
    # Written anew from the pixels alone: no EXIF (GPS, camera, time), no XMP, no text chunks.
    out = io.BytesIO()
    if kind == "image/png":
        upright.save(out, "PNG", optimize=True)
        return CheckedFile("image/png", out.getvalue())
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    upright.save(out, "JPEG", quality=88, optimize=True)
    return CheckedFile("image/jpeg", out.getvalue())


def _without_id3(content: bytes) -> bytes:
    """MP3 without its ID3v2 header tag and ID3v1 trailer (titles, comments, sometimes
    places); the audio frames must follow."""
    start = 0
    if content.startswith(b"ID3") and len(content) >= 10:
        size = 0
        for byte in content[6:10]:
            size = (size << 7) | (byte & 0x7F)
        start = 10 + size + (10 if content[5] & 0x10 else 0)
    end = len(content) - 128 if content[-128:-125] == b"TAG" else len(content)
    if not _mpeg_frame(content, start):
        raise _unreadable()
    return content[start:end]
