// kiln-dynamic-schedule: the work-sharing loops that convert-scf-to-openmp makes of the
// tasks hand them out one at a time; a loop that already names its schedule keeps it.
// RUN: kiln-opt %s --convert-scf-to-openmp --kiln-dynamic-schedule | FileCheck %s
// (kiln-parallelize.mlir's OMP run checks that kiln-lower-loops-to-llvm includes the pass.)

// CHECK-LABEL: func @tasks
// CHECK: omp.wsloop schedule(dynamic)
func.func @tasks(%buf: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %two = arith.constant 2.0 : f32
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = memref.load %buf[%i] : memref<64xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %buf[%i] : memref<64xf32>
  }
  return
}

// CHECK-LABEL: func @chosen
// CHECK: omp.wsloop schedule(static)
func.func @chosen(%buf: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %two = arith.constant 2.0 : f32
  omp.parallel {
    omp.wsloop schedule(static) {
      omp.loop_nest (%i) : index = (%c0) to (%c64) step (%c1) {
        %v = memref.load %buf[%i] : memref<64xf32>
        %w = arith.mulf %v, %two : f32
        memref.store %w, %buf[%i] : memref<64xf32>
        omp.yield
      }
      omp.terminator
    }
    omp.terminator
  }
  return
}
