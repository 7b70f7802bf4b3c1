//===- WinogradFilterGradient.cpp - filter gradients as Winograd ----------===//
//
// The filter gradient of a 3x3 stride-1 convolution is the gradient of its Winograd form
// (Lavin and Gray): with the output split into m x m tiles t, each computed as
// A^T [(G g G^T) . (B^T x_t B)] A from its (m + 2) x (m + 2) input patch x_t,
//
//   dW = G^T [sum_t (A dy_t A^T) . (B^T x_t B)] G.
//
// Over images and channels the bracket is one matmul per position p of the alpha x alpha
// tile: dU_p [C, F] = V_p [C, K] Q_p [K, F], K running over (tiles, images), with 4x
// (F(4x4)) or 2.25x (F(2x2)) fewer multiply-adds than the direct convolution. kiln-to-linalg
// writes the filter gradient as a convolution of the input transposed to [C, H + 2, W + 2, N]
// (padded) by the output gradient transposed to [H, W, N, F]; the transforms read both as
// they are, V's vectors along the images and Q's along the output channels, so that V_p's
// rows and Q_p's rows are contiguous along K as the matmul reads them.
//
// The sum over K is split into tasks over blocks of images and tile rows. Each task sums a
// partial dU of its own over chunks of tile columns (a chunk's V and Q in scratch that stays
// in cache while its matmuls read it); after the tasks the partials are added up and
// transformed into the filter's taps.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/WinogradFilterGradient.h"

#include "compiler/Codegen/CpuTarget.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace {

/// The convolution whose filter gradient is computed: N images of H x W outputs, C input
/// and F output channels.
struct GradientShape {
  int64_t n = 0, h = 0, w = 0, c = 0, f = 0;
};

/// The shape when `conv` is a filter gradient as kiln-to-linalg writes it for a 3x3 stride-1
/// convolution: input [C, H + 2, W + 2, N], filter (the output gradient) [H, W, N, F],
/// output [C, 3, 3, F], unit strides and dilations, all statically shaped fp32.
std::optional<GradientShape> gradientShape(linalg::Conv2DNhwcHwcfOp conv) {
  if (!kiln::isStaticFp32UnitStride(conv))
    return std::nullopt;
  auto shapeOf = [](Value value) { return cast<ShapedType>(value.getType()).getShape(); };
  ArrayRef<int64_t> input = shapeOf(conv.getDpsInputOperand(0)->get());
  ArrayRef<int64_t> gradient = shapeOf(conv.getDpsInputOperand(1)->get());
  ArrayRef<int64_t> output = shapeOf(conv.getDpsInitOperand(0)->get());
  if (output[1] != 3 || output[2] != 3 || input[1] != gradient[0] + 2 ||
      input[2] != gradient[1] + 2)
    return std::nullopt;
  return GradientShape{gradient[2], gradient[0], gradient[1], input[0], gradient[3]};
}

/// The row-major transpose of the rows x columns matrix `t`.
SmallVector<double> transposed(ArrayRef<double> t, int64_t rows, int64_t columns) {
  SmallVector<double> result(t.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < columns; ++j)
      result[j * rows + i] = t[i * columns + j];
  return result;
}

} // namespace

bool kiln::rewriteFilterGradientAsWinograd(RewriterBase &rewriter, linalg::Conv2DNhwcHwcfOp conv,
                                           const WinogradScheme &scheme,
                                           const FilterGradientLimits &limits) {
  std::optional<GradientShape> shape = gradientShape(conv);
  int64_t m = scheme.m, alpha = scheme.alpha(), positions = alpha * alpha;
  if (!shape || shape->f % limits.lanes != 0 || shape->h % m != 0 || shape->w % m != 0 ||
      shape->n * shape->h * shape->w * shape->c * shape->f * 9 < limits.minMultiplyAdds)
    return false;
  // V's vectors run along the images: a register's worth, or 8 (a ResNet-8 at batch 8).
  int64_t imageLanes = shape->n % limits.lanes == 0 ? limits.lanes : 8;
  if (shape->n % imageLanes != 0)
    return false;

  // Tasks: a vector of images by a block of tile rows. Chunks: tile columns of one row whose
  // V [alpha^2, C, K] and Q [alpha^2, K, F] fit the scratch.
  int64_t tileRows = shape->h / m, tileColumns = shape->w / m;
  int64_t imageBlocks = shape->n / imageLanes;
  int64_t rowBlocks =
      largestDivisorAtMost(tileRows, std::max<int64_t>(1, limits.minTasks / imageBlocks));
  int64_t rowsPerTask = tileRows / rowBlocks, tasks = imageBlocks * rowBlocks;
  // A chunk of one column must fit the scratch, and a task's partial dU the filter budget
  // (ResNet-50's layer 3 at F(4x4): 36 x 256 x 256 floats, 9.4 MB per task).
  int64_t bytesPerColumn = 4 * positions * imageLanes * (shape->c + shape->f);
  if (bytesPerColumn > limits.scratchBytes ||
      4 * positions * shape->c * shape->f > limits.filterBytes)
    return false;
  int64_t chunkColumns =
      largestDivisorAtMost(tileColumns, std::max<int64_t>(1, limits.scratchBytes / bytesPerColumn));
  int64_t chunk = chunkColumns * imageLanes;

  Location loc = conv.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Type f32 = rewriter.getF32Type();
  Value input = conv.getDpsInputOperand(0)->get();
  Value gradient = conv.getDpsInputOperand(1)->get();
  Value init = conv.getDpsInitOperand(0)->get();
  rewriter.setInsertionPoint(conv);
  Value zero = rewriter.create<arith::ConstantOp>(loc, rewriter.getF32FloatAttr(0));
  auto empty = [&](OpBuilder &b, ArrayRef<int64_t> shape) -> Value {
    return b.create<tensor::EmptyOp>(loc, shape, f32);
  };
  SmallVector<double> spread = transposed(scheme.outputT, m, alpha);

  auto forall = rewriter.create<scf::ForallOp>(
      loc, getAsIndexOpFoldResult(ctx, {0, 0}), getAsIndexOpFoldResult(ctx, {shape->n, tileRows}),
      getAsIndexOpFoldResult(ctx, {imageLanes, rowsPerTask}),
      ValueRange{empty(rewriter, {tasks, positions, shape->c, shape->f})}, std::nullopt);
  rewriter.setInsertionPointToStart(forall.getBody());
  Value firstImage = forall.getInductionVars()[0], firstRow = forall.getInductionVars()[1];
  // The task's partial dU is its slice of the tasks' shared result, summed in place (a
  // tensor of its own would be a heap allocation per task: 590 KB for 64 x 64 channels).
  AffineExpr d0 = rewriter.getAffineDimExpr(0), d1 = rewriter.getAffineDimExpr(1);
  OpFoldResult task = affine::makeComposedFoldedAffineApply(
      rewriter, loc, d0.floorDiv(imageLanes) * rowBlocks + d1.floorDiv(rowsPerTask),
      {firstImage, firstRow});
  SmallVector<OpFoldResult> partialOffsets = {task, rewriter.getIndexAttr(0),
                                              rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)};
  SmallVector<OpFoldResult> partialSizes =
      getAsIndexOpFoldResult(ctx, {1, positions, shape->c, shape->f});
  SmallVector<OpFoldResult> unitStrides = getAsIndexOpFoldResult(ctx, {1, 1, 1, 1});
  Value slot = rewriter.create<tensor::ExtractSliceOp>(
      loc, RankedTensorType::get({positions, shape->c, shape->f}, f32),
      forall.getRegionIterArgs().front(), partialOffsets, partialSizes, unitStrides);
  // One chunk: its V and Q, then dU_p += V_p Q_p. The first chunk's matmuls start from zero
  // (their accumulators start in registers), so that no fill of the partial (up to 590 KB
  // per task) is written first.
  int64_t chunksPerRow = tileColumns / chunkColumns, chunks = rowsPerTask * chunksPerRow;
  auto addChunk = [&](OpBuilder &b, Location at, Value chunkIndex, Value partial,
                      bool first) -> Value {
    SmallVector<Value> chunkStart = {
        affine::makeComposedAffineApply(b, at, d0.floorDiv(chunksPerRow), {chunkIndex}),
        affine::makeComposedAffineApply(b, at, (d0 % chunksPerRow) * chunkColumns, {chunkIndex})};
    Value tileRow = affine::makeComposedAffineApply(b, at, d0 + d1, {firstRow, chunkStart[0]});
    auto pixel = [&](Value tileIndex, int64_t offset) {
      return affine::makeComposedAffineApply(b, at, d0 * m + offset, {tileIndex});
    };
    auto column = [&](Value columnInChunk) {
      return affine::makeComposedAffineApply(b, at, d0 + d1, {chunkStart[1], columnInChunk});
    };
    // V [alpha^2, C (+ 1), K]: B^T x_t B for each channel, tile and vector of images. Its
    // planes, and Q's, have an odd number of rows: 16 rows of 64 floats, 4 KB, put the
    // 16 or 36 vectors of a tile in one set of the 8-way L1 cache.
    Value transformedInput = kiln::vectorLoopNest(
        b, at, {shape->c, chunkColumns, imageLanes}, imageLanes,
        empty(b, {positions, shape->c | 1, chunk}),
        [&](OpBuilder &nb, Location nl, ValueRange ivs, Value into) {
          Value x = column(ivs[1]);
          Value image = affine::makeComposedAffineApply(nb, nl, d0 + d1, {firstImage, ivs[2]});
          SmallVector<Value> patch = kiln::readSquare(
              nb, nl, input, VectorType::get({imageLanes}, f32), zero, alpha,
              [&](int64_t i, int64_t j) {
                return SmallVector<Value>{ivs[0], pixel(tileRow, i), pixel(x, j), image};
              });
          Value k = affine::makeComposedAffineApply(nb, nl, d0 * imageLanes + d1, {ivs[1], ivs[2]});
          return kiln::writePlanes(nb, nl, kiln::sandwich(nb, nl, patch, scheme.inputT, alpha),
                                   into, {ivs[0], k});
        });
    // Q [alpha^2, K (+ 1), F]: A dy_t A^T for each tile, image and vector of output
    // channels.
    Value transformedGradient = kiln::vectorLoopNest(
        b, at, {chunkColumns, imageLanes, shape->f}, limits.lanes,
        empty(b, {positions, chunk | 1, shape->f}),
        [&](OpBuilder &nb, Location nl, ValueRange ivs, Value into) {
          Value x = column(ivs[0]);
          Value image = affine::makeComposedAffineApply(nb, nl, d0 + d1, {firstImage, ivs[1]});
          SmallVector<Value> tile = kiln::readSquare(
              nb, nl, gradient, VectorType::get({limits.lanes}, f32), zero, m,
              [&](int64_t i, int64_t j) {
                return SmallVector<Value>{pixel(tileRow, i), pixel(x, j), image, ivs[2]};
              });
          Value k = affine::makeComposedAffineApply(nb, nl, d0 * imageLanes + d1, {ivs[0], ivs[1]});
          return kiln::writePlanes(nb, nl, kiln::sandwich(nb, nl, tile, spread, m), into,
                                   {k, ivs[2]});
        });
    // dU_p += V_p Q_p, position by position (one register-tiled nest for all).
    auto constantIndex = [&](int64_t value) -> Value {
      return b.create<arith::ConstantIndexOp>(at, value);
    };
    auto products = b.create<scf::ForOp>(
        at, constantIndex(0), constantIndex(positions), constantIndex(1), ValueRange{partial},
        [&](OpBuilder &nb, Location nl, Value position, ValueRange iterArgs) {
          auto matrix = [&](Value stacked, int64_t rows, int64_t columns) {
            return nb.create<tensor::ExtractSliceOp>(
                nl, RankedTensorType::get({rows, columns}, f32), stacked,
                SmallVector<OpFoldResult>{position, nb.getIndexAttr(0), nb.getIndexAttr(0)},
                getAsIndexOpFoldResult(ctx, {1, rows, columns}),
                getAsIndexOpFoldResult(ctx, {1, 1, 1}));
          };
          Value start = matrix(iterArgs[0], shape->c, shape->f);
          if (first)
            start = nb.create<linalg::FillOp>(nl, zero, start).getResult(0);
          Value sum =
              nb.create<linalg::MatmulOp>(nl, RankedTensorType::get({shape->c, shape->f}, f32),
                                          ValueRange{matrix(transformedInput, shape->c, chunk),
                                                     matrix(transformedGradient, chunk, shape->f)},
                                          ValueRange{start})
                  .getResult(0);
          Value updated = nb.create<tensor::InsertSliceOp>(
              nl, sum, iterArgs[0],
              SmallVector<OpFoldResult>{position, nb.getIndexAttr(0), nb.getIndexAttr(0)},
              getAsIndexOpFoldResult(ctx, {1, shape->c, shape->f}),
              getAsIndexOpFoldResult(ctx, {1, 1, 1}));
          nb.create<scf::YieldOp>(nl, updated);
        });
    return products.getResult(0);
  };
  Value partial =
      addChunk(rewriter, loc, rewriter.create<arith::ConstantIndexOp>(loc, 0), slot, true);
  if (chunks > 1) {
    auto rest = rewriter.create<scf::ForOp>(
        loc, rewriter.create<arith::ConstantIndexOp>(loc, 1),
        rewriter.create<arith::ConstantIndexOp>(loc, chunks),
        rewriter.create<arith::ConstantIndexOp>(loc, 1), ValueRange{partial},
        [&](OpBuilder &b, Location at, Value chunkIndex, ValueRange iterArgs) {
          b.create<scf::YieldOp>(at, addChunk(b, at, chunkIndex, iterArgs[0], false));
        });
    partial = rest.getResult(0);
  }
  rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
  rewriter.create<tensor::ParallelInsertSliceOp>(loc, partial, forall.getRegionIterArgs().front(),
                                                 partialOffsets, partialSizes, unitStrides);

  // dU: the partials added up, [alpha^2, C, F].
  rewriter.setInsertionPointAfter(forall);
  AffineExpr d2 = rewriter.getAffineDimExpr(2), d3 = rewriter.getAffineDimExpr(3);
  Value sumInit =
      rewriter.create<linalg::FillOp>(loc, zero, empty(rewriter, {positions, shape->c, shape->f}))
          .getResult(0);
  Value summed = rewriter
                     .create<linalg::GenericOp>(
                         loc, sumInit.getType(), forall.getResult(0), sumInit,
                         SmallVector<AffineMap>{AffineMap::get(4, 0, {d3, d0, d1, d2}, ctx),
                                                AffineMap::get(4, 0, {d0, d1, d2}, ctx)},
                         SmallVector<utils::IteratorType>{
                             utils::IteratorType::parallel, utils::IteratorType::parallel,
                             utils::IteratorType::parallel, utils::IteratorType::reduction},
                         [](OpBuilder &b, Location at, ValueRange args) {
                           b.create<linalg::YieldOp>(
                               at, b.create<arith::AddFOp>(at, args[1], args[0]).getResult());
                         })
                     .getResult(0);

  // dW [C, 3, 3, F] += G^T dU G: each tap a combination of the positions' [C, F] matrices,
  // with per-tap coefficient constants (the adjoint of the forward's filter transform).
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  AffineMap channelsMap = AffineMap::get(4, 0, {d0, d3}, ctx);
  AffineMap tapMap = AffineMap::get(4, 0, {d1, d2}, ctx);
  auto matrixType = RankedTensorType::get({shape->c, shape->f}, f32);
  auto tapsType = RankedTensorType::get({3, 3}, f32);
  for (int64_t a = 0; a < alpha; ++a)
    for (int64_t b = 0; b < alpha; ++b) {
      inputs.push_back(rewriter.create<tensor::ExtractSliceOp>(
          loc, matrixType, summed, getAsIndexOpFoldResult(ctx, {a * alpha + b, 0, 0}),
          getAsIndexOpFoldResult(ctx, {1, shape->c, shape->f}),
          getAsIndexOpFoldResult(ctx, {1, 1, 1})));
      maps.push_back(channelsMap);
    }
  for (int64_t a = 0; a < alpha; ++a)
    for (int64_t b = 0; b < alpha; ++b) {
      SmallVector<float> coefficients;
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 3; ++j)
          coefficients.push_back(scheme.tapCoefficient(a, b, i, j));
      inputs.push_back(rewriter.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(tapsType, ArrayRef<float>(coefficients))));
      maps.push_back(tapMap);
    }
  maps.push_back(rewriter.getMultiDimIdentityMap(4));
  SmallVector<utils::IteratorType> parallel(4, utils::IteratorType::parallel);
  Value taps = rewriter
                   .create<linalg::GenericOp>(
                       loc, init.getType(), inputs, init, maps, parallel,
                       [positions](OpBuilder &b, Location at, ValueRange args) {
                         Value sum = args.back();
                         for (int64_t p = 0; p < positions; ++p)
                           sum = b.create<arith::AddFOp>(
                               at, sum, b.create<arith::MulFOp>(at, args[p], args[positions + p]));
                         b.create<linalg::YieldOp>(at, sum);
                       })
                   .getResult(0);
  rewriter.replaceOp(conv, taps);
  return true;
}
