"""An MP3 kept as its audio frames alone: tags of any kind, before or after, are left out."""

from __future__ import annotations

import pytest

from gateway.http.mpeg_audio import frame_length, frames_only

PHONE = b"13812345678"


def frame(header: bytes, length: int) -> bytes:
    return header + b"\x55" * (length - len(header))


MPEG1_L3 = frame(b"\xff\xfb\x90\x64", 417)  # 128 kbit/s, 44.1 kHz
MPEG1_L3_PADDED = frame(b"\xff\xfb\x92\x64", 418)
MPEG2_L3 = frame(b"\xff\xf3\x80\xc4", 208)  # 64 kbit/s, 22.05 kHz


def id3v2(text: bytes, footer: bool = False) -> bytes:
    body = b"COMM" + len(text).to_bytes(4, "big") + b"\x00\x00" + text
    flags = 0x10 if footer else 0
    size = bytes([0, 0, len(body) >> 7, len(body) & 0x7F])
    tail = b"3DI\x04\x00" + bytes([flags]) + size if footer else b""
    return b"ID3\x04\x00" + bytes([flags]) + size + body + tail


def ape(text: bytes) -> bytes:
    item = len(text).to_bytes(4, "little") + b"\x00" * 4 + b"Comment\x00" + text
    return (
        item
        + b"APETAGEX"
        + (2000).to_bytes(4, "little")
        + (len(item) + 32).to_bytes(4, "little")
        + b"\x00" * 16
    )


@pytest.mark.parametrize(
    ("header", "length"),
    [
        (b"\xff\xfb\x90\x64", 417),
        (b"\xff\xfb\x92\x64", 418),  # padded
        (b"\xff\xf3\x80\xc4", 208),  # MPEG-2: 72 * 64000 / 22050
        (b"\xff\xff\x10\x00", 32),  # layer 1, 32 kbit/s, 44.1 kHz: 4 * (12 * 32000 // 44100)
        (b"\xff\xfd\x84\x00", 384),  # layer 2, 128 kbit/s, 48 kHz: 144 * 128000 // 48000
    ],
)
def test_a_frames_length_is_read_from_its_header(header: bytes, length: int) -> None:
    assert frame_length(header + b"\x00" * 500, 0) == length


def test_tags_before_and_after_the_audio_are_left_out() -> None:
    audio = MPEG1_L3 + MPEG1_L3_PADDED + MPEG1_L3
    trailers = (
        b"TAG" + PHONE.ljust(125, b"\x00"),  # ID3v1
        ape(PHONE),
        b"LYRICSBEGIN" + PHONE + b"000022LYRICS200",  # Lyrics3 v2
        id3v2(PHONE, footer=True),  # an ID3v2 appended at the end
    )
    for trailer in trailers:
        for front in (b"", id3v2(b"my address " + PHONE), id3v2(b"a") + id3v2(PHONE)):
            kept = frames_only(front + audio + trailer)
            assert kept == audio and PHONE not in kept


def test_mpeg2_frames_are_walked_too() -> None:
    assert frames_only(id3v2(PHONE) + MPEG2_L3 * 4 + ape(PHONE)) == MPEG2_L3 * 4


def test_no_frame_where_the_audio_should_start_is_none() -> None:
    assert frames_only(id3v2(PHONE) + b"not audio at all") is None
    assert frames_only(b"\xff\xfb\xf0\x64" + b"\x00" * 500) is None  # bitrate index 15
    assert frames_only(b"") is None
