#!/usr/bin/env python3
"""A training script for `evaluator = command` (experiments/command.exp).

Real training, Python 3 standard library only: logistic regression by
mini-batch SGD (learning rate, L2 weight decay, batch size) on a synthetic
two-class problem (10 features, two Gaussian blobs with overlapping means),
500 training, 250 validation and 250 test points drawn from a fixed seed.
The fold picks which half of a 1,000-point pool is validation: fold 0 the
first 250, fold 1 the next 250 (two-fold cross-validation as jahs runs it).

Checkpoints: the weights and the epochs done go to CHECKPOINT/state.json
after every epoch; a promoted trial (same directory) continues from them and
trains only the extra epochs.  The last stdout line is the JSON object jahs
reads: val and test accuracy (percent) and cost (seconds, simulated: 1 ms
per 100 examples processed, so runs are reproducible byte for byte).
"""
import argparse
import json
import math
import os
import random
import sys

DIM = 10


def data(fold):
    rng = random.Random(12345)
    mean = [rng.uniform(-0.4, 0.4) for _ in range(DIM)]

    def point(label):
        sign = 1 if label else -1
        return [rng.gauss(sign * m, 1.0) for m in mean], label

    pool = [point(i % 2) for i in range(1500)]
    val = pool[fold * 250:(fold + 1) * 250]
    train = pool[:fold * 250] + pool[(fold + 1) * 250:1000]
    test = pool[1000:1250]
    return train, val, test


def accuracy(w, b, rows):
    hit = 0
    for x, y in rows:
        z = b + sum(wi * xi for wi, xi in zip(w, x))
        hit += (z > 0) == bool(y)
    return 100.0 * hit / len(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, required=True)
    ap.add_argument("--wd", type=float, default=0.0)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--checkpoint", required=True)
    a = ap.parse_args()
    train, val, test = data(a.fold)
    state_path = os.path.join(a.checkpoint, "state.json")
    w, b, done = [0.0] * DIM, 0.0, 0
    if os.path.exists(state_path):
        with open(state_path) as f:
            s = json.load(f)
        if s["epochs"] <= a.epochs:
            w, b, done = s["w"], s["b"], s["epochs"]
            print(f"resumed from epoch {done}", file=sys.stderr)
    rng = random.Random(a.seed * 1000 + a.fold)
    for _ in range(done):  # the shuffles the earlier epochs drew
        rng.shuffle(list(range(len(train))))
    seen = 0
    for epoch in range(done, a.epochs):
        order = list(range(len(train)))
        rng.shuffle(order)
        for k in range(0, len(order), a.batch_size):
            batch = [train[i] for i in order[k:k + a.batch_size]]
            gw, gb = [0.0] * DIM, 0.0
            for x, y in batch:
                z = b + sum(wi * xi for wi, xi in zip(w, x))
                p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
                g = p - y
                gw = [gi + g * xi for gi, xi in zip(gw, x)]
                gb += g
            n = len(batch)
            w = [wi - a.lr * (gi / n + a.wd * wi) for wi, gi in zip(w, gw)]
            b -= a.lr * gb / n
            seen += n
        tmp = state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"epochs": epoch + 1, "w": w, "b": b}, f)
        os.replace(tmp, state_path)
    print(json.dumps({"val": accuracy(w, b, val), "test": accuracy(w, b, test),
                      "cost": seen / 100 * 0.001, "trained": a.epochs - done}))


if __name__ == "__main__":
    main()
