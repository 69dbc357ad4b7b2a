"""MP3 as the audio frames alone. Tags ride before the first frame (ID3v2, some files carry two)
and after the last (ID3v1, APEv2, Lyrics3, an appended ID3v2), and any of them can hold a title,
a comment, a name or a place. Rather than know every tag format, the frames are walked from the
first to the last that follows on, each by the length its header gives, and only they are kept.
"""

from __future__ import annotations

# kbit/s by bitrate index, for (MPEG-1, layer) and (MPEG-2 or 2.5, layer); layer 1, 2, 3
BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Hz by sample-rate index, for the version bits 3 (MPEG-1), 2 (MPEG-2) and 0 (MPEG-2.5)
SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def frame_length(content: bytes, at: int) -> int | None:
    """The length of the MPEG audio frame whose header starts at `at`, or None if there is none:
    11 sync bits, a defined version, layer, bitrate and sample rate."""
    if len(content) < at + 4 or content[at] != 0xFF or content[at + 1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (content[at + 1] >> 3) & 3, (content[at + 1] >> 1) & 3
    bitrate_index, rate_index = content[at + 2] >> 4, (content[at + 2] >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer = 4 - layer_bits
    bitrate = BITRATES[(version == 3, layer)][bitrate_index] * 1000
    rate = SAMPLE_RATES[version][rate_index]
    padding = (content[at + 2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    per_frame = 144 if layer == 2 or version == 3 else 72
    return per_frame * bitrate // rate + padding


def after_id3v2(content: bytes) -> int:
    """Where the audio starts: past every ID3v2 tag at the front (its size is syncsafe, and a
    footer adds ten bytes)."""
    at = 0
    while content[at : at + 3] == b"ID3" and len(content) >= at + 10:
        size = 0
        for byte in content[at + 6 : at + 10]:
            size = (size << 7) | (byte & 0x7F)
        at += 10 + size + (10 if content[at + 5] & 0x10 else 0)
    return at


def frames_only(content: bytes) -> bytes | None:
    """The audio frames, from the first after the leading tags to the last that follows on;
    None if no frame starts where the audio should."""
    start = at = after_id3v2(content)
    while (length := frame_length(content, at)) is not None:
        at += length
    if at == start:
        return None
    return content[start:at]
