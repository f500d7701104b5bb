#!/usr/bin/python3
"""torch_cpu.py - jahs's CPU training step against PyTorch's same step on
the same CPU, in one run: images/s of both and the ratio jahs / PyTorch.

Networks (both sides build the same function):
  nb201  NAS-Bench-201's best cell on CIFAR-100 (333133), C=16, N=5,
         3 stages, 32 x 32 x 3, 100 classes (TinyNetwork of torch_ref.py);
         SGD lr 0.01, Nesterov momentum 0.9, weight decay 5e-4.
  seqt   the AutoML SS23 template's sequential CNN at the seqcnn-ss23
         space's defaults (src/space/spaces.c): 3 blocks Conv2d(3x3,
         512, padding 1, bias) -> ReLU -> BatchNorm2d -> MaxPool2d(2),
         global average pooling, 3 x (Linear 512 -> ReLU -> Dropout 0.2),
         Linear to 9 classes (DeepWeedsX); Adam lr 1e-3 (PyTorch's
         defaults otherwise, weight decay 0), 32 x 32 x 3 inputs.
The step: forward (training mode: batch statistics, dropout), cross-entropy,
backward, optimizer step, on random inputs already in memory.  Timing, the
same on both sides: one warm-up step, then the median of --steps timed
steps (element steps // 2 of the sorted times, as bench_train.c takes it).  jahs's figure comes from `bench_train --net NET --threads N`
(bench_train.c), PyTorch's from this process with torch.set_num_threads(N)
(intra-op threads; its convolutions go through oneDNN when torch was built
with it, printed first).  Each (network, threads) pair runs jahs then
PyTorch back to back, so both see the same load; the whole set repeats
--reps times and the 1-minute load average is printed beside each pair.

Prints one line per pair and "RATIO <net> <threads> <median> <min> <max>"
lines at the end.  Without torch (Debian: apt-get install python3-torch)
it prints jahs's figures only and says so.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_JAHS = os.path.join(HERE, "..", "build", "release", "bench",
                            "bench_train")

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    sys.path.insert(0, HERE)
    from torch_ref import TinyNetwork
except ImportError as e:  # jahs's figures only
    torch = None
    TORCH_ERR = str(e)


def seqt_model():
    """The template's sequential CNN at its defaults (docstring above)."""
    layers, cin = [], 3
    for _ in range(3):
        layers += [nn.Conv2d(cin, 512, 3, 1, 1, bias=True), nn.ReLU(),
                   nn.BatchNorm2d(512), nn.MaxPool2d(2)]
        cin = 512
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    for _ in range(3):
        layers += [nn.Linear(cin, 512), nn.ReLU(), nn.Dropout(0.2)]
        cin = 512
    layers.append(nn.Linear(cin, 9))
    return nn.Sequential(*layers)


def torch_step_rate(net, threads, batch, steps):
    """PyTorch's images/s: median of `steps` timed steps after one."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if net == "nb201":
        model, classes = TinyNetwork([3, 3, 3, 1, 3, 3], 16, 5, 3), 100
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9,
                              nesterov=True, weight_decay=5e-4)
    else:
        model, classes = seqt_model(), 9
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, classes, (batch,))
    times = []
    for k in range(steps + 1):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        F.cross_entropy(model(x), y).backward()
        opt.step()
        if k > 0:
            times.append(time.perf_counter() - t0)
    return batch / sorted(times)[steps // 2]  # bench_train's median


def jahs_step_rate(exe, net, threads, batch, steps):
    """jahs's images/s from bench_train's one-row mode (no shell)."""
    out = subprocess.run([exe, "--net", net, "--threads", str(threads),
                          "--batch", str(batch), "--steps", str(steps)],
                         check=False, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (
            exe, out.returncode, out.stderr.strip()))
    for line in out.stdout.splitlines():
        f = line.split()
        if len(f) == 7 and f[:3] == ["RESULT", "jahs", net]:
            return float(f[5])
    raise RuntimeError("%s printed no RESULT line: %r" % (exe, out.stdout))


def int_list(text):
    return [int(v) for v in text.split(",")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jahs", default=DEFAULT_JAHS,
                    help="path of bench_train (default: the release build)")
    ap.add_argument("--nets", default="nb201,seqt")
    ap.add_argument("--threads", type=int_list, default=[1, 2])
    ap.add_argument("--batch-nb201", type=int, default=256)
    ap.add_argument("--batch-seqt", type=int, default=64)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    for net in a.nets.split(","):
        if net not in ("nb201", "seqt"):
            ap.error("--nets: expected nb201 and/or seqt, got %r" % net)
    if not os.access(a.jahs, os.X_OK):
        ap.error("--jahs: %s is not an executable (make bench builds it)"
                 % a.jahs)
    if torch is None:
        print("torch_cpu: PyTorch not importable (%s): jahs's figures only"
              % TORCH_ERR)
    else:
        print("torch %s, %d CPUs, oneDNN (mkldnn) %s, parallel: %s" % (
            torch.__version__, os.cpu_count(),
            "on" if torch.backends.mkldnn.is_available() else "off",
            torch.__config__.parallel_info().splitlines()[-1].strip()))
    print("%-4s %-6s %7s %5s %10s %10s %7s %6s" % (
        "rep", "net", "threads", "batch", "jahs img/s", "torch img/s",
        "ratio", "load1"))
    sys.stdout.flush()
    ratios = {}
    for rep in range(1, a.reps + 1):
        for net in a.nets.split(","):
            batch = a.batch_nb201 if net == "nb201" else a.batch_seqt
            for th in a.threads:
                load = os.getloadavg()[0]
                j = jahs_step_rate(a.jahs, net, th, batch, a.steps)
                t = (torch_step_rate(net, th, batch, a.steps)
                     if torch is not None else float("nan"))
                r = j / t
                if torch is not None:
                    ratios.setdefault((net, th), []).append(r)
                print("%-4d %-6s %7d %5d %10.1f %11.1f %7.2f %6.2f" % (
                    rep, net, th, batch, j, t, r, load))
                sys.stdout.flush()
    for (net, th), rs in ratios.items():
        print("RATIO %s %d %.2f %.2f %.2f" % (net, th, statistics.median(rs),
                                              min(rs), max(rs)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        print("torch_cpu: %s" % e, file=sys.stderr)
        sys.exit(1)
