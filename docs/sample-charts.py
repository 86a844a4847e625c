#!/usr/bin/env python3
"""Draws the bar charts of the sample briefing (PNG, no dependencies) from the figures
the briefs quote. Run from the repository root: python3 docs/sample-charts.py"""
import struct
import zlib

BG, GRID, AXIS = (251, 250, 247), (227, 224, 216), (91, 95, 102)
BEFORE, AFTER = (155, 183, 212), (11, 92, 173)


def png(path, w, h, pixels):
    raw = b"".join(b"\x00" + bytes(pixels[y * w * 3:(y + 1) * w * 3]) for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def bars(path, groups, top, step, w=1600, h=900):
    """groups: [(before, after)] drawn side by side; top: the axis maximum; step: gridlines."""
    px = bytearray(BG * (w * h))

    def rect(x0, y0, x1, y1, colour):
        for y in range(max(0, y0), min(h, y1)):
            px[(y * w + x0) * 3:(y * w + x1) * 3] = bytes(colour) * (x1 - x0)

    left, right, base, ceiling = 120, w - 80, h - 110, 80
    scale = (base - ceiling) / top
    v = 0.0
    while v <= top + 1e-9:
        y = int(base - v * scale)
        rect(left, y - 1, right, y + 1, GRID)
        v += step
    slot = (right - left) / len(groups)
    bar = int(slot * 0.3)
    for i, pair in enumerate(groups):
        x = int(left + i * slot + slot * 0.18)
        for j, (value, colour) in enumerate(zip(pair, (BEFORE, AFTER))):
            x0 = x + j * (bar + 12)
            rect(x0, int(base - value * scale), x0 + bar, base, colour)
    rect(left, base, right, base + 3, AXIS)
    png(path, w, h, px)


if __name__ == "__main__":
    # Nvidia, quarter ended July 2023 against a year earlier, in billions of dollars:
    # total revenue 6.70 -> 13.51, data-center revenue 3.81 -> 10.32.
    bars("content/briefs/2023/2023-08-23-nvidia-data-center-revenue/revenue.png", [(6.70, 13.51), (3.81, 10.32)], 14, 2)
    # Nvidia's closing share price, 24 January 2025 -> 27 January 2025, in dollars: 142.62 -> 118.42.
    bars("content/briefs/2025/2025-01-27-deepseek-nvidia-selloff/close.png", [(142.62, 118.42)], 150, 25, w=1600, h=840)
