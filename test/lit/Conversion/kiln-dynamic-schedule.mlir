// kiln-dynamic-schedule: the threads of a parallel region take the tasks of its work-sharing
// loop one at a time from a counter they share (an atomic add on a counter the function
// allocates and zeroes before the region), not through libomp's dispatcher; each task number
// becomes the loop's induction variables again, the last dimension fastest (@tasks_2d). A
// loop that already names its schedule keeps it (@chosen); one the threads cannot schedule
// themselves (here: in a nested parallel region, whose threads would share one counter)
// gets libomp's schedule(dynamic) (@nested).
// RUN: kiln-opt %s --convert-scf-to-openmp --kiln-dynamic-schedule | FileCheck %s
// It lowers with the rest of the pipeline (memrefs before scf, as kiln-lower-loops-to-llvm):
// RUN: kiln-opt %s --convert-scf-to-openmp --kiln-dynamic-schedule --finalize-memref-to-llvm --convert-scf-to-cf --convert-arith-to-llvm --convert-index-to-llvm --convert-func-to-llvm --convert-openmp-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM
// (kiln-parallelize.mlir's OMP run checks that kiln-lower-loops-to-llvm includes the pass.)

// CHECK-LABEL: func @tasks
// CHECK: %[[COUNTER:.*]] = memref.alloca() : memref<i64>
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: memref.store %[[ZERO]], %[[COUNTER]][] : memref<i64>
// CHECK: omp.parallel {
// CHECK-NOT: omp.wsloop
// CHECK: ^[[HEAD:bb[0-9]+]]:
// CHECK: %[[TAKEN:.*]] = memref.atomic_rmw addi %{{.*}}, %[[COUNTER]][] : (i64, memref<i64>) -> i64
// CHECK: %[[TASK:.*]] = arith.index_cast %[[TAKEN]] : i64 to index
// CHECK: %[[MORE:.*]] = arith.cmpi slt, %[[TASK]], %{{.*}} : index
// CHECK: cf.cond_br %[[MORE]], ^[[BODY:bb[0-9]+]](%[[TASK]] : index), ^[[EXIT:bb[0-9]+]]
// CHECK: ^[[BODY]](%[[I:.*]]: index):
// CHECK: memref.load %{{.*}}[%{{.*}}] : memref<64xf32>
// CHECK: cf.br ^[[HEAD]]
// CHECK: ^[[EXIT]]:
// CHECK-NEXT: omp.terminator
// LLVM-LABEL: llvm.func @tasks
// LLVM: omp.parallel
// LLVM: llvm.atomicrmw add
// LLVM-NOT: omp.wsloop
// LLVM-LABEL: llvm.func @tasks_2d
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

// 8 x 3 tasks, the loop's second dimension from 1 to 6 by 2: the task number splits into
// (number / 3, number mod 3), and the second induction variable is 1 + 2 * (number mod 3).
// CHECK-LABEL: func @tasks_2d
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK: %[[ROWS:.*]] = arith.ceildivsi %{{.*}}, %[[C1]] : index
// CHECK: %[[ROWS_:.*]] = arith.maxsi %[[ROWS]], %{{.*}} : index
// CHECK: %[[COLS:.*]] = arith.ceildivsi %{{.*}}, %[[C2]] : index
// CHECK: %[[COLS_:.*]] = arith.maxsi %[[COLS]], %{{.*}} : index
// CHECK: %[[TOTAL:.*]] = arith.muli %[[ROWS_]], %[[COLS_]] : index
// CHECK: omp.parallel {
// CHECK: arith.cmpi slt, %{{.*}}, %[[TOTAL]] : index
// CHECK: ^{{.*}}(%[[T:.*]]: index):
// CHECK: %[[COL:.*]] = arith.remui %[[T]], %[[COLS_]] : index
// CHECK: %[[ROW:.*]] = arith.divui %[[T]], %[[COLS_]] : index
// CHECK: %[[COL_OFFSET:.*]] = arith.muli %[[COL]], %[[C2]] : index
// CHECK: %[[J:.*]] = arith.addi %[[C1]], %[[COL_OFFSET]] : index
// CHECK: %[[ROW_OFFSET:.*]] = arith.muli %[[ROW]], %[[C1]] : index
// CHECK: %[[I:.*]] = arith.addi %{{.*}}, %[[ROW_OFFSET]] : index
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]] : memref<8x7xf32>
func.func @tasks_2d(%buf: memref<8x7xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c6 = arith.constant 6 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c1) to (%c8, %c6) step (%c1, %c2) {
    memref.store %zero, %buf[%i, %j] : memref<8x7xf32>
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

// CHECK-LABEL: func @nested
// CHECK: omp.parallel {
// CHECK: omp.parallel {
// CHECK: omp.wsloop schedule(dynamic)
func.func @nested(%buf: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %two = arith.constant 2.0 : f32
  omp.parallel {
    omp.parallel {
      omp.wsloop {
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
    omp.terminator
  }
  return
}
