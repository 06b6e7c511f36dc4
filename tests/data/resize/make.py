#!/usr/bin/python3
"""Generates the golden resize fixtures in this folder (data tooling; the tests never run Python).

Lanczos cases: PIL Image.resize(size, Image.LANCZOS) on uint8 RGB / L images.
Bilinear cases: torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=False), float32.

Each case is one safetensors file holding `input` and `output`; the tests read every shape from the file.
See README.md for the versions used and how they were run.
    python3 tests/data/resize/make.py [lanczos|bilinear|all] [OUT_DIR]
"""
import json
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {np.dtype("uint8"): "U8", np.dtype("float32"): "F32"}


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        data = arr.tobytes()
        header[name] = {"dtype": DTYPES[arr.dtype], "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def test_image(rng, h, w, c, kind):
    if kind == "noise":
        a = rng.integers(0, 256, size=(h, w, c))
    elif kind == "gradient":
        y, x = np.mgrid[0:h, 0:w]
        a = np.stack([(x * 255) // max(w - 1, 1), (y * 255) // max(h - 1, 1), ((x + y) * 37) % 256], -1)[..., :c]
        a = a + rng.integers(-3, 4, size=a.shape)
    elif kind == "stripes":  # hard 0/255 edges: the negative lobes overshoot, exercising the clamps
        y, x = np.mgrid[0:h, 0:w]
        a = np.stack([((x // 2) % 2) * 255, ((y // 3) % 2) * 255, (((x + y) // 2) % 2) * 255], -1)[..., :c]
    else:
        raise ValueError(kind)
    return np.clip(a, 0, 255).astype(np.uint8)


def lanczos_cases(rng, out_dir):
    import PIL
    from PIL import Image

    # (name, in_w, in_h, out_w, out_h, channels, content)
    cases = [
        ("down_37x23_to_16x16", 37, 23, 16, 16, 3, "noise"),
        ("up_32x32_to_48x40", 32, 32, 48, 40, 3, "gradient"),
        ("down3p3_99x66_to_30x20", 99, 66, 30, 20, 3, "noise"),
        ("stripes_24x24_to_11x31", 24, 24, 11, 31, 3, "stripes"),
        ("vertical_only_20x20_to_20x13", 20, 20, 20, 13, 3, "stripes"),
        ("horizontal_only_17x9_to_40x9", 17, 9, 40, 9, 3, "noise"),
        ("grey_15x10_to_7x23", 15, 10, 7, 23, 1, "gradient"),
        ("tiny_3x3_to_1x1", 3, 3, 1, 1, 3, "noise"),
        ("line_1x5_to_4x2", 1, 5, 4, 2, 3, "noise"),
        ("i2v_like_150x90_to_64x48", 150, 90, 64, 48, 3, "gradient"),
    ]
    for name, iw, ih, ow, oh, c, kind in cases:
        a = test_image(rng, ih, iw, c, kind)
        im = Image.fromarray(a[..., 0] if c == 1 else a, "L" if c == 1 else "RGB")
        out = np.asarray(im.resize((ow, oh), Image.LANCZOS))
        if c == 1:
            out = out[..., None]
        write_safetensors(os.path.join(out_dir, f"lanczos_{name}.safetensors"), {"input": a, "output": out},
                          {"generator": f"PIL {PIL.__version__} Image.resize LANCZOS", "content": kind})


def cpu_capability(torch):
    backend = getattr(torch.backends, "cpu", None)  # torch >= 2.0
    return backend.get_cpu_capability() if backend else "unknown"


def bilinear_cases(rng, out_dir):
    import torch
    import torch.nn.functional as F

    def meta(threads, kernel=None):
        m = {"generator": f"torch {torch.__version__} F.interpolate bilinear align_corners=False",
             "cpu_capability": cpu_capability(torch), "threads": str(threads)}
        if kernel:
            m["kernel"] = kernel
        return m

    # (name, input shape, (out_h, out_w)). Outputs with out_h + out_w <= 128 take PyTorch's channels-last kernel.
    cases = [
        ("up_1x3x5x7_to_11x13", (1, 3, 5, 7), (11, 13)),
        ("down_2x3x16x12_to_7x5", (2, 3, 16, 12), (7, 5)),
        ("mixed_3x9x9_to_4x17", (3, 9, 9), (4, 17)),
        ("same_height_1x3x6x8_to_6x11", (1, 3, 6, 8), (6, 11)),
        ("unbin_2x3x30x52_to_32x55", (2, 3, 30, 52), (32, 55)),
    ]
    torch.set_num_threads(max(torch.get_num_threads(), 4))
    for name, shape, size in cases:
        x = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        t = torch.from_numpy(x)
        t4 = t[None] if t.dim() == 3 else t
        y = F.interpolate(t4, size=size, mode="bilinear", align_corners=False, antialias=False)
        y = y[0] if t.dim() == 3 else y
        write_safetensors(os.path.join(out_dir, f"bilinear_{name}.safetensors"), {"input": x, "output": y.numpy()},
                          meta(torch.get_num_threads()))

    # A larger output (out_h + out_w > 128): a multi-threaded run takes the non-separable kernel, a single-threaded
    # run on 3 channels the channels-last kernel.
    x = np.random.default_rng(20240613).uniform(-1, 1, size=(1, 3, 24, 40)).astype(np.float32)
    for threads, kernel in ((16, "generic"), (1, "channels_last")):
        torch.set_num_threads(threads)
        y = F.interpolate(torch.from_numpy(x), size=(50, 90), mode="bilinear", align_corners=False).numpy()
        write_safetensors(os.path.join(out_dir, f"bilinear_{kernel}_1x3x24x40_to_50x90.safetensors"),
                          {"input": x, "output": y}, meta(threads, kernel))


if __name__ == "__main__":
    # usage: make.py [lanczos|bilinear|all] [OUT_DIR]   (each family uses its own seeded generator)
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    out_dir = sys.argv[2] if len(sys.argv) > 2 else HERE
    if which in ("lanczos", "all"):
        lanczos_cases(np.random.default_rng(20240611), out_dir)
    if which in ("bilinear", "all"):
        bilinear_cases(np.random.default_rng(20240612), out_dir)
