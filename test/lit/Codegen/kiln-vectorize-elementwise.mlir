// kiln-vectorize-elementwise: a layout change becomes 16x16 blocks transposed in registers,
// a broadcast and an elementwise op become one-vector blocks along the written dimension, a
// 3-channel transpose (blocks shorter than 4) is left to LLVM.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-vectorize-elementwise{vector-bits=512}),canonicalize,cse)' | FileCheck %s
// On AVX2 the blocks are 8 wide and MLIR's AVX2 sequence transposes them: unpacks and
// shuffles of 8-float rows, blends, 128-bit lane permutes (one 64-float shuffle made LLVM
// load each element on its own).
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-vectorize-elementwise{vector-bits=256}),canonicalize,cse)' | FileCheck %s --check-prefix=AVX2

// CHECK-LABEL: func.func @nchw_to_nhwc
// CHECK: scf.for {{.*}} to %c32 step %c16
// CHECK: vector.transfer_read %{{.*}} : tensor<2x32x8x16xf32>, vector<1x16x1x16xf32>
// CHECK-COUNT-64: vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// CHECK-NOT: vector.shuffle
// CHECK: vector.transfer_write %{{.*}} : vector<1x1x16x16xf32>, tensor<2x8x16x32xf32>
// CHECK-NOT: linalg.transpose
// AVX2-LABEL: func.func @nchw_to_nhwc
// AVX2: vector.transfer_read %{{.*}} : tensor<2x32x8x16xf32>, vector<1x8x1x8xf32>
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [0, 8, 1, 9, 4, 12, 5, 13] : vector<8xf32>, vector<8xf32>
// AVX2: llvm.inline_asm asm_dialect = intel "vblendps
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 8, 9, 10, 11] : vector<8xf32>, vector<8xf32>
// AVX2-NOT: vector<64xf32>
// AVX2: vector.transfer_write %{{.*}} : vector<1x1x8x8xf32>, tensor<2x8x16x32xf32>
func.func @nchw_to_nhwc(%x: tensor<2x32x8x16xf32>) -> tensor<2x8x16x32xf32> {
  %e = tensor.empty() : tensor<2x8x16x32xf32>
  %t = linalg.transpose ins(%x : tensor<2x32x8x16xf32>) outs(%e : tensor<2x8x16x32xf32>) permutation = [0, 2, 3, 1]
  return %t : tensor<2x8x16x32xf32>
}

// A bias broadcast along the channels (a convolution's initial value).
// CHECK-LABEL: func.func @bias
// CHECK: vector.transfer_read %{{.*}} : tensor<16xf32>, vector<16xf32>
// CHECK: vector.broadcast %{{.*}} : vector<16xf32> to vector<1x1x1x16xf32>
// CHECK: vector.transfer_write %{{.*}} : vector<1x1x1x16xf32>, tensor<2x8x16x16xf32>
// CHECK-NOT: linalg.generic
func.func @bias(%b: tensor<16xf32>) -> tensor<2x8x16x16xf32> {
  %e = tensor.empty() : tensor<2x8x16x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<16xf32>) outs(%e : tensor<2x8x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x8x16x16xf32>
  return %r : tensor<2x8x16x16xf32>
}

// CHECK-LABEL: func.func @add
// CHECK-COUNT-2: vector.transfer_read %{{.*}} : tensor<2x32x8x16xf32>, vector<1x1x1x16xf32>
// CHECK: arith.addf %{{.*}}, %{{.*}} : vector<1x1x1x16xf32>
// CHECK: vector.transfer_write
func.func @add(%x: tensor<2x32x8x16xf32>, %y: tensor<2x32x8x16xf32>) -> tensor<2x32x8x16xf32> {
  %e = tensor.empty() : tensor<2x32x8x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %y : tensor<2x32x8x16xf32>, tensor<2x32x8x16xf32>) outs(%e : tensor<2x32x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x32x8x16xf32>
  return %r : tensor<2x32x8x16xf32>
}

// CHECK-LABEL: func.func @image_channels
// CHECK: linalg.transpose
// CHECK-NOT: vector.
func.func @image_channels(%img: tensor<2x3x8x8xf32>) -> tensor<2x8x8x3xf32> {
  %e = tensor.empty() : tensor<2x8x8x3xf32>
  %t = linalg.transpose ins(%img : tensor<2x3x8x8xf32>) outs(%e : tensor<2x8x8x3xf32>) permutation = [0, 2, 3, 1]
  return %t : tensor<2x8x8x3xf32>
}

// A reduction is not elementwise: left alone.
// CHECK-LABEL: func.func @row_sums
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @row_sums(%x: tensor<32x16xf32>, %init: tensor<32xf32>) -> tensor<32xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<32x16xf32>) outs(%init : tensor<32xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<32xf32>
  return %r : tensor<32xf32>
}

// A per-channel statistic that every pixel reads through size-1 dimensions (batch norm's
// mean as [C, 1, 1]) is read collapsed to [C], so that the op vectorizes along the channels.
// CHECK-LABEL: func.func @centred
// CHECK: %[[MEAN:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2]] : tensor<16x1x1xf32> into tensor<16xf32>
// CHECK: vector.transfer_read %[[MEAN]]{{.*}} : tensor<16xf32>, vector<16xf32>
// CHECK: arith.subf %{{.*}}, %{{.*}} : vector<1x1x1x16xf32>
// CHECK-NOT: linalg.generic
func.func @centred(%x: tensor<2x4x5x16xf32>, %mean: tensor<16x1x1xf32>) -> tensor<2x4x5x16xf32> {
  %e = tensor.empty() : tensor<2x4x5x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (c, 0, 0)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %mean : tensor<2x4x5x16xf32>, tensor<16x1x1xf32>) outs(%e : tensor<2x4x5x16xf32>) {
  ^bb0(%a: f32, %m: f32, %out: f32):
    %d = arith.subf %a, %m : f32
    linalg.yield %d : f32
  } -> tensor<2x4x5x16xf32>
  return %r : tensor<2x4x5x16xf32>
}

// Per-image, per-channel sums of a channels-last tensor (kiln-parallelize's partial sums): the
// channels are contiguous in the input and in the sums, so each step of the reduced loops adds
// one input vector.
// CHECK-LABEL: func.func @channel_sums_nhwc
// CHECK: scf.for
// CHECK: %[[X:.*]] = vector.transfer_read %{{.*}} : tensor<2x4x5x16xf32>, vector<1x1x1x16xf32>
// CHECK: %[[SUM:.*]] = vector.transfer_read %{{.*}} : tensor<2x16xf32>, vector<1x16xf32>
// CHECK: %[[ROW:.*]] = vector.shape_cast %[[X]] : vector<1x1x1x16xf32> to vector<1x16xf32>
// CHECK: arith.addf %[[SUM]], %[[ROW]] : vector<1x16xf32>
// CHECK-NOT: vector.extract
// CHECK: vector.transfer_write %{{.*}} : vector<1x16xf32>, tensor<2x16xf32>
// CHECK-NOT: linalg.generic
func.func @channel_sums_nhwc(%x: tensor<2x4x5x16xf32>, %init: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, h, w, c)>, affine_map<(n, c, h, w) -> (n, c)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x : tensor<2x4x5x16xf32>) outs(%init : tensor<2x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<2x16xf32>
  return %r : tensor<2x16xf32>
}
