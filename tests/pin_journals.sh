#!/usr/bin/env bash
# pin_journals.sh - pin what `jahs` writes, byte for byte, across a change of
# its code (make pin-journals; README "Build targets").
#
#   tests/pin_journals.sh run JAHS OUT     run every scenario below with the
#                                          binary JAHS into the directory OUT
#   tests/pin_journals.sh diff BASE NEW    compare two such directories: every
#                                          journal, .done, .settings, report,
#                                          sweep CSV, importance and DeepCAVE
#                                          file byte for byte (deterministic
#                                          scenarios); the wall-clock ones by
#                                          structure (file list, CSV headers,
#                                          .done keys); exit 1 on a difference
#
# Run from the repository root (the experiment files name tables/paper/...
# relative to it).  The table is $JAHS_TABLE (default
# tables/nb201_cifar100.h5: its path is part of every unit's settings record,
# so both runs must name it alike).  Plots are not written (JAHS_NO_PLOTS).
#
# Scenarios (each in OUT/<name>/):
#   transfer table1 speedup ablation beyond   jahs run experiments/<name>.exp --jobs 2
#   override     --rows ASHA --set seeds=7, then `jahs report` of the directory
#   sweep        jahs sweep ablation.exp, 3 x 2 points, --jobs 2
#   importance deepcave   jahs analyze importance / export deepcave of table1
#   killed       beyond.exp's 4-worker rows killed after 40 journal rows
#                (JAHS_TEST_KILL_AFTER), then the same command again
#   mpi-table1 mpi-sweep   the same under mpirun -np 3 (skipped without MPI)
#   mpi-killed   rank 1 killed after 6 rows, then mpirun again
#   wall-*       the wall clock (structure only): live-smoke.exp --live (real
#                training, ~90 s), a timed synthetic row with 2 workers in one
#                process and, under MPI, on 2 trainer ranks
# live-gpu.exp needs a GPU and is not run here.
set -u

mode=${1:-}
export JAHS_NO_PLOTS=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN="mpirun --oversubscribe --bind-to none --mca btl self,vader"

# The deterministic scenarios (byte-compared) and the wall-clock ones.
EXACT="table1 speedup ablation beyond override sweep importance deepcave killed
       mpi-table1 mpi-sweep mpi-killed"
WALL="wall-live-smoke wall-sleep wall-mpi-sleep"

sleep_exp='name = sleepy
budget_hours = 0.0003
report_hours = 0.0003
seeds = 0
evaluator = synthetic
synthetic = cellhp
[ASHA two workers]
synthetic_sleep = 0.0001
workers = 2
'

have_mpi() {
    "$1" version 2>/dev/null | grep -q '^mpi: ' &&
        ! "$1" version 2>/dev/null | grep -q 'mpi: not built' &&
        command -v mpirun >/dev/null
}

say() { printf 'pin: %s\n' "$*" >&2; }

do_run() {
    local J O st
    J=$(realpath "$1") && mkdir -p "$2" && O=$(realpath "$2") || exit 2
    for x in transfer table1 speedup ablation beyond; do
        say "$x"
        "$J" run "experiments/$x.exp" --jobs 2 --quiet --out "$O/$x" ||
            { say "$x failed"; exit 2; }
    done
    say override
    "$J" run experiments/table1.exp --rows ASHA --set seeds=7 --jobs 2 \
        --quiet --out "$O/override" && "$J" report "$O/override" >/dev/null ||
        { say "override failed"; exit 2; }
    say sweep
    "$J" sweep experiments/ablation.exp --rows "Priors 0.8" --jobs 2 --quiet \
        --set prior_fraction=0,0.5,1 --set confidence=low,high \
        --out "$O/sweep" >/dev/null || { say "sweep failed"; exit 2; }
    say importance
    # (in OUT: importance.md names the run directory as given)
    (cd "$O" && "$J" analyze importance table1 --out importance >/dev/null) ||
        { say "importance failed"; exit 2; }
    say deepcave
    (cd "$O" && "$J" export deepcave table1 deepcave >/dev/null) ||
        { say "deepcave failed"; exit 2; }
    say killed
    JAHS_TEST_KILL_AFTER=40 "$J" run experiments/beyond.exp --rows "4 workers" \
        --jobs 1 --quiet --out "$O/killed" 2>/dev/null
    st=$?
    [ "$st" -ne 0 ] || { say "the killed run was not killed"; exit 2; }
    "$J" run experiments/beyond.exp --rows "4 workers" --jobs 1 --quiet \
        --out "$O/killed" || { say "resume failed"; exit 2; }
    if have_mpi "$J"; then
        say mpi-table1
        $MPIRUN -np 3 "$J" run experiments/table1.exp --quiet \
            --out "$O/mpi-table1" || { say "mpi run failed"; exit 2; }
        say mpi-sweep
        $MPIRUN -np 3 "$J" sweep experiments/ablation.exp --rows "Priors 0.8" \
            --quiet --set prior_fraction=0,0.5,1 --set confidence=low,high \
            --out "$O/mpi-sweep" >/dev/null || { say "mpi sweep failed"; exit 2; }
        say mpi-killed
        JAHS_MPI_RANK0_WORK=0 $MPIRUN -np 1 "$J" run experiments/speedup.exp \
            --quiet --out "$O/mpi-killed" : -np 1 env JAHS_TEST_KILL_AFTER=6 \
            "$J" run experiments/speedup.exp --quiet --out "$O/mpi-killed" \
            >/dev/null 2>&1
        $MPIRUN -np 3 "$J" run experiments/speedup.exp --quiet \
            --out "$O/mpi-killed" || { say "mpi resume failed"; exit 2; }
    else
        say "no MPI in this jahs: the mpi-* scenarios are skipped"
    fi
    say "wall-live-smoke (real training, about 90 s)"
    "$J" run experiments/live-smoke.exp --live --jobs 1 --quiet \
        --out "$O/wall-live-smoke" || { say "live-smoke failed"; exit 2; }
    printf '%s' "$sleep_exp" > "$O/sleepy.exp"
    say wall-sleep
    "$J" run "$O/sleepy.exp" --jobs 1 --quiet --out "$O/wall-sleep" ||
        { say "sleep run failed"; exit 2; }
    if have_mpi "$J"; then
        say wall-mpi-sleep
        $MPIRUN -np 3 "$J" run "$O/sleepy.exp" --quiet \
            --out "$O/wall-mpi-sleep" || { say "mpi sleep run failed"; exit 2; }
    fi
    say "done: $O"
}

# Files of a scenario directory, sorted (plots left out).
files_of() {
    (cd "$1" && find . -type f ! -name '*.svg' ! -name '*.png' ! -name '*.gp' |
        LC_ALL=C sort)
}

# The structure of a wall-clock directory: every file but the checkpoints
# (one per trial and fold: how many depends on the machine's speed), the
# header of every CSV, the keys of every .done.
structure_of() {
    local d=$1 f
    for f in $(files_of "$d" | grep -v '^\./checkpoints/'); do
        echo "== $f"
        case $f in
        *.csv) head -n 1 "$d/$f" ;;
        *.done) sed 's/ = .*//' "$d/$f" ;;
        esac
    done
}

# Files NEW may have and BASE lack, on purpose (checked for existence, not
# content): sweep points record their overrides since issue 12, so `jahs
# report POINT` redoes them (before, a baseline made with an older jahs has
# none).
ALLOW_NEW='sweep/*/overrides.txt mpi-sweep/*/overrides.txt'

allowed_new() {
    local f=$1 pat
    for pat in $ALLOW_NEW; do
        # shellcheck disable=SC2053
        [[ $f == $pat ]] && return 0
    done
    return 1
}

do_diff() {
    local A=$1 B=$2 bad=0 n=0 extra=0 x f fa fb
    for x in $EXACT; do
        if [ ! -d "$A/$x" ] && [ ! -d "$B/$x" ]; then
            continue
        fi
        if [ ! -d "$A/$x" ] || [ ! -d "$B/$x" ]; then
            echo "DIFFER $x: only in one of the two"
            bad=1
            continue
        fi
        fa=$(files_of "$A/$x")
        fb=$(files_of "$B/$x")
        for f in $(printf '%s\n%s\n' "$fa" "$fb" | LC_ALL=C sort -u); do
            if [ ! -f "$B/$x/$f" ]; then
                echo "DIFFER $x/$f: missing in $B"
                bad=1
            elif [ ! -f "$A/$x/$f" ]; then
                if allowed_new "$x/${f#./}"; then
                    extra=$((extra + 1))
                else
                    echo "DIFFER $x/$f: not in $A"
                    bad=1
                fi
            elif cmp -s "$A/$x/$f" "$B/$x/$f"; then
                n=$((n + 1))
            else
                echo "DIFFER $x/$f"
                diff "$A/$x/$f" "$B/$x/$f" | head -10
                bad=1
            fi
        done
        echo "checked $x ($(echo "$fa" | wc -l) files)"
    done
    # MPI gives what one process gives
    for x in table1 sweep; do
        if [ -d "$B/mpi-$x" ]; then
            if diff -r -x '*.svg' -x '*.png' -x '*.gp' "$B/$x" "$B/mpi-$x" \
                >/dev/null; then
                echo "same   mpi-$x = $x"
            else
                echo "DIFFER mpi-$x != $x"
                bad=1
            fi
        fi
    done
    for x in $WALL; do
        [ -d "$A/$x" ] || [ -d "$B/$x" ] || continue
        if [ "$(structure_of "$A/$x" 2>/dev/null)" = \
             "$(structure_of "$B/$x" 2>/dev/null)" ]; then
            echo "same   $x (structure: files, CSV headers, .done keys)"
        else
            echo "DIFFER $x (structure)"
            diff <(structure_of "$A/$x") <(structure_of "$B/$x") | head -20
            bad=1
        fi
    done
    if [ $bad = 0 ]; then
        echo "pin: identical ($n files byte for byte; $extra new files" \
             "allowed: $ALLOW_NEW)"
    else
        echo "pin: DIFFERENCES (above)"
    fi
    return $bad
}

case $mode in
run) [ $# = 3 ] || { echo "usage: $0 run JAHS OUT" >&2; exit 2; }
     do_run "$2" "$3" ;;
diff) [ $# = 3 ] || { echo "usage: $0 diff BASE NEW" >&2; exit 2; }
      do_diff "$2" "$3" ;;
*) sed -n '2,30p' "$0" >&2; exit 2 ;;
esac
