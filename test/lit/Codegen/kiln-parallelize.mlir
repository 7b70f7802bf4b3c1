// kiln-parallelize splits large linalg ops into scf.forall tasks along their leading parallel
// loops: a convolution over images and output rows only, a matmul over blocks of whole
// register tiles, an elementwise op one task per leading index and then in pieces (not along the
// loops its operands are contiguous along), a channels-last sum as partial sums per image; small
// ops and reductions' reduced loops stay as they are, and ops that read through decreasing
// indices (a flipped filter) split only along the loops every operand reads plainly.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-parallelize))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-parallelize{min-tasks=4}))' | FileCheck %s --check-prefix=FOUR
// contractions-only leaves every other op on one thread.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-parallelize{contractions-only}))' | FileCheck %s --check-prefix=CONTRACTIONS
// CONTRACTIONS-LABEL: func @conv
// CONTRACTIONS: scf.forall
// CONTRACTIONS-LABEL: func @elementwise
// CONTRACTIONS-NOT: scf.forall
// CONTRACTIONS-LABEL: func @channel_sums
// A convolution whose register tile spans several images (a filter gradient's: 4 on
// AVX-512) is split in whole tiles: 2 x 3 tasks of 4 images, not 8 x 3 of one.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-parallelize{vector-bits=512}))' | FileCheck %s --check-prefix=IMAGES
// IMAGES-LABEL: func @filter_gradient
// IMAGES: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (8, 3) step (4, 1)
// IMAGES: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<4x1x3x16xf32>
// After bufferization each task loop becomes an OpenMP work-sharing loop in the LLVM dialect.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-parallelize),kiln-bufferize,kiln-lower-loops-to-llvm)' | FileCheck %s --check-prefix=OMP
// OMP-COUNT-16: omp.parallel
// OMP-NOT: omp.parallel
// OMP-NOT: scf.
// Each hands its tasks out one at a time (kiln-dynamic-schedule).
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-parallelize),kiln-bufferize,kiln-lower-loops-to-llvm)' | FileCheck %s --check-prefix=SCHEDULE
// SCHEDULE-COUNT-16: llvm.atomicrmw add
// SCHEDULE-NOT: omp.wsloop

// The flipped filter's maps (@flipped_filter), defined at the top of the output.
// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3, -d0 + 2, -d1 + 2)>
// CHECK-DAG: #[[HWCF:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// 2 images x 8 rows: one task per image, then the rows in pieces of 1 (16 tasks). The output
// columns and channels stay whole for the register tile.
// CHECK-LABEL: func @conv
// CHECK: scf.forall (%[[N:.*]], %[[OH:.*]]) in (2, 8) shared_outs
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x1x8x64xf32>
// CHECK: scf.forall.in_parallel
// FOUR-LABEL: func @conv
// FOUR: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (2, 8) step (1, 4)
// FOUR: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x4x8x64xf32>
func.func @conv(%x: tensor<2x10x10x64xf32>, %w: tensor<3x3x64x64xf32>,
                %init: tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32> {
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%init : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  return %y : tensor<2x8x8x64xf32>
}

// The bias broadcast and the zero fill that two convolutions start from join their tasks:
// each task writes the starting value of its own output slice, and the shared outputs start
// empty. The fill, shared by both, goes once neither needs it whole.
// CHECK-LABEL: func @conv_output_starts
// CHECK-NOT: linalg.fill
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x8x8x64xf32>
// CHECK: scf.forall {{.*}} shared_outs(%[[OUT:.*]] = %[[EMPTY]])
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[OUT]]
// CHECK: %[[START:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<64xf32>) outs(%[[SLICE]] : tensor<1x1x8x64xf32>)
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} outs(%[[START]] : tensor<1x1x8x64xf32>)
// CHECK: scf.forall {{.*}} shared_outs(%[[OUT2:.*]] = %[[EMPTY]])
// CHECK: %[[SLICE2:.*]] = tensor.extract_slice %[[OUT2]]
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} outs(%[[SLICE2]] : tensor<1x1x8x64xf32>)
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} outs(%[[ZERO]] : tensor<1x1x8x64xf32>)
// CHECK: scf.forall {{.*}} shared_outs(%[[OUT3:.*]] = %[[EMPTY]])
// CHECK: linalg.fill {{.*}} outs(%{{.*}} : tensor<1x1x8x64xf32>)
// CHECK-NOT: linalg.fill
#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#whole = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @conv_output_starts(%x: tensor<2x10x10x64xf32>, %w: tensor<3x3x64x64xf32>,
                              %b: tensor<64xf32>)
    -> (tensor<2x8x8x64xf32>, tensor<2x8x8x64xf32>, tensor<2x8x8x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x8x8x64xf32>
  %start = linalg.generic {indexing_maps = [#bias, #whole], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<64xf32>) outs(%empty : tensor<2x8x8x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x8x8x64xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%start : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  %z = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%zeros : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  %v = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%zeros : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  return %y, %z, %v : tensor<2x8x8x64xf32>, tensor<2x8x8x64xf32>, tensor<2x8x8x64xf32>
}

// The elementwise op after a convolution (here a residual add and a ReLU, the residual computed
// after the convolution) joins the convolution's tasks: each task updates the slice it has
// just computed in place, reading the residual's slice; no op is left after the tasks.
// CHECK-LABEL: func @conv_residual_relu
// CHECK: %[[SKIP:.*]] = linalg.generic
// CHECK: math.exp
// CHECK: scf.forall {{.*}} shared_outs(%[[OUT:.*]] = %{{.*}})
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x1x8x64xf32>
// CHECK: %[[SKIP_SLICE:.*]] = tensor.extract_slice %[[SKIP]][%{{.*}}, %{{.*}}, 0, 0] [1, 1, 8, 64]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[SKIP_SLICE]] : tensor<1x1x8x64xf32>) outs(%[[CONV]] : tensor<1x1x8x64xf32>)
// CHECK: ^bb0(%[[S:.*]]: f32, %[[C:.*]]: f32):
// CHECK: arith.addf %[[C]], %[[S]]
// CHECK: arith.maximumf
// CHECK: tensor.parallel_insert_slice %[[SUM]] into %[[OUT]]
// CHECK-NOT: linalg.generic
// CHECK: return
// A convolution result that is also returned keeps its ReLU apart.
// CHECK-LABEL: func @conv_result_used_twice
// CHECK: %[[Y:.*]] = scf.forall
// CHECK-NOT: arith.maximumf
// CHECK: tensor.parallel_insert_slice
// CHECK: linalg.generic {{.*}} ins(%[[Y]] :
// CHECK: arith.maximumf
func.func @conv_residual_relu(%x: tensor<2x10x10x64xf32>, %w: tensor<3x3x64x64xf32>,
                              %skip: tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x8x8x64xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%zeros : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  %residual = linalg.generic {indexing_maps = [#whole, #whole], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%skip : tensor<2x8x8x64xf32>) outs(%empty : tensor<2x8x8x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  } -> tensor<2x8x8x64xf32>
  %r = linalg.generic {indexing_maps = [#whole, #whole, #whole], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y, %residual : tensor<2x8x8x64xf32>, tensor<2x8x8x64xf32>) outs(%empty : tensor<2x8x8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %out: f32):
    %a = arith.addf %in, %s : f32
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8x8x64xf32>
  return %r : tensor<2x8x8x64xf32>
}

func.func @conv_result_used_twice(%x: tensor<2x10x10x64xf32>, %w: tensor<3x3x64x64xf32>,
                                  %init: tensor<2x8x8x64xf32>)
    -> (tensor<2x8x8x64xf32>, tensor<2x8x8x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x10x10x64xf32>, tensor<3x3x64x64xf32>) outs(%init : tensor<2x8x8x64xf32>) -> tensor<2x8x8x64xf32>
  %empty = tensor.empty() : tensor<2x8x8x64xf32>
  %r = linalg.generic {indexing_maps = [#whole, #whole], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y : tensor<2x8x8x64xf32>) outs(%empty : tensor<2x8x8x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8x8x64xf32>
  return %y, %r : tensor<2x8x8x64xf32>, tensor<2x8x8x64xf32>
}

// Rows in two blocks (a quarter of the 16 tasks wanted would be 4, and every row task reads
// all of B, which the code generator packs once for them): two tasks of 32 rows.
// CHECK-LABEL: func @matmul
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (32)
// CHECK: linalg.matmul {{.*}} -> tensor<32x128xf32>
func.func @matmul(%a: tensor<64x256xf32>, %b: tensor<256x128xf32>,
                  %c: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<64x256xf32>, tensor<256x128xf32>) outs(%c : tensor<64x128xf32>) -> tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}

// A classifier at batch 32: rows too, in two blocks of 16.
// CHECK-LABEL: func @classifier
// CHECK: scf.forall (%{{.*}}) = (0) to (32) step (16)
// CHECK: linalg.matmul {{.*}} -> tensor<16x1000xf32>
func.func @classifier(%a: tensor<32x256xf32>, %b: tensor<256x1000xf32>,
                      %c: tensor<32x1000xf32>) -> tensor<32x1000xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<32x256xf32>, tensor<256x1000xf32>) outs(%c : tensor<32x1000xf32>) -> tensor<32x1000xf32>
  return %y : tensor<32x1000xf32>
}

// An inference classifier (8 rows, 1000 columns, which 32 does not divide): column blocks of
// whole 8-float vectors (40: 25 tasks), not 500 columns that no vector divides.
// CHECK-LABEL: func @classifier_inference
// CHECK: scf.forall (%{{.*}}) = (0) to (1000) step (40)
// CHECK: linalg.matmul {{.*}} -> tensor<8x40xf32>
func.func @classifier_inference(%a: tensor<8x2048xf32>, %b: tensor<2048x1000xf32>,
                                %c: tensor<8x1000xf32>) -> tensor<8x1000xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<8x2048xf32>, tensor<2048x1000xf32>) outs(%c : tensor<8x1000xf32>) -> tensor<8x1000xf32>
  return %y : tensor<8x1000xf32>
}

// One register tile's rows (8) do not split: the columns do, in blocks of 32 (whole vectors),
// as many as the 16 tasks wanted allow (4).
// CHECK-LABEL: func @few_rows
// CHECK: scf.forall (%{{.*}}) = (0) to (128) step (32)
// CHECK: linalg.matmul {{.*}} -> tensor<8x32xf32>
func.func @few_rows(%a: tensor<8x256xf32>, %b: tensor<256x128xf32>,
                    %c: tensor<8x128xf32>) -> tensor<8x128xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<8x256xf32>, tensor<256x128xf32>) outs(%c : tensor<8x128xf32>) -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}

// 4 leading indices, then the 64 channels in pieces of 16 (4 x 4 = 16 tasks).
// CHECK-LABEL: func @elementwise
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 64) step (1, 16)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x16x32x32xf32>)
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @elementwise(%x: tensor<4x64x32x32xf32>) -> tensor<4x64x32x32xf32> {
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<4x64x32x32xf32>) outs(%x : tensor<4x64x32x32xf32>) {
  ^bb0(%a: f32, %b: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  } -> tensor<4x64x32x32xf32>
  return %y : tensor<4x64x32x32xf32>
}

// Per-channel sums of an NCHW tensor: only the channel loop is split, the reduced loops run
// inside each task.
// CHECK-LABEL: func @channel_sums
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (4)
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<4xf32>)
#x = affine_map<(n, c, h, w) -> (n, c, h, w)>
#sum = affine_map<(n, c, h, w) -> (c)>
func.func @channel_sums(%x: tensor<8x64x16x16xf32>, %init: tensor<64xf32>) -> tensor<64xf32> {
  %y = linalg.generic {indexing_maps = [#x, #sum], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%x : tensor<8x64x16x16xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%a: f32, %s: f32):
    %t = arith.addf %a, %s : f32
    linalg.yield %t : f32
  } -> tensor<64xf32>
  return %y : tensor<64xf32>
}

// The flipped filter of a backward-data convolution reads 2 - kh and 2 - kw: upstream's
// tiling would take a one-element slice at offset 2 of those dimensions, in every task. It
// splits along c, which both operands read plainly: each task slices c and takes the rest
// whole, with the op's maps unchanged.
// CHECK-LABEL: func @flipped_filter
// CHECK-SAME: (%[[W:.*]]: tensor<64x64x3x3xf32>, %[[INIT:.*]]: tensor<3x3x64x64xf32>)
// CHECK: scf.forall (%[[C:.*]]) = (0) to (64) step (4) shared_outs(%[[OUT:.*]] = %[[INIT]])
// CHECK: %[[WS:.*]] = tensor.extract_slice %[[W]][%[[C]], 0, 0, 0] [4, 64, 3, 3] [1, 1, 1, 1]
// CHECK: %[[OS:.*]] = tensor.extract_slice %[[OUT]][0, 0, %[[C]], 0] [3, 3, 4, 64] [1, 1, 1, 1]
// CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[FLIP]], #[[HWCF]]]{{.*}} ins(%[[WS]] : {{.*}}) outs(%[[OS]] : {{.*}})
// CHECK: tensor.parallel_insert_slice %[[T]] into %[[OUT]][0, 0, %[[C]], 0] [3, 3, 4, 64] [1, 1, 1, 1]
#flip = affine_map<(kh, kw, c, f) -> (c, f, 2 - kh, 2 - kw)>
#hwcf = affine_map<(kh, kw, c, f) -> (kh, kw, c, f)>
func.func @flipped_filter(%w: tensor<64x64x3x3xf32>, %init: tensor<3x3x64x64xf32>) -> tensor<3x3x64x64xf32> {
  %y = linalg.generic {indexing_maps = [#flip, #hwcf], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%w : tensor<64x64x3x3xf32>) outs(%init : tensor<3x3x64x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<3x3x64x64xf32>
  return %y : tensor<3x3x64x64xf32>
}

// 16 x 64 = 1024 iterations: not worth a fork.
// CHECK-LABEL: func @small
// CHECK-NOT: scf.forall
func.func @small(%x: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<16x64xf32>) outs(%x : tensor<16x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  } -> tensor<16x64xf32>
  return %y : tensor<16x64xf32>
}

// Per-channel sums of a channels-last tensor: splitting the channels would cut the vectors
// they are summed in, so the sums are taken per image (the images split into tasks) and the
// 8 partial sums then summed into the initial value.
// CHECK-LABEL: func @channel_sums_nhwc
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<8x64xf32>
// CHECK: scf.forall (%{{.*}}) in (8) shared_outs(%[[OUT:.*]] = %[[ZERO]])
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<1x64xf32>)
// CHECK: %[[SUMS:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK-SAME: ins(%{{.*}} : tensor<8x64xf32>) outs(%arg1 : tensor<64xf32>)
// CHECK: return %[[SUMS]]
#nhwc = affine_map<(n, c, h, w) -> (n, h, w, c)>
func.func @channel_sums_nhwc(%x: tensor<8x16x16x64xf32>, %init: tensor<64xf32>) -> tensor<64xf32> {
  %y = linalg.generic {indexing_maps = [#nhwc, #sum], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%x : tensor<8x16x16x64xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%a: f32, %s: f32):
    %t = arith.addf %a, %s : f32
    linalg.yield %t : f32
  } -> tensor<64xf32>
  return %y : tensor<64xf32>
}

// A product is not a sum: it stays one reduction, split along the channels.
// CHECK-LABEL: func @channel_products_nhwc
// CHECK-NOT: linalg.fill
// CHECK: scf.forall
// CHECK: arith.mulf
func.func @channel_products_nhwc(%x: tensor<8x16x16x64xf32>, %init: tensor<64xf32>) -> tensor<64xf32> {
  %y = linalg.generic {indexing_maps = [#nhwc, #sum], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%x : tensor<8x16x16x64xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%a: f32, %s: f32):
    %t = arith.mulf %a, %s : f32
    linalg.yield %t : f32
  } -> tensor<64xf32>
  return %y : tensor<64xf32>
}

// A layout change from NHWC to CNHW (a filter gradient's operand): the channels are read
// contiguously and the images written contiguously, so the tasks split the rows instead,
// leaving kiln-vectorize-elementwise whole 16 x 16 blocks.
// CHECK-LABEL: func @transpose_rows
// CHECK: scf.forall (%{{.*}}) = (0) to (32) step (2)
// CHECK: linalg.transpose ins(%{{.*}} : tensor<32x2x32x16xf32{{.*}}>) outs(%{{.*}} : tensor<16x2x32x32xf32{{.*}}>)
func.func @transpose_rows(%x: tensor<32x32x32x16xf32>) -> tensor<16x32x32x32xf32> {
  %e = tensor.empty() : tensor<16x32x32x32xf32>
  %t = linalg.transpose ins(%x : tensor<32x32x32x16xf32>) outs(%e : tensor<16x32x32x32xf32>) permutation = [3, 1, 2, 0]
  return %t : tensor<16x32x32x32xf32>
}

// The filter gradient of a 16-channel convolution ([C, H, W, N] input, [OH, OW, N, F]
// gradient as the filter).
func.func @filter_gradient(%x: tensor<8x10x10x16xf32>, %dy: tensor<8x8x16x16xf32>) -> tensor<8x3x3x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x3x3x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x3x3x16xf32>) -> tensor<8x3x3x16xf32>
  %dw = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %dy : tensor<8x10x10x16xf32>, tensor<8x8x16x16xf32>) outs(%init : tensor<8x3x3x16xf32>) -> tensor<8x3x3x16xf32>
  return %dw : tensor<8x3x3x16xf32>
}
