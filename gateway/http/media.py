"""Pictures and voice recordings as residents and staff upload them, checked before anything is
stored: the type read from the bytes (never from the client's claim), the size capped, pictures
decoded within a pixel cap (a decompression bomb is refused before it is decoded) and written
anew without their metadata, so no location, camera or time from the phone is kept, nor a
comment or a colour profile, either of which can carry any text; an MP3 is kept as its audio
frames alone (`gateway.http.mpeg_audio`). HEIC (iPhones) is decoded by pillow-heif and kept as
JPEG."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from gateway.http.mpeg_audio import frame_length, frames_only
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
    if content.startswith(b"ID3") or frame_length(content, 0) is not None:
        return "audio/mpeg"
    return None


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
    return CheckedFile(kind, _frames_only(content) if kind == "audio/mpeg" else content)


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
    # Written anew from the pixels alone: no EXIF (GPS, camera, time), no XMP, no text chunks,
    # no JPEG comment, no colour profile (its text tags can hold anything).
    upright = _pixels_only(upright)
    out = io.BytesIO()
    if kind == "image/png":
        upright.save(out, "PNG", optimize=True)
        return CheckedFile("image/png", out.getvalue())
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    upright.save(out, "JPEG", quality=88, optimize=True)
    return CheckedFile("image/jpeg", out.getvalue())


SRGB = ImageCms.createProfile("sRGB")
# what a picture's pixels need to be drawn right; everything else in `info` is metadata, and
# Pillow writes some of it (a JPEG's comment, a PNG's profile) unless it is taken out
KEPT_INFO = ("transparency",)


def _pixels_only(image: Image.Image) -> Image.Image:
    """The picture with nothing but its pixels; with a colour profile (a phone's Display P3),
    first converted to sRGB, so that dropping the profile leaves the colours as they were."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(image, source, SRGB)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a profile that cannot be read: the pixels as they are
    image.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
    return image


def _frames_only(content: bytes) -> bytes:
    frames = frames_only(content)
    if frames is None:
        raise _unreadable()
    return frames
