// kiln-vector-lower, after bufferization: the accumulators of a register tile are loaded
// once, carried through the reduction loops in registers, and stored once; contractions
// become FMAs on 1-D vectors. A tile whose start (a zero fill) kiln-codegen-contractions
// fused arrives with its accumulators already carried from that start in registers, and is
// never loaded at all (@conv, @filter_gradient); one accumulating into an argument has
// them hoisted here (@conv_accumulate).
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-codegen-contractions{vector-bits=256}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(kiln-vector-lower))' | FileCheck %s
// kiln-bufferize runs it before kiln-plan-memory turns the tile's buffer into a view of the
// arena (upstream's hoisting leaves views alone): the accumulators still stay in registers
// (@conv_planned: its convolution writes a temporary, which the transpose reads).
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-codegen-contractions{vector-bits=256}),kiln-bufferize)' | FileCheck %s --check-prefix=PLANNED
// A filter gradient's tile spans 4 "images" (the forward's input channels) x 3 columns (the
// filter's width) x 16 channels on AVX-512; its accumulators are read and written through
// the same rank-reducing map, so they too stay in registers across the reduction.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-codegen-contractions{vector-bits=512}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(kiln-vector-lower))' | FileCheck %s --check-prefix=IMAGES
// IMAGES-LABEL: func @filter_gradient
// IMAGES: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<4x3x16xf32>
// IMAGES-NOT: vector.load %{{.*}} : memref<8x3x3x16xf32>
// IMAGES: scf.for {{.*}} iter_args({{.*}} = %[[ZERO]]) -> (vector<4x3x16xf32>)
// IMAGES: scf.for {{.*}} iter_args({{.*}}) -> (vector<4x3x16xf32>)
// IMAGES-NOT: memref<8x3x3x16xf32>
// IMAGES-COUNT-192: vector.fma {{.*}} : vector<16xf32>
// IMAGES-NOT: memref<8x3x3x16xf32>
// IMAGES: scf.yield
// IMAGES-COUNT-12: vector.store %{{.*}} : memref<8x3x3x16xf32>, vector<16xf32>
// PLANNED-LABEL: func.func @conv_planned
// PLANNED: memref.view
// PLANNED: scf.for {{.*}} iter_args({{.*}}) -> (vector<1x2x32xf32>)

// CHECK-LABEL: func @conv(
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<1x2x32xf32>
// CHECK-NOT: vector.load %{{.*}} : memref<2x8x8x64xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}} = %[[ZERO]]) -> (vector<1x2x32xf32>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<1x2x32xf32>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<1x2x32xf32>)
// CHECK-NOT: memref<2x8x8x64xf32>
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: vector.contract
// CHECK-COUNT-2: vector.store %{{.*}} : memref<2x8x8x64xf32>, vector<32xf32>
// CHECK-NOT: vector.store %{{.*}} : memref<2x8x8x64xf32>
// CHECK: return
func.func @conv(%x: tensor<2x10x10x64xf32>, %w: tensor<3x3x64x64xf32>) -> tensor<2x8x8x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x8x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%init : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  return %y : tensor<2x8x8x64xf32>
}

// CHECK-LABEL: func @conv_accumulate(
// CHECK: scf.for
// CHECK: %[[ACC:.*]] = vector.load %{{.*}} : memref<2x8x8x64xf32>, vector<32xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<1x2x32xf32>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<1x2x32xf32>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<1x2x32xf32>)
// CHECK-NOT: memref<2x8x8x64xf32>
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: vector.contract
// CHECK: vector.store %{{.*}} : memref<2x8x8x64xf32>, vector<32xf32>
func.func @conv_accumulate(%x: tensor<2x10x10x64xf32>, %w: tensor<3x3x64x64xf32>, %acc: tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32> {
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%acc : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  return %y : tensor<2x8x8x64xf32>
}

func.func @conv_planned(%x: tensor<2x10x10x64xf32>, %w: tensor<3x3x64x64xf32>) -> tensor<2x64x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x8x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%init : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  %t = tensor.empty() : tensor<2x64x8x8xf32>
  %nchw = linalg.transpose ins(%y : tensor<2x8x8x64xf32>) outs(%t : tensor<2x64x8x8xf32>) permutation = [0, 3, 1, 2]
  return %nchw : tensor<2x64x8x8xf32>
}

// The filter gradient of a 16-channel convolution in the layout kiln-to-linalg gives it:
// input [C, H, W, N], output gradient as the filter [OH, OW, N, F], result [C, KH, KW, F].
func.func @filter_gradient(%x: tensor<8x10x10x16xf32>, %dy: tensor<8x8x16x16xf32>) -> tensor<8x3x3x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x3x3x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x3x3x16xf32>) -> tensor<8x3x3x16xf32>
  %dw = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %dy : tensor<8x10x10x16xf32>, tensor<8x8x16x16xf32>) outs(%init : tensor<8x3x3x16xf32>) -> tensor<8x3x3x16xf32>
  return %dw : tensor<8x3x3x16xf32>
}
