// kiln-codegen-contractions tiles convolutions and matmuls for registers and vectorizes the
// tiles; the sizes follow the vector width (compiler/Codegen/CpuTarget.cpp).
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-codegen-contractions{vector-bits=256}))' | FileCheck %s --check-prefix=AVX2
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-codegen-contractions{vector-bits=512}))' | FileCheck %s --check-prefix=AVX512

// With 256-bit vectors: 2 pixels x 32 channels (8 ymm accumulators), 32 input channels per step.
// The tile covers half of the 64 output channels, so the filter is packed first, each block of
// 32 output channels contiguous ([2, KH, KW, C, 32]), and each block's tiles read their block.
// With 512-bit vectors: 4 pixels x 64 channels (16 zmm accumulators), 16 input channels per step
// (a step unrolls to at most 256 FMAs); the tile spans all output channels: no packing.
// AVX2-LABEL: func @conv
// AVX2: %[[BLOCKED:.*]] = tensor.expand_shape %arg1 {{\[}}[0], [1], [2], [3, 4]] {{.*}} into tensor<3x3x64x2x32xf32>
// AVX2: %[[PACKED:.*]] = linalg.transpose ins(%[[BLOCKED]] {{.*}} outs({{.*}} : tensor<2x3x3x64x32xf32>) permutation = [3, 0, 1, 2, 4]
// AVX2: scf.for %[[BLOCK:.*]] = %c0 to %c64 step %c32
// AVX2: scf.for {{.*}} step %c2
// AVX2: scf.for {{.*}} step %c32
// AVX2: %[[INDEX:.*]] = affine.apply #{{.*}}(%[[BLOCK]])
// AVX2: vector.transfer_read %[[PACKED]][%[[INDEX]],
// AVX2: vector.contract {{.*}} : vector<1x2x32xf32>, vector<32x32xf32> into vector<1x2x32xf32>
// AVX2-NOT: linalg.conv
// AVX512-LABEL: func @conv
// AVX512-NOT: linalg.transpose
// AVX512: vector.contract {{.*}} : vector<1x4x16xf32>, vector<16x64xf32> into vector<1x4x64xf32>
func.func @conv(%x: tensor<2x10x10x64xf32>, %w: tensor<3x3x64x64xf32>) -> tensor<2x8x8x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x8x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%init : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  return %y : tensor<2x8x8x64xf32>
}

// -----

// 32 output channels on AVX-512: 16 pixels x one vector rather than 8 pixels x two (the
// same 16 accumulators; with two vectors LLVM kept each broadcast in a register and
// spilled), so the filter is packed in blocks of 16 channels; AVX2 takes 2 pixels x 32.
// AVX2-LABEL: func @conv_32_channels
// AVX2: vector.contract {{.*}} : vector<1x2x32xf32>, vector<32x32xf32> into vector<1x2x32xf32>
// AVX512-LABEL: func @conv_32_channels
// AVX512: linalg.transpose ins({{.*}} : tensor<3x3x32x2x16xf32>) outs({{.*}} : tensor<2x3x3x32x16xf32>)
// AVX512: vector.contract {{.*}} : vector<1x16x16xf32>, vector<16x16xf32> into vector<1x16x16xf32>
func.func @conv_32_channels(%x: tensor<1x18x18x32xf32>, %w: tensor<3x3x32x32xf32>) -> tensor<1x16x16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x16x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x18x18x32xf32>, tensor<3x3x32x32xf32>) outs(%init : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  return %y : tensor<1x16x16x32xf32>
}

// -----

// 16 output channels with 256-bit vectors take 4 pixels x two vectors (8 ymm accumulators)
// rather than 8 pixels x one: without broadcast operands every row costs a broadcast
// instruction, and the wider block halves them per FMA. The tile spans all 16 channels: no
// packing. With 512-bit vectors, 16 pixels x one vector.
// AVX2-LABEL: func @conv_16_channels
// AVX2-NOT: linalg.transpose
// AVX2: vector.contract {{.*}} : vector<1x4x16xf32>, vector<16x16xf32> into vector<1x4x16xf32>
// AVX512-LABEL: func @conv_16_channels
// AVX512: vector.contract {{.*}} : vector<1x16x16xf32>, vector<16x16xf32> into vector<1x16x16xf32>
func.func @conv_16_channels(%x: tensor<2x34x34x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<2x32x32x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x32x32x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x32x32x16xf32>) -> tensor<2x32x32x16xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x34x34x16xf32>, tensor<3x3x16x16xf32>) outs(%init : tensor<2x32x32x16xf32>) -> tensor<2x32x32x16xf32>
  return %y : tensor<2x32x32x16xf32>
}

// -----

// A filter gradient ([C, H, W, N] input, [OH, OW, N, F] gradient as the filter): its rows
// are the filter's 3 columns, so the tile also spans "images" (the forward's input
// channels) to fill the accumulators: 4 x 3 x 16 on AVX-512, 2 x 3 x 16 on AVX2 (12 ymm).
// AVX2-LABEL: func @filter_gradient
// AVX2: vector.contract {{.*}} : vector<2x3x16xf32>, vector<16x16xf32> into vector<2x3x16xf32>
// AVX512-LABEL: func @filter_gradient
// AVX512: vector.contract {{.*}} : vector<4x3x16xf32>, vector<16x16xf32> into vector<4x3x16xf32>
func.func @filter_gradient(%x: tensor<8x10x10x16xf32>, %dy: tensor<8x8x16x16xf32>) -> tensor<8x3x3x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x3x3x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x3x3x16xf32>) -> tensor<8x3x3x16xf32>
  %dw = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %dy : tensor<8x10x10x16xf32>, tensor<8x8x16x16xf32>) outs(%init : tensor<8x3x3x16xf32>) -> tensor<8x3x3x16xf32>
  return %dw : tensor<8x3x3x16xf32>
}

// -----

// An odd output width (7) takes a 7 x 8 block on AVX2. With stride 2 the vectorizer gives
// one contraction per output pixel of the block (the input pixels are not contiguous).
// AVX512 has no vector that divides 8 channels: plain loops.
// AVX2-LABEL: func @conv_odd_width_strided
// AVX2: scf.for {{.*}} to %c7 step %c7
// AVX2-COUNT-7: vector.contract {{.*}} : vector<1x1x16xf32>, vector<16x8xf32> into vector<1x1x8xf32>
// AVX2-NOT: linalg.conv
// AVX512-LABEL: func @conv_odd_width_strided
// AVX512: linalg.conv_2d_nhwc_hwcf
func.func @conv_odd_width_strided(%x: tensor<1x15x15x16xf32>, %w: tensor<3x3x16x8xf32>) -> tensor<1x7x7x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x7x7x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x7x7x8xf32>) -> tensor<1x7x7x8xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x15x15x16xf32>, tensor<3x3x16x8xf32>) outs(%init : tensor<1x7x7x8xf32>) -> tensor<1x7x7x8xf32>
  return %y : tensor<1x7x7x8xf32>
}

// -----

// Output channels that no vector divides stay for the plain-loop lowering.
// AVX2-LABEL: func @conv_left_alone
// AVX2-NOT: vector.
// AVX2: linalg.conv_2d_nhwc_hwcf
func.func @conv_left_alone(%x: tensor<1x6x6x4xf32>, %w: tensor<3x3x4x3xf32>, %init: tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xf32> {
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x6x6x4xf32>, tensor<3x3x4x3xf32>) outs(%init : tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xf32>
  return %y : tensor<1x4x4x3xf32>
}

// -----

// Two convolutions of one filter (kiln-parallelize's tasks view it through full slices) share
// one packed copy, made where the filter is defined, outside the tasks.
// AVX2-LABEL: func @conv_shared_filter
// AVX2-COUNT-1: linalg.transpose
// AVX2-NOT: linalg.transpose
func.func @conv_shared_filter(%x: tensor<1x6x6x16xf32>, %w: tensor<3x3x16x64xf32>, %a: tensor<1x4x4x64xf32>, %b: tensor<1x4x4x64xf32>) -> (tensor<1x4x4x64xf32>, tensor<1x4x4x64xf32>) {
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x6x6x16xf32>, tensor<3x3x16x64xf32>) outs(%a : tensor<1x4x4x64xf32>) -> tensor<1x4x4x64xf32>
  %z = scf.forall (%i) in (1) shared_outs(%out = %b) -> (tensor<1x4x4x64xf32>) {
    %view = tensor.extract_slice %w[0, 0, 0, 0] [3, 3, 16, 64] [1, 1, 1, 1] : tensor<3x3x16x64xf32> to tensor<3x3x16x64xf32>
    %t = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %view : tensor<1x6x6x16xf32>, tensor<3x3x16x64xf32>) outs(%out : tensor<1x4x4x64xf32>) -> tensor<1x4x4x64xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %out[0, 0, 0, 0] [1, 4, 4, 64] [1, 1, 1, 1] : tensor<1x4x4x64xf32> into tensor<1x4x4x64xf32>
    }
  }
  return %y, %z : tensor<1x4x4x64xf32>, tensor<1x4x4x64xf32>
}

// -----

// A starting value computed in the task (a bias broadcast that kiln-parallelize moved there)
// is computed per register tile, in registers: the accumulators start from the bias read as
// a vector and are carried through the reduction loops; the output tile is written once,
// after them (not written with the bias first and read back).
// AVX2-LABEL: func @conv_bias_start
// AVX512-LABEL: func @conv_bias_start
// AVX512: scf.for {{.*}} step %c4
// AVX512-NOT: linalg.generic
// AVX512: %[[BIAS:.*]] = vector.transfer_read %{{.*}} : tensor<64xf32>, vector<1x1x4x64xf32>
// AVX512: %[[START:.*]] = vector.shape_cast %[[BIAS]] : vector<1x1x4x64xf32> to vector<1x4x64xf32>
// AVX512-NOT: vector.transfer_write
// AVX512: scf.for {{.*}} iter_args(%{{.*}} = %[[START]]) -> (vector<1x4x64xf32>)
// AVX512-NOT: vector.transfer_write
// AVX512: vector.contract
// AVX512-COUNT-3: scf.yield {{.*}} : vector<1x4x64xf32>
// AVX512: vector.transfer_write {{.*}} : vector<1x4x64xf32>, tensor<1x8x8x64xf32>
// AVX512-NOT: vector.transfer_write
// AVX512: return
#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#whole = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @conv_bias_start(%x: tensor<1x10x10x64xf32>, %w: tensor<3x3x64x64xf32>, %b: tensor<64xf32>, %out: tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32> {
  %start = linalg.generic {indexing_maps = [#bias, #whole], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<64xf32>) outs(%out : tensor<1x8x8x64xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  } -> tensor<1x8x8x64xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%start : tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32>
  return %y : tensor<1x8x8x64xf32>
}

// -----

// The elementwise op kiln-parallelize left after a convolution, updating its result in place
// (a residual add and ReLU), is applied to each register tile's accumulators before the tile
// is written: the residual is read where the tile writes (the channel block's offset added),
// and no op is left after the nest. A scale per channel (not read through the identity map)
// stays a separate op.
// AVX2-LABEL: func @conv_residual_epilogue
// AVX2: scf.for %[[BLOCK:.*]] = %c0 to %c64 step %c32
// AVX2: %[[ACC:.*]] = scf.for {{.*}} -> (vector<1x2x32xf32>)
// AVX2: scf.yield
// AVX2: %[[CH:.*]] = affine.apply #{{.*}}(%[[BLOCK]])
// AVX2: %[[SKIP:.*]] = vector.transfer_read %arg2[{{.*}}, %[[CH]]]{{.*}} : tensor<1x8x8x64xf32>, vector<1x2x32xf32>
// AVX2: %[[SUM:.*]] = arith.addf %[[ACC]], %[[SKIP]] : vector<1x2x32xf32>
// AVX2: %[[ZERO:.*]] = vector.broadcast %{{.*}} : f32 to vector<1x2x32xf32>
// AVX2: %[[RELU:.*]] = arith.maximumf %[[SUM]], %[[ZERO]] : vector<1x2x32xf32>
// AVX2: vector.transfer_write %[[RELU]]
// AVX2-NOT: linalg.generic
// AVX2: return
// AVX2-LABEL: func @conv_channel_scale_stays
// AVX2: scf.for
// AVX2: linalg.generic
// AVX2: arith.mulf
#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#whole = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @conv_residual_epilogue(%x: tensor<1x10x10x64xf32>, %w: tensor<3x3x64x64xf32>, %skip: tensor<1x8x8x64xf32>, %out: tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32> {
  %zero = arith.constant 0.0 : f32
  %start = linalg.fill ins(%zero : f32) outs(%out : tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%start : tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32>
  %r = linalg.generic {indexing_maps = [#whole, #whole], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%skip : tensor<1x8x8x64xf32>) outs(%y : tensor<1x8x8x64xf32>) {
  ^bb0(%s: f32, %acc: f32):
    %sum = arith.addf %acc, %s : f32
    %relu = arith.maximumf %sum, %zero : f32
    linalg.yield %relu : f32
  } -> tensor<1x8x8x64xf32>
  return %r : tensor<1x8x8x64xf32>
}

func.func @conv_channel_scale_stays(%x: tensor<1x10x10x64xf32>, %w: tensor<3x3x64x64xf32>, %scale: tensor<64xf32>, %out: tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32> {
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%out : tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32>
  %r = linalg.generic {indexing_maps = [#bias, #whole], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%scale : tensor<64xf32>) outs(%y : tensor<1x8x8x64xf32>) {
  ^bb0(%s: f32, %acc: f32):
    %m = arith.mulf %acc, %s : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x64xf32>
  return %r : tensor<1x8x8x64xf32>
}

// -----

// A large matmul packs B in blocks of the register tile's columns ([N / 16, K, 16]), then
// loops over ranges of 256 k, the blocks, ranges of 256 rows and 4 x 16 register tiles, k = 1;
// each block reads its range of k from the packed B.
// AVX2-LABEL: func @matmul
// AVX2: %[[BLOCKED:.*]] = tensor.expand_shape %arg1 {{\[}}[0], [1, 2]] {{.*}} into tensor<512x32x16xf32>
// AVX2: %[[PACKED:.*]] = linalg.transpose ins(%[[BLOCKED]] : {{.*}}) outs({{.*}} : tensor<32x512x16xf32>) permutation = [1, 0, 2]
// AVX2: scf.for %[[K0:.*]] = %c0 to %c512 step %c256
// AVX2: scf.for %[[N0:.*]] = %c0 to %c512 step %c16
// AVX2: scf.for {{.*}} step %c256
// AVX2: scf.for {{.*}} step %c4
// AVX2: scf.for {{.*}} step %c16
// AVX2: scf.for {{.*}} step %c1
// AVX2: vector.transfer_read %[[PACKED]]
// AVX2: vector.contract {{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// AVX2-NOT: linalg.matmul
// AVX512-LABEL: func @matmul
// AVX512: tensor<16x512x32xf32>
// AVX512: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
func.func @matmul(%a: tensor<512x512xf32>, %b: tensor<512x512xf32>, %c: tensor<512x512xf32>) -> tensor<512x512xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<512x512xf32>, tensor<512x512xf32>) outs(%c : tensor<512x512xf32>) -> tensor<512x512xf32>
  return %y : tensor<512x512xf32>
}

// -----

// A filter gradient's k (pixels) that 256 does not divide: ranges of 224 (448 = 2 x 224).
// AVX2-LABEL: func @long_k
// AVX2: linalg.transpose {{.*}} outs({{.*}} : tensor<4x448x16xf32>)
// AVX2: scf.for {{.*}} = %c0 to %c448 step %c224
// AVX2: vector.contract {{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
func.func @long_k(%a: tensor<32x448xf32>, %b: tensor<448x64xf32>, %c: tensor<32x64xf32>) -> tensor<32x64xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<32x448xf32>, tensor<448x64xf32>) outs(%c : tensor<32x64xf32>) -> tensor<32x64xf32>
  return %y : tensor<32x64xf32>
}

// -----

// A classifier's matmul (batch 8 x 2048 -> 1000 classes): 1000 is a multiple of 8 but not of
// 16, so the block is 8 x 8.
// AVX2-LABEL: func @classifier
// AVX2: vector.contract {{.*}} : vector<8x1xf32>, vector<1x8xf32> into vector<8x8xf32>
func.func @classifier(%a: tensor<8x2048xf32>, %b: tensor<2048x1000xf32>, %c: tensor<8x1000xf32>) -> tensor<8x1000xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<8x2048xf32>, tensor<2048x1000xf32>) outs(%c : tensor<8x1000xf32>) -> tensor<8x1000xf32>
  return %y : tensor<8x1000xf32>
}

// -----

// Tasks over blocks of B's columns (a global Winograd matmul's filter) read one packed copy of
// all of B, made outside the tasks, at their block's index: each task's columns start at a
// multiple of the packed block (16).
// AVX2-LABEL: func @column_tasks
// AVX2: %[[PACKED:.*]] = linalg.transpose {{.*}} outs({{.*}} : tensor<8x256x16xf32>)
// AVX2: scf.forall (%[[J:.*]]) = (0) to (128) step (64)
// AVX2-NOT: linalg.transpose
// AVX2: %[[BLOCK:.*]] = affine.apply #{{.*}}(%{{.*}}, %[[J]])
// AVX2: vector.transfer_read %[[PACKED]][%[[BLOCK]],
// AVX2: scf.forall.in_parallel
func.func @column_tasks(%a: tensor<64x256xf32>, %b: tensor<256x128xf32>, %c: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %y = scf.forall (%j) = (0) to (128) step (64) shared_outs(%out = %c) -> (tensor<64x128xf32>) {
    %bj = tensor.extract_slice %b[0, %j] [256, 64] [1, 1] : tensor<256x128xf32> to tensor<256x64xf32>
    %cj = tensor.extract_slice %out[0, %j] [64, 64] [1, 1] : tensor<64x128xf32> to tensor<64x64xf32>
    %t = linalg.matmul ins(%a, %bj : tensor<64x256xf32>, tensor<256x64xf32>) outs(%cj : tensor<64x64xf32>) -> tensor<64x64xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %out[0, %j] [64, 64] [1, 1] : tensor<64x64xf32> into tensor<64x128xf32>
    }
  }
  return %y : tensor<64x128xf32>
}

// -----

// Columns that start off the packed blocks (8, then 72): each task packs its own slice.
// AVX2-LABEL: func @column_tasks_off_blocks
// AVX2: scf.forall
// AVX2: linalg.transpose {{.*}} outs({{.*}} : tensor<4x256x16xf32>)
// AVX2: scf.forall.in_parallel
func.func @column_tasks_off_blocks(%a: tensor<64x256xf32>, %b: tensor<256x136xf32>, %c: tensor<64x136xf32>) -> tensor<64x136xf32> {
  %y = scf.forall (%j) = (8) to (136) step (64) shared_outs(%out = %c) -> (tensor<64x136xf32>) {
    %bj = tensor.extract_slice %b[0, %j] [256, 64] [1, 1] : tensor<256x136xf32> to tensor<256x64xf32>
    %cj = tensor.extract_slice %out[0, %j] [64, 64] [1, 1] : tensor<64x136xf32> to tensor<64x64xf32>
    %t = linalg.matmul ins(%a, %bj : tensor<64x256xf32>, tensor<256x64xf32>) outs(%cj : tensor<64x64xf32>) -> tensor<64x64xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %out[0, %j] [64, 64] [1, 1] : tensor<64x64xf32> into tensor<64x136xf32>
    }
  }
  return %y : tensor<64x136xf32>
}
