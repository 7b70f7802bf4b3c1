//===- Normalization.cpp - kiln batch norm and softmax to linalg ----------===//
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"
#include "compiler/Conversion/KilnToLinalg/Reductions.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace kiln;

namespace {

struct BatchNormInferenceLowering : OpRewritePattern<BatchNormInferenceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormInferenceOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    RankedTensorType type = op.getOutput().getType();
    int64_t rank = type.getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(1), getContext());
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = buildMappedGeneric(
        rewriter, op.getLoc(), type,
        ValueRange{op.getInput(), op.getScale(), op.getBias(), op.getMean(), op.getVariance()},
        {identity, channel, channel, channel, channel},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value eps = scalarConstant(b, loc, args[0].getType(), epsilon);
          Value invStd = b.create<math::RsqrtOp>(loc, b.create<arith::AddFOp>(loc, args[4], eps));
          Value centered = b.create<arith::SubFOp>(loc, args[0], args[3]);
          Value scaled = b.create<arith::MulFOp>(
              loc, b.create<arith::MulFOp>(loc, centered, invStd), args[1]);
          return b.create<arith::AddFOp>(loc, scaled, args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Training-mode batch norm in kiln ops: batch mean and biased variance over every axis but
/// the channel axis, then the inference form with those statistics.
struct BatchNormTrainingLowering : OpRewritePattern<BatchNormTrainingOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormTrainingOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    RankedTensorType type = op.getOutput().getType();
    SmallVector<int64_t> axes = {0};
    for (int64_t d = 2; d < type.getRank(); ++d)
      axes.push_back(d);
    Value mean = rewriter.create<ReduceMeanOp>(loc, x, axes, /*keepdims=*/false);
    SmallVector<int64_t> viewShape(type.getRank() - 1, 1);
    viewShape[0] = type.getDimSize(1);
    Value meanView = rewriter.create<ReshapeOp>(
        loc, RankedTensorType::get(viewShape, type.getElementType()), mean);
    Value centered = rewriter.create<SubOp>(loc, x, meanView);
    Value squares = rewriter.create<MulOp>(loc, centered, centered);
    Value variance = rewriter.create<ReduceMeanOp>(loc, squares, axes, /*keepdims=*/false);
    Value y = rewriter.create<BatchNormInferenceOp>(loc, x, op.getScale(), op.getBias(), mean,
                                                    variance, op.getEpsilonAttr());
    rewriter.replaceOp(op, {y, mean, variance});
    return success();
  }
};

/// softmax(x) = exp(x - max) / sum(exp(x - max)); log_softmax(x) = (x - max) - log(sum(...)).
/// Subtracting the maximum keeps exp from overflowing.
template <typename OpTy, bool IsLog> struct SoftmaxLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    int64_t axis = op.getAxis();
    SmallVector<int64_t> keptShape(type.getShape());
    keptShape[axis] = 1;
    auto keptType = RankedTensorType::get(keptShape, type.getElementType());
    auto keep = [&](Value reduced) { return reshapeTensor(rewriter, loc, reduced, keptType); };

    Value max = keep(reduceOverAxes(rewriter, loc, op.getInput(), axis, ReductionKind::Max));
    Value shifted = buildBroadcastGeneric(rewriter, loc, type, ValueRange{op.getInput(), max},
                                          [](OpBuilder &b, Location l, ValueRange args) {
                                            return b.create<arith::SubFOp>(l, args[0], args[1]);
                                          });
    Value exps = buildBroadcastGeneric(rewriter, loc, type, shifted,
                                       [](OpBuilder &b, Location l, ValueRange args) {
                                         return b.create<math::ExpOp>(l, args[0]);
                                       });
    Value sum = keep(reduceOverAxes(rewriter, loc, exps, axis, ReductionKind::Sum));
    Value result;
    if (IsLog)
      result = buildBroadcastGeneric(rewriter, loc, type, ValueRange{shifted, sum},
                                     [](OpBuilder &b, Location l, ValueRange args) {
                                       return b.create<arith::SubFOp>(
                                           l, args[0], b.create<math::LogOp>(l, args[1]));
                                     });
    else
      result = buildBroadcastGeneric(rewriter, loc, type, ValueRange{exps, sum},
                                     [](OpBuilder &b, Location l, ValueRange args) {
                                       return b.create<arith::DivFOp>(l, args[0], args[1]);
                                     });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void kiln::populateKilnNormalizationToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormInferenceLowering, BatchNormTrainingLowering, SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>>(patterns.getContext());
}
