#!/usr/bin/python3
"""Cross-check jahs_ta_apply against torchvision's TrivialAugmentWide ops.

Optional, not part of `make test` (needs python3-torchvision; Debian 12 has
torchvision 0.14.1).  Usage, from the repository root after `make`:

    cc -O2 -Isrc tests/torchvision/ta_dump.c build/release/libjahs.a \
       $(pkg-config --libs gsl) -lm -o /tmp/ta_dump
    /usr/bin/python3 tests/torchvision/ta_check.py /tmp/ta_dump [N] [SEED] [exact]

For N random images of each shape (32x32x3, 28x28x1, 4x4x3, 5x7x1) it
applies every op, bin and sign through torchvision's _apply_op (uint8
tensors, nearest interpolation, fill None) with the magnitudes of
TrivialAugmentWide()._augmentation_space(31), and compares with the C
output byte for byte.  Prints, per op, the number of differing pixels.
With "exact", torchvision is given the correctly rounded float32 linspace
values that jahs uses instead of torch.linspace's own (which differ by an
ulp for a few bins, depending on the CPU path torch takes); the remaining
differences are then those of the operations themselves.
"""
import struct
import subprocess
import sys

import torch
from torchvision.transforms import InterpolationMode, TrivialAugmentWide
from torchvision.transforms.autoaugment import _apply_op

OPS = ["Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate",
       "Brightness", "Color", "Contrast", "Sharpness", "Posterize", "Solarize",
       "AutoContrast", "Equalize"]


def main():
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    g = torch.Generator().manual_seed(seed)
    exact = len(sys.argv) > 4 and sys.argv[4] == "exact"
    space = TrivialAugmentWide()._augmentation_space(31)
    assert list(space.keys()) == OPS
    if exact:
        top = {"ShearX": 0.99, "ShearY": 0.99, "TranslateX": 32.0,
               "TranslateY": 32.0, "Rotate": 135.0, "Brightness": 0.99,
               "Color": 0.99, "Contrast": 0.99, "Sharpness": 0.99}
        for op, t in top.items():
            vals = [struct.unpack("f", struct.pack("f", t * b / 30))[0]
                    for b in range(31)]
            space[op] = (torch.tensor(vals, dtype=torch.float64), True)
    total_bad = 0
    for (h, w, c) in [(32, 32, 3), (28, 28, 1), (4, 4, 3), (5, 7, 1)]:
        imgs = torch.randint(0, 256, (n, h, w, c), dtype=torch.uint8,
                             generator=g)
        # a few low-contrast images exercise AutoContrast / Equalize steps
        imgs[: n // 4] = imgs[: n // 4] // 8 + 100
        inp = f"{h} {w} {c} {n}\n".encode() + imgs.numpy().tobytes()
        out = subprocess.run([exe], input=inp, capture_output=True,
                             check=True).stdout
        got = torch.frombuffer(bytearray(out), dtype=torch.uint8).reshape(
            n, len(OPS), 31, 2, h, w, c)
        bad = {op: 0 for op in OPS}
        for i in range(n):
            chw = imgs[i].permute(2, 0, 1).contiguous()
            for k, op in enumerate(OPS):
                mags, signed = space[op]
                for b in range(31):
                    for s in range(2):
                        m = float(mags[b].item()) if mags.ndim > 0 else 0.0
                        if signed and s == 1:
                            m = -m
                        ref = _apply_op(chw, op, m, InterpolationMode.NEAREST,
                                        None).permute(1, 2, 0)
                        diff = (ref != got[i, k, b, s]).any(dim=2).sum().item()
                        bad[op] += diff
        print(f"{h}x{w}x{c}, {n} images x 31 bins x 2 signs: differing pixels"
              f" per op: " + ", ".join(f"{op} {v}" for op, v in bad.items()))
        total_bad += sum(bad.values())
    print("total differing pixels:", total_bad)
    return 0


if __name__ == "__main__":
    sys.exit(main())
