#!/usr/bin/env python3
"""torch_ref.py - PyTorch's speed on the network and training step that
bench_gpu.c times, on the same GPU, for bench/gpu_check.sh.

The network is NAS-Bench-201's TinyNetwork written out here (our own few
lines after NB201's definition, as src/nn/nb201_net.c builds it): stem
conv3x3 + BN; N InferCells per stage; between stages a ResNetBasicblock
(ReLU-conv3x3 s2-BN, ReLU-conv3x3-BN, shortcut AvgPool2d(2) + conv1x1);
head BN-ReLU, global average pool, linear.  Cell ops: none (left out),
skip_connect, nor_conv_1x1 / nor_conv_3x3 (ReLU-conv-BN), avg_pool_3x3
(count_include_pad=False).  Default cell: NB201's best on CIFAR-100.

The step: forward, cross-entropy, backward, SGD (lr 0.01, Nesterov 0.9,
weight decay 5e-4), batch 256 of 32 x 32 x 3 random inputs already on the
GPU, 100 classes, cudnn.benchmark on.  Modes:
  eager-fp32            plain PyTorch;
  compiled-fp32         torch.compile(mode="reduce-overhead") (CUDA graphs)
                        of forward + loss + backward; optimizer step eager
                        (as ../shared/DEVICE.md measured);
  compiled-bf16-cl      the same under autocast(bfloat16) with the model and
                        input in channels_last;
  eager-bf16-cl         autocast bf16, channels_last, no compile.
TF32 stays at PyTorch's defaults (cuDNN convolutions may use it:
torch.backends.cudnn.allow_tf32 is True; matmuls do not), printed first;
jahs's fp32 path forbids TF32, so PyTorch's "fp32" may run faster
arithmetic than ours.  Timing: warm-up steps, then `--steps` steps between
CUDA syncs, best of three; peak memory is torch.cuda.max_memory_allocated
over the mode.

Prints "RESULT torch <network> <mode> <images/s> <peak MB>" lines.
"""
import argparse
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

OPS = {0: "none", 1: "skip", 2: "conv1", 3: "conv3", 4: "pool"}


class ReLUConvBN(nn.Sequential):
    def __init__(self, cin, cout, k, stride, pad):
        super().__init__(nn.ReLU(inplace=False),
                         nn.Conv2d(cin, cout, k, stride, pad, bias=False),
                         nn.BatchNorm2d(cout))


class Cell(nn.Module):
    """NB201's InferCell: node j = sum over i < j of op_ij(node i)."""

    def __init__(self, ops, C):
        super().__init__()
        self.edges = nn.ModuleList()
        self.plan = []  # (node j, from i, module index or -1 for skip)
        e = 0
        for j in range(1, 4):
            for i in range(j):
                op = ops[e]
                e += 1
                if op == 0:
                    continue
                if op == 1:
                    self.plan.append((j, i, -1))
                    continue
                if op == 2:
                    m = ReLUConvBN(C, C, 1, 1, 0)
                elif op == 3:
                    m = ReLUConvBN(C, C, 3, 1, 1)
                else:
                    m = nn.AvgPool2d(3, 1, 1, count_include_pad=False)
                self.plan.append((j, i, len(self.edges)))
                self.edges.append(m)

    def forward(self, x):
        nodes = [x, None, None, None]
        for j, i, m in self.plan:
            v = nodes[i] if m < 0 else self.edges[m](nodes[i])
            nodes[j] = v if nodes[j] is None else nodes[j] + v
        return nodes[3] if nodes[3] is not None else torch.zeros_like(x)


class Reduction(nn.Module):
    """NB201's ResNetBasicblock(C, 2C, stride 2)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.a = ReLUConvBN(cin, cout, 3, 2, 1)
        self.b = ReLUConvBN(cout, cout, 3, 1, 1)
        self.down = nn.Sequential(nn.AvgPool2d(2, 2),
                                  nn.Conv2d(cin, cout, 1, 1, 0, bias=False))

    def forward(self, x):
        return self.b(self.a(x)) + self.down(x)


class TinyNetwork(nn.Module):
    def __init__(self, ops, C, N, stages, classes=100, cin=3):
        super().__init__()
        layers = [nn.Conv2d(cin, C, 3, 1, 1, bias=False), nn.BatchNorm2d(C)]
        for s in range(stages):
            if s > 0:
                layers.append(Reduction(C, 2 * C))
                C *= 2
            layers += [Cell(ops, C) for _ in range(N)]
        layers += [nn.BatchNorm2d(C), nn.ReLU(inplace=False)]
        self.body = nn.Sequential(*layers)
        self.fc = nn.Linear(C, classes)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.body(x), 1).flatten(1))


def run(net_args, mode, batch, steps, warmup):
    dev = torch.device("cuda")
    torch.manual_seed(0)
    model = TinyNetwork(**net_args).to(dev)
    bf16 = "bf16" in mode
    cl = mode.endswith("-cl")
    x = torch.randn(batch, 3, 32, 32, device=dev)
    y = torch.randint(0, 100, (batch,), device=dev)
    if cl:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9,
                          nesterov=True, weight_decay=5e-4)

    def fwd_bwd(xb, yb):
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
            loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        return loss

    step_fn = fwd_bwd
    if mode.startswith("compiled"):
        step_fn = torch.compile(fwd_bwd, mode="reduce-overhead")

    def step():
        opt.zero_grad(set_to_none=False)
        step_fn(x, y)
        opt.step()

    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        torch.cuda.synchronize()
        best = max(best, steps * batch / (time.perf_counter() - t0))
    peak = torch.cuda.max_memory_allocated() / 1e6
    del model, opt
    torch.cuda.empty_cache()
    return best, peak


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modes", default="eager-fp32,compiled-fp32,"
                    "compiled-bf16-cl")
    ap.add_argument("--nets", default="c16n5s3,c64n3s2")
    ap.add_argument("--cell", default="333133")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=10)
    a = ap.parse_args()
    if not torch.cuda.is_available():
        print("torch_ref: skipped: torch sees no GPU")
        return 0
    torch.backends.cudnn.benchmark = True
    ops = [int(c) for c in a.cell]
    nets = {"c16n5s3": dict(C=16, N=5, stages=3),
            "c64n3s2": dict(C=64, N=3, stages=2)}
    print("torch %s, cuDNN %s, %s; cudnn.allow_tf32=%s, "
          "matmul.allow_tf32=%s" % (
              torch.__version__, torch.backends.cudnn.version(),
              torch.cuda.get_device_name(0), torch.backends.cudnn.allow_tf32,
              torch.backends.cuda.matmul.allow_tf32))
    for name in a.nets.split(","):
        for mode in a.modes.split(","):
            t0 = time.perf_counter()
            try:
                ips, peak = run(dict(ops=ops, **nets[name]), mode, a.batch,
                                a.steps, a.warmup)
            except Exception as e:  # report and go on with the others
                print("torch_ref: %s %s failed: %s" % (name, mode, e))
                continue
            print("%-8s %-17s %9.0f img/s %8.0f MB peak (%.0f s incl. "
                  "compile)" % (name, mode, ips, peak,
                                time.perf_counter() - t0))
            print("RESULT torch %s %s %.0f %.0f" % (name, mode, ips, peak))
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
