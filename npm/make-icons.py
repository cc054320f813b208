#!/usr/bin/env python3
"""Draws the web page's icons (docs/decisions.md D82): web/icons/icon-192.png, icon-512.png,
icon-maskable-512.png and web/favicon.ico (32 and 16 px PNGs inside an ICO).

Plain Python 3, no imaging library: each shape is a signed distance function and a pixel's
coverage is taken from its distance to the edge (one sample per pixel, antialiased). The output
is byte-for-byte the same on every run; the PNGs are committed and this script is how to remake
them:  python3 npm/make-icons.py
"""
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
WEB = os.path.join(HERE, "..", "web")

NAVY = (18, 58, 92)
CARD = (244, 247, 250)
PHOTO = (120, 150, 180)
LINE = (159, 179, 200)
GREEN = (22, 140, 78)
WHITE = (255, 255, 255)


def rounded_box(px, py, x0, y0, x1, y1, r):
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = (x1 - x0) / 2 - r, (y1 - y0) / 2 - r
    qx, qy = abs(px - cx) - hx, abs(py - cy) - hy
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - r


def circle(px, py, cx, cy, r):
    return math.hypot(px - cx, py - cy) - r


def capsule(px, py, ax, ay, bx, by, r):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy) - r


def layers(scale):
    """The picture as (colour, distance function) from back to front, in the unit square;
    `scale` shrinks it around the centre (the maskable icon keeps it in the safe circle)."""

    def at(f):
        return lambda x, y: f(0.5 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale) * scale

    shapes = [
        # An identity card: photo and three lines of text.
        (CARD, lambda x, y: rounded_box(x, y, 0.14, 0.24, 0.86, 0.76, 0.06)),
        (PHOTO, lambda x, y: rounded_box(x, y, 0.21, 0.34, 0.41, 0.60, 0.02)),
        (LINE, lambda x, y: capsule(x, y, 0.48, 0.37, 0.78, 0.37, 0.022)),
        (LINE, lambda x, y: capsule(x, y, 0.48, 0.46, 0.70, 0.46, 0.022)),
        (LINE, lambda x, y: capsule(x, y, 0.48, 0.55, 0.60, 0.55, 0.022)),
        # A green tick badge over its lower right corner.
        (NAVY, lambda x, y: circle(x, y, 0.72, 0.70, 0.20)),
        (GREEN, lambda x, y: circle(x, y, 0.72, 0.70, 0.165)),
        (WHITE, lambda x, y: min(capsule(x, y, 0.645, 0.705, 0.70, 0.76, 0.027),
                                 capsule(x, y, 0.70, 0.76, 0.80, 0.64, 0.027))),
    ]
    return [(c, at(f)) for c, f in shapes]


def draw(size, maskable):
    """RGBA rows. The ordinary icon is a rounded navy square on transparency; the maskable one
    fills the whole square (the platform cuts its own shape) and keeps the picture within the
    central 80% circle."""
    if maskable:
        background = lambda x, y: -1.0
        picture = layers(0.74)
    else:
        background = lambda x, y: rounded_box(x, y, 0.0, 0.0, 1.0, 1.0, 0.2)
        picture = layers(1.0)
    px = 1.0 / size
    rows = []
    for j in range(size):
        y = (j + 0.5) * px
        row = bytearray()
        for i in range(size):
            x = (i + 0.5) * px
            a = max(0.0, min(1.0, 0.5 - background(x, y) / px))
            r, g, b = NAVY
            for colour, f in picture:
                c = max(0.0, min(1.0, 0.5 - f(x, y) / px))
                if c > 0.0:
                    r = r + (colour[0] - r) * c
                    g = g + (colour[1] - g) * c
                    b = b + (colour[2] - b) * c
            row += bytes((round(r), round(g), round(b), round(a * 255)))
        rows.append(bytes(row))
    return rows


def png(rows):
    size = len(rows)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def ico(images):
    """An ICO holding PNG images (supported by every current browser)."""
    head = struct.pack("<HHH", 0, 1, len(images))
    offset = len(head) + 16 * len(images)
    entries, data = b"", b""
    for size, blob in images:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(blob), offset + len(data))
        data += blob
    return head + entries + data


def write(path, blob):
    with open(path, "wb") as f:
        f.write(blob)
    print(f"{os.path.relpath(path)}: {len(blob)} bytes")


def main():
    icons = os.path.join(WEB, "icons")
    os.makedirs(icons, exist_ok=True)
    write(os.path.join(icons, "icon-192.png"), png(draw(192, False)))
    write(os.path.join(icons, "icon-512.png"), png(draw(512, False)))
    write(os.path.join(icons, "icon-maskable-512.png"), png(draw(512, True)))
    write(os.path.join(WEB, "favicon.ico"), ico([(32, png(draw(32, False))), (16, png(draw(16, False)))]))


if __name__ == "__main__":
    main()
