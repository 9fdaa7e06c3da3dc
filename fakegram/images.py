"""What Telegram checks of an uploaded photo (Bot API, sendPhoto): an image it can decode,
at most 10 MB, width + height at most 10000, the longer side at most 20 times the shorter.

The fake reads the dimensions from the file's header (PNG and JPEG, what bots upload; any
other bytes fail as Telegram answers undecodable files). Telegram recompresses a photo so
its longer side is at most 1280 pixels: the size the fake reports.
"""

from __future__ import annotations

import struct

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000
MAX_PHOTO_RATIO = 20
LARGEST_SIDE = 1280
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG, or None when the bytes are neither."""
    if data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a frame header
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None


def photo_problem(data: bytes) -> str | None:
    """Telegram's error for an unacceptable photo upload, or None."""
    if len(data) > MAX_PHOTO_BYTES:
        return "PHOTO_SAVE_FILE_INVALID"
    size = image_size(data)
    if size is None or 0 in size:
        return "IMAGE_PROCESS_FAILED"
    width, height = size
    if width + height > MAX_PHOTO_SIDES or max(size) > MAX_PHOTO_RATIO * min(size):
        return "PHOTO_INVALID_DIMENSIONS"
    return None


def delivered_size(width: int, height: int) -> tuple[int, int]:
    """The largest size Telegram keeps of a photo."""
    scale = min(1.0, LARGEST_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))
