#!/usr/bin/env python3
"""Generate the PWA icons in public/icons/ (pure stdlib: zlib + struct).

A safety-yellow warning triangle with a check mark on a navy field.
"any" icons use a rounded square; the maskable ones are full-bleed with the
symbol inside the central 80% safe zone. Re-run after changing the design:
    python3 scripts/gen-icons.py
"""
import math
import pathlib
import struct
import zlib

NAVY = (0x12, 0x35, 0x5B)
YELLOW = (0xFF, 0xC2, 0x0E)
OUT = pathlib.Path(__file__).resolve().parent.parent / "public" / "icons"
SS = 3  # supersampling per axis


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def in_triangle(px, py, tri):
    (x1, y1), (x2, y2), (x3, y3) = tri
    d1 = (px - x2) * (y1 - y2) - (x1 - x2) * (py - y2)
    d2 = (px - x3) * (y2 - y3) - (x2 - x3) * (py - y3)
    d3 = (px - x1) * (y3 - y1) - (x3 - x1) * (py - y1)
    neg = d1 < 0 or d2 < 0 or d3 < 0
    pos = d1 > 0 or d2 > 0 or d3 > 0
    return not (neg and pos)


def shade(u, v, maskable):
    """Colour at normalised coords (0..1), or None for transparent."""
    if not maskable:
        # Rounded square background, corner radius 18%.
        r, m = 0.18, 0.0
        cx = min(max(u, r), 1 - r)
        cy = min(max(v, r), 1 - r)
        if math.hypot(u - cx, v - cy) > r + m:
            return None
    scale = 0.62 if maskable else 0.80
    x = (u - 0.5) / scale + 0.5
    y = (v - 0.5) / scale + 0.5
    # Warning triangle, rounded by taking points within `rad` of a smaller one.
    rad = 0.06
    tri = [(0.5, 0.12), (0.06 + 0.02, 0.86), (0.94 - 0.02, 0.86)]
    inside = in_triangle(x, y, tri) or min(
        seg_dist(x, y, *tri[i], *tri[(i + 1) % 3]) for i in range(3)
    ) <= rad
    if not inside:
        return NAVY
    check = [(0.34, 0.63), (0.45, 0.74), (0.62, 0.52)]
    if min(seg_dist(x, y, *check[i], *check[i + 1]) for i in range(2)) <= 0.055:
        return NAVY
    return YELLOW


def render(size, maskable):
    rows = []
    for j in range(size):
        row = bytearray([0])  # filter: none
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(SS):
                for si in range(SS):
                    c = shade((i + (si + 0.5) / SS) / size, (j + (sj + 0.5) / SS) / size, maskable)
                    if c is not None:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 255
            n = SS * SS
            a = acc[3] // n
            if a:
                cov = acc[3] / 255
                row += bytes([round(acc[0] / cov), round(acc[1] / cov), round(acc[2] / cov), a])
            else:
                row += b"\0\0\0\0"
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(w, h, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-192.png", 192, True),
        ("icon-maskable-512.png", 512, True),
    ]:
        (OUT / name).write_bytes(render(size, maskable))
        print(OUT / name)
