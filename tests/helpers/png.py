"""Real PNG files for tests that upload photos (the fake decodes them as Telegram does),
and a reader of a PNG's header for tests that check what the bot drew."""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def tiny_png(width: int = 4, height: int = 3, shade: int = 0) -> bytes:
    """A valid grey ``width`` x ``height`` PNG (``shade`` makes different files)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(b"\x00" + bytes([shade % 256]) * width for _ in range(height))
    return (
        SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk; fails unless ``data`` starts like a PNG."""
    assert data.startswith(SIGNATURE), data[:16]
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def assert_sensible_png(
    data: bytes, *, min_side: int = 300, max_side: int = 2000
) -> tuple[int, int]:
    """A chart: a real PNG, neither a sliver nor a poster, a few KB to under a MB, ending
    with IEND (not cut off)."""
    width, height = png_size(data)
    assert min_side <= width <= max_side and min_side <= height <= max_side, (width, height)
    assert 5_000 < len(data) < 1_000_000, len(data)
    assert data.endswith(_chunk(b"IEND", b"")), "truncated PNG"
    return width, height
