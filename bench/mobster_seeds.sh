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
# Other rows: MOBSTER_SEEDS_EXP (experiment file), MOBSTER_SEEDS_ROWS (label
# substring), MOBSTER_SEEDS_SET (one extra KEY=VALUE override), e.g.
#   MOBSTER_SEEDS_EXP=experiments/beyond.exp \
#   MOBSTER_SEEDS_ROWS="MOBSTER, 4 workers" MOBSTER_SEEDS_SET=space=nb201
# (the times compared are then 2 h and 6 h).
# Run from the repository root (the table is tables/nb201_cifar100.h5:
# make tables).  A build of main for BEFORE_JAHS: git worktree add or
# git archive main into a scratch folder, then make there.
set -eu
if [ "$#" -lt 3 ]; then
    sed -n '2,20p' "$0" >&2
    exit 2
fi
before=$1
after=$2
out=$3
seeds=${4:-0..29}
exp=${MOBSTER_SEEDS_EXP:-experiments/table1.exp}
rows=${MOBSTER_SEEDS_ROWS:-MOBSTER}
extra=${MOBSTER_SEEDS_SET:-}
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
    if [ -n "$extra" ]; then
        "$bin" run "$exp" --rows "$rows" --set "seeds=$seeds" --set "$extra" \
            --out "$out/$side" --no-report --quiet --fresh
    else
        "$bin" run "$exp" --rows "$rows" --set "seeds=$seeds" \
            --out "$out/$side" --no-report --quiet --fresh
    fi
    echo "$side: $(($(date +%s) - start)) s wall ($bin)" >&2
done
if [ "$exp" = experiments/table1.exp ]; then hours="6 12"; else hours="2 6"; fi
# shellcheck disable=SC2086
python3 "$(dirname "$0")/mobster_seeds.py" "$out/before" "$out/after" $hours
