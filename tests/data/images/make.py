#!/usr/bin/python3
"""Generates the image fixtures in this folder (data tooling; the tests never run Python).

PNG/JPEG/TIFF files with PIL (Debian python3-pil 9.4.0); 16-bit PNGs and the EXR are written byte by byte here (PIL
cannot write 16-bit RGB PNG or any EXR), so the tests do not depend on the writer under test. Pixel values follow the
formulas in README.md, which the tests recompute.
    /usr/bin/python3 tests/data/images/make.py
"""
import os
import struct
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def rgb8(h, w):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([50 + 10 * x + 40 * y, 255 - 20 * x, 7 * (x + y)], -1).astype(np.uint8)


def png_chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def write_png16(name, a):  # a: uint16 [H, W] (grey) or [H, W, 3] (RGB)
    h, w = a.shape[:2]
    colour_type = 0 if a.ndim == 2 else 2
    raw = b"".join(b"\x00" + a[r].astype(">u2").tobytes() for r in range(h))
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0))
    data += png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")
    open(path(name), "wb").write(data)


def write_exr_half_rgb(name, a):  # a: float [H, W, 3], scanline, no compression, channels B, G, R (sorted)
    h, w = a.shape[:2]

    def attr(n, t, v):
        return n.encode() + b"\0" + t.encode() + b"\0" + struct.pack("<i", len(v)) + v

    chlist = b"".join(c.encode() + b"\0" + struct.pack("<iB3xii", 1, 0, 1, 1) for c in "BGR") + b"\0"
    box = struct.pack("<iiii", 0, 0, w - 1, h - 1)
    header = struct.pack("<ii", 20000630, 2)
    header += attr("channels", "chlist", chlist) + attr("compression", "compression", b"\0")
    header += attr("dataWindow", "box2i", box) + attr("displayWindow", "box2i", box)
    header += attr("lineOrder", "lineOrder", b"\0") + attr("pixelAspectRatio", "float", struct.pack("<f", 1.0))
    header += attr("screenWindowCenter", "v2f", struct.pack("<ff", 0, 0))
    header += attr("screenWindowWidth", "float", struct.pack("<f", 1.0)) + b"\0"
    half = a.astype(np.float16)
    lines = []
    for r in range(h):
        payload = b"".join(half[r, :, c].astype("<f2").tobytes() for c in (2, 1, 0))  # B, G, R planes
        lines.append(struct.pack("<ii", r, len(payload)) + payload)
    offset = len(header) + 8 * h
    table = b""
    for line in lines:
        table += struct.pack("<Q", offset)
        offset += len(line)
    open(path(name), "wb").write(header + table + b"".join(lines))


def main():
    a = rgb8(3, 5)
    Image.fromarray(a, "RGB").save(path("rgb8.png"))
    Image.fromarray(a, "RGB").save(path("rgb8.tif"))
    Image.fromarray(a[..., 0], "L").save(path("grey8.png"))

    y, x = np.mgrid[0:2, 0:4]
    write_png16("grey16.png", (x * 21000 + y * 1000).astype(np.uint16))
    write_png16("rgb16.png", np.stack([x * 20000 + y, 65535 - x * 300, y * 40000 + 7], -1).astype(np.uint16))

    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., :3] = [[[200, 100, 50], [10, 20, 30]], [[255, 255, 255], [0, 128, 255]]]
    rgba[..., 3] = [[0, 255], [128, 64]]
    Image.fromarray(rgba, "RGBA").save(path("rgba.png"))
    Image.fromarray(np.stack([rgba[..., 0], rgba[..., 3]], -1), "LA").save(path("grey_alpha.png"))

    pal = Image.fromarray(np.array([[0, 1], [2, 0]], np.uint8), "P")
    pal.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (253 * 3))
    pal.save(path("palette.png"))

    # Orientation 6 ("rotate 90° clockwise to display"): stored 32 wide x 16 high, four flat 8-wide bands
    # red, green, blue, white from left to right. Displayed it is 16 wide x 32 high, bands from top to bottom.
    bands = np.zeros((16, 32, 3), np.uint8)
    for i, c in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]):
        bands[:, 8 * i:8 * i + 8] = c
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(bands, "RGB").save(path("oriented6.jpg"), quality=95, exif=exif.tobytes())

    # Scene-linear EXR: pixel (0, x) = LINEAR[x] on all three channels.
    lin = np.array([0.0, 0.2140411, 1.0, 4.0, 0.0031308, 0.05], np.float32)
    write_exr_half_rgb("linear.exr", np.repeat(lin[None, :, None], 3, axis=2))

    data = open(path("rgb8.png"), "rb").read()
    open(path("truncated.png"), "wb").write(data[: len(data) // 2])
    open(path("garbage.png"), "wb").write(b"this is not an image, only text pretending to be one\n" * 4)


if __name__ == "__main__":
    main()
