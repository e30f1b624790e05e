"""Picture files built in memory for upload tests: decompression bombs, truncated and odd files.

``huge_png(20_000, 20_000)`` writes a valid single-colour grayscale PNG row by row through a
streaming zlib compressor, so a 400-megapixel image (a few hundred KB of file) never exists
uncompressed in memory. The other helpers save small images with Pillow in a given format/mode.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png(width: int, height: int, value: int = 0) -> bytes:
    """An 8-bit grayscale PNG of ``width`` x ``height`` pixels, all ``value``, built row by row."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit gray, no interlace
    row = b"\x00" + bytes([value]) * width  # filter type 0, then the pixels
    z = zlib.compressobj(9)
    parts = [z.compress(row) for _ in range(height)]
    parts.append(z.flush())
    data = b"".join(parts)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def digit_array(size: int = 64) -> np.ndarray:
    """A white vertical stroke on black, uint8 [size, size]: something a model can classify."""
    img = np.zeros((size, size), np.uint8)
    img[size // 8 : size - size // 8, size // 2 - size // 10 : size // 2 + size // 10] = 255
    return img


def encoded(image: Image.Image, fmt: str = "PNG", **params) -> bytes:
    """``image`` saved in ``fmt`` as bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def picture_bytes(mode: str = "L", fmt: str = "PNG", size: int = 64) -> bytes:
    """The digit stroke in Pillow ``mode`` (L, RGB, RGBA, P, LA, 1, I;16, CMYK) saved as ``fmt``."""
    base = Image.fromarray(digit_array(size))
    if mode == "I;16":
        wide = digit_array(size).astype(np.uint16) * 257  # 0..65535
        return encoded(Image.fromarray(wide), fmt)
    if mode == "RGBA":  # ink drawn on a transparent background, like the canvas
        rgba = np.zeros((size, size, 4), np.uint8)
        rgba[..., 3] = digit_array(size)
        return encoded(Image.fromarray(rgba), fmt)
    return encoded(base.convert(mode), fmt)
