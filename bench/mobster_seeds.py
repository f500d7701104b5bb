#!/usr/bin/env python3
"""mobster_seeds.py - are two builds' MOBSTER results the same within seed noise?

usage: mobster_seeds.py BEFORE_DIR AFTER_DIR [HOURS ...]

Each DIR is a `jahs run --no-report` results directory (bench/mobster_seeds.sh
makes them) holding runs/<row>/seed<k>.csv journals.  For every row present in
both and every time (hours, default 6 and 12) it reads each seed's incumbent
test and validation accuracy at that time (the inc_* columns of the last
trial that ended by then) and compares the two builds over the seeds they share:

  - mean and standard deviation of each build;
  - paired: Wilcoxon signed-rank test on the per-seed differences (normal
    approximation with tie and zero corrections, two-sided; zeros dropped as
    in Wilcoxon's original test) and a bootstrap 95 % interval of the mean
    difference (10,000 resamples of the seeds, fixed seed: deterministic);
  - unpaired: Mann-Whitney U (normal approximation, tie-corrected).

Standard library only (no scipy on the build machine).  Exit status 0; the
verdict is for the reader (a p-value well above 0.05 and an interval that
holds 0 means no detectable change).
"""
import csv
import math
import os
import random
import sys


def incumbent_at(path, seconds):
    """(inc_test, inc_val) of the last trial that ended by `seconds`."""
    best = None
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if float(row["end"]) <= seconds:
                best = (float(row["inc_test"]), float(row["inc_val"]))
    return best


def journals(d):
    out = {}
    runs = os.path.join(d, "runs")
    for row in sorted(os.listdir(runs)):
        seeds = {}
        for name in os.listdir(os.path.join(runs, row)):
            if name.startswith("seed") and name.endswith(".csv"):
                seeds[int(name[4:-4])] = os.path.join(runs, row, name)
        out[row] = seeds
    return out


def norm_sf2(z):
    """Two-sided p-value of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2))


def ranks(values):
    """Average ranks (1-based) and the tie groups' sizes."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    ties = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        ties.append(j - i + 1)
        i = j + 1
    return r, ties


def wilcoxon(diffs):
    d = [x for x in diffs if x != 0]
    n = len(d)
    if n == 0:
        return 1.0, 0
    r, ties = ranks([abs(x) for x in d])
    wplus = sum(ri for ri, x in zip(r, d) if x > 0)
    mean = n * (n + 1) / 4
    var = n * (n + 1) * (2 * n + 1) / 24 - sum(t ** 3 - t for t in ties) / 48
    if var <= 0:
        return 1.0, n
    z = (wplus - mean) / math.sqrt(var)
    return norm_sf2(z), n


def mann_whitney(a, b):
    r, ties = ranks(a + b)
    n1, n2 = len(a), len(b)
    u = sum(r[:n1]) - n1 * (n1 + 1) / 2
    nn = n1 + n2
    var = n1 * n2 / 12 * ((nn + 1) - sum(t ** 3 - t for t in ties) / (nn * (nn - 1)))
    if var <= 0:
        return 1.0
    return norm_sf2((u - n1 * n2 / 2) / math.sqrt(var))


def bootstrap_ci(diffs, reps=10000, seed=18):
    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n
                   for _ in range(reps))
    return means[int(0.025 * reps)], means[int(0.975 * reps) - 1]


def stats(v):
    m = sum(v) / len(v)
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0
    return m, sd


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    before, after = journals(argv[1]), journals(argv[2])
    hours = [float(h) for h in argv[3:]] or [6.0, 12.0]
    print("| row | h | metric | seeds | before mean (sd) | after mean (sd) | "
          "same | after - before, 95 % bootstrap | Wilcoxon p | Mann-Whitney p |")
    print("| --- | ---: | --- | ---: | --- | --- | ---: | --- | ---: | ---: |")
    for row in sorted(set(before) & set(after)):
        seeds = sorted(set(before[row]) & set(after[row]))
        for h in hours:
            for mi, metric in enumerate(("test", "val")):
                a, b = [], []
                for s in seeds:
                    x = incumbent_at(before[row][s], h * 3600)
                    y = incumbent_at(after[row][s], h * 3600)
                    if x is not None and y is not None:
                        a.append(x[mi])
                        b.append(y[mi])
                if not a:
                    continue
                diffs = [y - x for x, y in zip(a, b)]
                lo, hi = bootstrap_ci(diffs)
                pw, _ = wilcoxon(diffs)
                pm = mann_whitney(a, b)
                (ma, sa), (mb, sb) = stats(a), stats(b)
                same = sum(1 for d in diffs if d == 0)
                print(f"| {row} | {h:g} | {metric} | {len(a)} | {ma:.2f} ({sa:.2f}) | "
                      f"{mb:.2f} ({sb:.2f}) | {same} | {sum(diffs) / len(diffs):+.2f} "
                      f"[{lo:+.2f}, {hi:+.2f}] | {pw:.2f} | {pm:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
