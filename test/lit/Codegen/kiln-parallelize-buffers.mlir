// kiln-parallelize{buffers}, after bufferization: the data movement bufferization added at the
// top level (a padded input's zero border written as a map, the copy of the input into its
// interior, a fill) splits into tasks along the images, not along the contiguous channels;
// small copies and everything else stay as they are.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-parallelize{buffers}))' | FileCheck %s

// CHECK-LABEL: func @padded_input
// CHECK: scf.forall (%{{.*}}) = (0) to (32) step (2) {
// CHECK: linalg.map outs(%{{.*}} : memref<2x34x34x16xf32, {{.*}}>)
// CHECK: scf.forall (%{{.*}}) = (0) to (32) step (2) {
// CHECK: linalg.copy ins(%{{.*}} : memref<2x32x32x16xf32, {{.*}}>) outs(%{{.*}} : memref<2x32x32x16xf32, {{.*}}>)
func.func @padded_input(%x: memref<32x32x32x16xf32>, %padded: memref<32x34x34x16xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.map outs(%padded : memref<32x34x34x16xf32>)
    () {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %padded[0, 1, 1, 0] [32, 32, 32, 16] [1, 1, 1, 1] : memref<32x34x34x16xf32> to memref<32x32x32x16xf32, strided<[18496, 544, 16, 1], offset: 560>>
  linalg.copy ins(%x : memref<32x32x32x16xf32>) outs(%interior : memref<32x32x32x16xf32, strided<[18496, 544, 16, 1], offset: 560>>)
  return
}

// CHECK-LABEL: func @fill
// CHECK: scf.forall
// CHECK: linalg.fill {{.*}} outs(%{{.*}} : memref<2x16x16x64xf32, {{.*}}>)
func.func @fill(%out: memref<32x16x16x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<32x16x16x64xf32>)
  return
}

// A filter's copy is too small to fork for; an elementwise op on buffers is not data movement.
// CHECK-LABEL: func @left_alone
// CHECK-NOT: scf.forall
// CHECK: linalg.copy
// CHECK: linalg.generic
func.func @left_alone(%w: memref<16x16x3x3xf32>, %c: memref<16x16x3x3xf32>, %x: memref<32x32x32x16xf32>) {
  linalg.copy ins(%w : memref<16x16x3x3xf32>) outs(%c : memref<16x16x3x3xf32>)
  linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%x : memref<32x32x32x16xf32>) {
  ^bb0(%o: f32):
    %n = arith.negf %o : f32
    linalg.yield %n : f32
  }
  return
}
