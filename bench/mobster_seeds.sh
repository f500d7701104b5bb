#!/bin/sh
# mobster_seeds.sh - MOBSTER's results over 30 seeds, two builds side by side
# (issue 18: speed changes must keep the optimizer within seed noise).
#
# usage: bench/mobster_seeds.sh BEFORE_JAHS AFTER_JAHS OUT_DIR [SEEDS]
#
# Runs table1's MOBSTER rows (experiments/table1.exp, rows whose label holds
# "MOBSTER": the NB201-space and the cell64 rows, 12 simulated hours each)
# with seeds SEEDS (default 0..29) under each jahs binary, journals only,
# into OUT_DIR/before and OUT_DIR/after, then compares the incumbents at 6 h
# and 12 h (bench/mobster_seeds.py: Wilcoxon signed-rank on the per-seed
# differences, Mann-Whitney, bootstrap interval of the mean difference).
# Run from the repository root (the table is tables/nb201_cifar100.h5:
# make tables).  A build of main for BEFORE_JAHS: git worktree add or
# git archive main into a scratch folder, then make there.
set -eu
if [ "$#" -lt 3 ]; then
    sed -n '2,15p' "$0" >&2
    exit 2
fi
before=$1
after=$2
out=$3
seeds=${4:-0..29}
for b in "$before" "$after"; do
    if [ ! -x "$b" ]; then
        echo "mobster_seeds.sh: $b: not an executable jahs" >&2
        exit 2
    fi
done
mkdir -p "$out"
for side in before after; do
    if [ "$side" = before ]; then bin=$before; else bin=$after; fi
    start=$(date +%s)
    "$bin" run experiments/table1.exp --rows MOBSTER --set "seeds=$seeds" \
        --out "$out/$side" --no-report --quiet --fresh
    echo "$side: $(($(date +%s) - start)) s wall ($bin)" >&2
done
python3 "$(dirname "$0")/mobster_seeds.py" "$out/before" "$out/after" 6 12
