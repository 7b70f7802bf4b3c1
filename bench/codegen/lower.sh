#!/bin/sh
# Applies a transform schedule to a kernel and lowers it to an object file for this CPU.
#   lower.sh KERNEL.mlir SCHEDULE.mlir OUT.o [serial|omp|loops]
# With "omp", scf.forall becomes an OpenMP parallel loop (link with libomp); "serial" runs the
# forall sequentially on one core; "loops" ignores SCHEDULE and lowers as kiln does today
# (one-shot-bufferize, convert-linalg-to-loops): the baseline.
set -eu
kernel=$1 schedule=$2 out=$3 mode=${4:-serial} # SCHEDULE is unused (-) with loops
bin=/usr/lib/llvm-19/bin
base=${out%.o}
if [ "$mode" = omp ]; then
  par="-convert-scf-to-openmp"; omp_llvm="-convert-openmp-to-llvm"
else
  par=""; omp_llvm=""
fi
if [ "$mode" = loops ]; then
  "$bin/mlir-opt" "$kernel" -one-shot-bufferize -convert-linalg-to-loops -canonicalize -cse \
    -o "$base.sched.mlir"
else
  "$bin/mlir-opt" "$kernel" \
    -transform-preload-library=transform-library-paths="$schedule" -transform-interpreter \
    -canonicalize -cse -o "$base.sched.mlir" 2>"$base.sched.log"
fi
"$bin/mlir-opt" "$base.sched.mlir" \
  -convert-linalg-to-loops -scf-forall-to-parallel $par -lower-affine -expand-strided-metadata -lower-affine \
  -convert-vector-to-scf -convert-vector-to-llvm=enable-x86vector \
  -finalize-memref-to-llvm -convert-scf-to-cf -convert-arith-to-llvm -convert-index-to-llvm \
  -convert-math-to-llvm -convert-func-to-llvm=use-bare-ptr-memref-call-conv \
  -convert-cf-to-llvm $omp_llvm -reconcile-unrealized-casts -o "$base.llvm.mlir"
"$bin/mlir-translate" --mlir-to-llvmir "$base.llvm.mlir" -o "$base.ll"
"$bin/clang" -O3 -march=native -ffp-contract=fast -Wno-override-module -c "$base.ll" -o "$out"
