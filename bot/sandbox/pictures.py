"""Pictures for the sandbox's sample photos, drawn in code as small PNGs.

A photo in the fake Bot API is only a file id; the page shows it as a picture drawn from a theme
(a poster, coins, a chart) and seeded by the file's unique id, so the same photo looks the same
wherever it is copied, and two photos of one album differ. Nothing is loaded from anywhere: every
pixel is computed here.
"""

from __future__ import annotations

import hashlib
import random
import struct
import zlib
from functools import lru_cache

WIDTH, HEIGHT = 320, 240

Color = tuple[int, int, int]

_THEMES: dict[str, tuple[Color, Color, Color]] = {
    # background, main shapes, accents
    "poster": ((34, 34, 40), (196, 38, 46), (240, 232, 214)),
    "coins": ((16, 92, 60), (236, 190, 50), (255, 240, 160)),
    "chart": ((232, 238, 246), (52, 102, 190), (220, 80, 60)),
    "plain": ((120, 130, 150), (200, 205, 215), (90, 95, 110)),
}


class Canvas:
    """An RGB raster with the few shapes the themes need."""

    def __init__(self, width: int, height: int, background: Color) -> None:
        self.width = width
        self.height = height
        self.rows = [bytearray(bytes(background) * width) for _ in range(height)]

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        x0, x1 = max(0, x0), min(self.width, x1)
        if x1 <= x0:
            return
        span = bytes(color) * (x1 - x0)
        for y in range(max(0, y0), min(self.height, y1)):
            self.rows[y][x0 * 3 : x1 * 3] = span

    def circle(self, cx: int, cy: int, radius: int, color: Color) -> None:
        for dy in range(-radius, radius + 1):
            half = int((radius * radius - dy * dy) ** 0.5)
            self.rect(cx - half, cy + dy, cx + half + 1, cy + dy + 1, color)

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 6))
            + _chunk(b"IEND", b"")
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _poster(canvas: Canvas, rng: random.Random, main: Color, accent: Color) -> None:
    canvas.rect(0, 0, WIDTH, 36, main)
    canvas.rect(0, HEIGHT - 36, WIDTH, HEIGHT, main)
    canvas.circle(WIDTH // 2, HEIGHT // 2, 62, accent)
    canvas.circle(WIDTH // 2, HEIGHT // 2, 44, main)
    for i in range(rng.randint(3, 5)):
        y = 52 + i * 16
        canvas.rect(16, y, 16 + rng.randint(40, 70), y + 8, accent)
        canvas.rect(WIDTH - 16 - rng.randint(40, 70), y, WIDTH - 16, y + 8, accent)


def _coins(canvas: Canvas, rng: random.Random, main: Color, accent: Color) -> None:
    for _ in range(rng.randint(7, 11)):
        x, y, r = rng.randint(30, WIDTH - 30), rng.randint(30, HEIGHT - 30), rng.randint(14, 30)
        canvas.circle(x, y, r, main)
        canvas.circle(x, y, r - 5, accent)
        canvas.rect(x - 2, y - r + 9, x + 3, y + r - 8, main)


def _chart(canvas: Canvas, rng: random.Random, main: Color, accent: Color) -> None:
    canvas.rect(24, HEIGHT - 28, WIDTH - 20, HEIGHT - 25, (90, 90, 100))
    bars = rng.randint(6, 9)
    step = (WIDTH - 60) // bars
    for i in range(bars):
        top = rng.randint(40, HEIGHT - 60)
        color = accent if i == bars - 1 else main
        canvas.rect(32 + i * step, top, 32 + i * step + step - 8, HEIGHT - 28, color)


def _plain(canvas: Canvas, rng: random.Random, main: Color, accent: Color) -> None:
    canvas.circle(WIDTH // 3, HEIGHT // 2, 40, main)
    canvas.rect(WIDTH // 2, HEIGHT // 3, WIDTH - 30, HEIGHT - 50, accent)


_DRAW = {"poster": _poster, "coins": _coins, "chart": _chart, "plain": _plain}


@lru_cache(maxsize=128)
def picture(theme: str, seed: str) -> bytes:
    """A PNG of ``theme`` (an unknown theme draws a plain picture), varied by ``seed``."""
    if theme not in _THEMES:
        theme = "plain"
    background, main, accent = _THEMES[theme]
    rng = random.Random(hashlib.sha256(seed.encode()).digest())
    canvas = Canvas(WIDTH, HEIGHT, background)
    _DRAW[theme](canvas, rng, main, accent)
    return canvas.png()


class Pictures:
    """Which theme each sample photo was given, by its file's unique id."""

    def __init__(self) -> None:
        self._themes: dict[str, str] = {}

    def assign(self, file_unique_id: str, theme: str) -> None:
        self._themes[file_unique_id] = theme

    def png(self, file_unique_id: str) -> bytes:
        return picture(self._themes.get(file_unique_id, "plain"), file_unique_id)
