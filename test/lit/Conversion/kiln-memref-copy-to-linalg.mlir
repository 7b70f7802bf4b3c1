// Strided copies become linalg.copy, so the artifact never calls MLIR's memrefCopy.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-memref-copy-to-linalg))' | FileCheck %s
// RUN: kiln-opt %s --kiln-lower-loops-to-llvm | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func @copy_into_subview
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3xf32>) outs(%{{.*}} : memref<2x3xf32, strided<[5, 1], offset: 6>>)
// LLVM-NOT: memrefCopy
func.func @copy_into_subview(%src: memref<2x3xf32>, %dst: memref<4x5xf32>) {
  %view = memref.subview %dst[1, 1] [2, 3] [1, 1] : memref<4x5xf32> to memref<2x3xf32, strided<[5, 1], offset: 6>>
  memref.copy %src, %view : memref<2x3xf32> to memref<2x3xf32, strided<[5, 1], offset: 6>>
  return
}
