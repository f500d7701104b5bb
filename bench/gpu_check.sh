#!/usr/bin/env bash
# gpu_check.sh - the GPU backend's whole check in ONE call on a GPU machine
# (H100 / H200, sm_90; ../shared/DEVICE.md), a few minutes:
#   1. the machine: GPU, driver, libraries the binaries need;
#   2. the GPU tests (jahs-test -t gpu): every GPU operation against the CPU
#      reference at fp32 and bf16, the augmented batch bit for bit, training
#      runs against the CPU, graphs = eager, resume, two trials at once;
#   3. bench_gpu: images/s of the training step at batch 256, NB201 best
#      cell C=16 N=5 3 stages and C=64 N=3 2 stages, fp32 and bf16, pools;
#   4. bench/torch_ref.py, when a python3 with torch is found: PyTorch on the
#      same network and step (eager fp32, compiled fp32, compiled bf16
#      channels_last), peak memory;
#   5. a table of 3 and 4 side by side, last.
#
# Usage (from the repository root, after `make gpu-bundle` here):
#     bash build/gpu-bundle/gpu_check.sh        # or bench/gpu_check.sh
# Environment: JAHS_BUNDLE (the folder with jahs, jahs-test, bench_gpu;
# default: this script's folder, else build/gpu-bundle), TORCH_PYTHON (a
# python with torch), TORCH_MODES (torch_ref.py --modes), OUT (a folder for
# the logs; default a temporary one).  Exit status: 0 when the tests
# passed and the benchmark ran, 1 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
B=${JAHS_BUNDLE:-$here}
[ -x "$B/jahs" ] || B=$(pwd)/build/gpu-bundle
REF=$here/torch_ref.py
[ -f "$REF" ] || REF=$(pwd)/bench/torch_ref.py
LOG=${OUT:-$(mktemp -d)}
mkdir -p "$LOG"
status=0
say() { printf '\n== %s\n' "$*"; }

# A python with torch: $TORCH_PYTHON, python3, or a virtual environment.
PY=
for p in ${TORCH_PYTHON:-} python3 $(ls -d /opt/*/bin/python3 /opt/*/*/bin/python3 \
        /root/*/bin/python3 /workspace/*/bin/python3 /venv/bin/python3 \
        "$HOME"/*/bin/python3 "$HOME"/.venv*/bin/python3 2>/dev/null); do
    if "$p" -c 'import torch' >/dev/null 2>&1; then PY=$p; break; fi
done

# Libraries: CUDA 13's runtime and the system's cuDNN (9.14 there), or the
# cuDNN 9.19 inside the torch environment when there is one (the version
# the binaries were built against).
LIBS=/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu
if [ -n "$PY" ]; then
    cudnn=$("$PY" -c 'import os, nvidia.cudnn as c; print(os.path.join(list(c.__path__)[0], "lib"))' 2>/dev/null)
    [ -n "$cudnn" ] && [ -e "$cudnn/libcudnn.so.9" ] && LIBS=$cudnn:$LIBS
fi
export LD_LIBRARY_PATH=$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

say "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | head -4
echo "bundle: $B"
echo "python with torch: ${PY:-none}"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
missing=$(ldd "$B/jahs" "$B/jahs-test" "$B/bench_gpu" 2>&1 | grep 'not found' | sort -u)
if [ -n "$missing" ]; then
    echo "missing libraries:"; echo "$missing"
    exit 1
fi
"$B/jahs" version

say "GPU tests (jahs-test -t gpu)"
( cd "$LOG" && JAHS_BIN="$B/jahs" JAHS_QUIET=1 timeout 420 "$B/jahs-test" -t gpu ) \
    > "$LOG/tests.log" 2>&1
trc=$?
grep -v '^ok ' "$LOG/tests.log" | tail -40
grep -c '^ok ' "$LOG/tests.log" | sed 's/$/ tests ok/'
if [ $trc -ne 0 ] || grep -q '^skip ' "$LOG/tests.log"; then
    echo "GPU TESTS: FAILED or SKIPPED (exit $trc)"; status=1
else
    echo "GPU TESTS: passed"
fi

say "bench_gpu"
timeout 300 "$B/bench_gpu" 2>&1 | tee "$LOG/bench.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

if [ -n "$PY" ]; then
    say "PyTorch reference (bench/torch_ref.py)"
    timeout 420 "$PY" "$REF" ${TORCH_MODES:+--modes "$TORCH_MODES"} 2>&1 \
        | grep -v -i 'warn' | tee "$LOG/torch.log"
else
    say "PyTorch reference: skipped (no python3 with torch)"
    : > "$LOG/torch.log"
fi

say "summary: images/s at batch 256 (peak MB); jahs pools include its cuDNN workspace"
awk '
/^RESULT/ { v[$2 " " $3 " " $4] = $5; m[$2 " " $3 " " $4] = $6; nets[$3] = 1 }
function cell(k) { return (k in v) ? sprintf("%7d (%5d)", v[k], m[k]) : sprintf("%15s", "-") }
END {
    printf "%-8s %15s %15s %15s %15s %15s %8s %8s\n", "network", "jahs fp32", "jahs bf16",
        "torch eager32", "torch comp32", "torch comp-bf16", "fp32 x", "bf16 x"
    for (n in nets) {
        r32 = "-"; r16 = "-"
        if (("torch " n " compiled-fp32") in v && ("jahs " n " fp32") in v)
            r32 = sprintf("%.2f", v["jahs " n " fp32"] / v["torch " n " compiled-fp32"])
        if (("torch " n " compiled-bf16-cl") in v && ("jahs " n " bf16") in v)
            r16 = sprintf("%.2f", v["jahs " n " bf16"] / v["torch " n " compiled-bf16-cl"])
        printf "%-8s %s %s %s %s %s %8s %8s\n", n, cell("jahs " n " fp32"), cell("jahs " n " bf16"),
            cell("torch " n " eager-fp32"), cell("torch " n " compiled-fp32"),
            cell("torch " n " compiled-bf16-cl"), r32, r16
    }
}' "$LOG/bench.log" "$LOG/torch.log"
echo "(fp32 x: jahs fp32 / torch compiled fp32; bf16 x: jahs bf16 / torch compiled bf16 channels_last;"
echo " targets: fp32 x >= 1, bf16 x >= 1.2.  Logs: $LOG)"
exit $status
