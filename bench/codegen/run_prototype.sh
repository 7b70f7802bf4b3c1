#!/bin/sh
# The measured prototype of docs/codegen-plan.md, end to end:
#   1. writes the two ONNX models and shows the linalg kiln makes of them today;
#   2. lowers the NHWC convolution and the 1024^3 matmul three ways: kiln's plain loops
#      (baseline), the transform schedules on one thread, and the same with scf.forall on
#      OpenMP threads; plus kiln's NCHW interface (layout changes around the NHWC kernel);
#   3. measures the FMA peak (bench/fma_peak.c) and times everything in interleaved rounds,
#      printing a table with GFLOP/s and % of the peak of the same thread count.
#
#   bench/codegen/run_prototype.sh [ROUNDS]      (from the repository root, after the build)
#
# Work files go to ${KILN_CODEGEN_OUT:-/tmp/kiln-codegen}. Compiles use one core.
set -eu
rounds=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${KILN_CODEGEN_OUT:-/tmp/kiln-codegen}
bin=/usr/lib/llvm-19/bin
mkdir -p "$out"
cd "$out"

echo "== 1. kiln today: ONNX -> kiln -> linalg"
/usr/bin/python3 "$here/make_models.py" "$out"
for m in conv3x3 matmul1024; do
  "$root/build/bin/kilnc" "$m.onnx" --batch 8 --emit=mlir >"$m.kiln.mlir" 2>/dev/null
  "$root/build/bin/kiln-opt" "$m.kiln.mlir" --kiln-lower-to-linalg >"$m.linalg.mlir"
  echo "-- $m: contraction as kiln lowers it"
  grep -o 'linalg\.\(conv_2d_[a-z_]*\|matmul\)[^{]*' "$m.linalg.mlir" | head -1
done

echo "== 2. lowering (transform schedules via mlir-opt 19)"
lower="$here/lower.sh"
"$lower" "$here/matmul_kernel.mlir" - matmul_loops.o loops
"$lower" "$here/conv_kernel.mlir" - conv_loops.o loops
"$lower" "$here/layout_kernel.mlir" - layout_loops.o loops
for mode in serial omp; do
  "$lower" "$here/matmul_kernel.mlir" "$here/matmul_schedule.mlir" "matmul_$mode.o" "$mode"
  "$lower" "$here/conv_kernel.mlir" "$here/conv_schedule.mlir" "conv_$mode.o" "$mode"
done
libs="-L/usr/lib/llvm-19/lib -Wl,-rpath,/usr/lib/llvm-19/lib -lmlir_c_runner_utils -lm"
"$bin/clang" -O2 -march=native -c "$here/driver.c" -o driver.o
"$bin/clang" driver.o matmul_loops.o conv_loops.o layout_loops.o $libs -o bench_loops
"$bin/clang" driver.o matmul_serial.o conv_serial.o layout_loops.o $libs -o bench_serial
"$bin/clang" driver.o matmul_omp.o conv_omp.o layout_loops.o $libs -lomp -o bench_omp
"$bin/clang" -O3 -march=native -ffp-contract=fast "$root/bench/fma_peak.c" -lpthread -o fma_peak

echo "== 3. timing ($rounds interleaved rounds; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs)"
while [ -e /tmp/kiln-quiet ]; do sleep 15; done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >results.txt
r=1
while [ "$r" -le "$rounds" ]; do
  echo "peak1 $(./fma_peak 1)" >>results.txt
  echo "peak2 $(./fma_peak 2)" >>results.txt
  if [ "$r" -eq 1 ]; then # the plain loops take seconds per call: one round, one call
    echo "loops $(./bench_loops matmul 1)" >>results.txt
    echo "loops $(./bench_loops conv_nhwc 1)" >>results.txt
  fi
  for k in matmul conv_nhwc conv_nchw; do
    echo "t1 $(./bench_serial $k 9)" >>results.txt
    echo "t2 $(OMP_NUM_THREADS=2 ./bench_omp $k 9)" >>results.txt
  done
  r=$((r + 1))
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - results.txt <<'PY'
import statistics, sys
peaks = {"1": [], "2": []}
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0].startswith("peak"):
        peaks[f[0][-1]].append(float(f[2]))
        continue
    kind, kernel = f[0], f[1]
    rows.setdefault((kernel, kind), []).append((float(f[3]), float(f[5])))
p1, p2 = statistics.median(peaks["1"]), statistics.median(peaks["2"])
print(f"FMA peak (median): 1 thread {p1:.1f} GFLOP/s, 2 threads {p2:.1f}")
names = {"loops": "plain loops (kiln today)", "t1": "schedule, 1 thread", "t2": "schedule, 2 threads"}
print(f"{'kernel':10} {'path':26} {'median ms':>10} {'GFLOP/s':>8} {'% peak':>7}")
for (kernel, kind), v in sorted(rows.items()):
    ms = statistics.median(x[0] for x in v)
    g = statistics.median(x[1] for x in v)
    peak = p2 if kind == "t2" else p1
    print(f"{kernel:10} {names[kind]:26} {ms:10.2f} {g:8.1f} {100 * g / peak:6.1f}%")
PY
