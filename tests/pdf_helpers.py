"""Reading PDFs in tests: PDFium (``pypdfium2``) renders a page to grey pixels, saved as a
PNG for a person to look at; no imaging library needed."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pypdfium2 as pdfium


def page_text(page: pdfium.PdfPage) -> str:
    """The page's text with every run of whitespace (PDFium puts CR LF between lines) as one space."""
    return re.sub(r"\s+", " ", page.get_textpage().get_text_range()).strip()


def gray(page: pdfium.PdfPage, scale: float = 0.5, png: Path | None = None) -> bytes:
    """The page as 8-bit grey pixels, row padding removed (so two bitmaps compare byte by byte).

    ``png``: also save the bitmap there, for a person to look at (pytest keeps the
    folders of the last three runs).
    """
    bitmap = page.render(scale=scale, grayscale=True)
    raw = bytes(bitmap.buffer)
    rows = [raw[y * bitmap.stride : y * bitmap.stride + bitmap.width] for y in range(bitmap.height)]
    if png is not None:
        save_png(png, rows)
    return b"".join(rows)


def save_png(path: Path, rows: list[bytes]) -> None:
    """An 8-bit greyscale PNG (ISO/IEC 15948): signature, IHDR, one IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", len(rows[0]), len(rows), 8, 0, 0, 0, 0)
    image = zlib.compress(b"".join(b"\0" + row for row in rows))  # filter type 0 on every row
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", image) + chunk(b"IEND", b""))


INK = bytes(1 if level < 160 else 0 for level in range(256))


def ink_share(pixels: bytes) -> float:
    """Share of pixels darker than light grey: 0 for a blank page."""
    return pixels.translate(INK).count(1) / len(pixels)


def differing(a: bytes, b: bytes) -> float:
    assert len(a) == len(b)
    return sum(x != y for x, y in zip(a, b, strict=True)) / len(a)
