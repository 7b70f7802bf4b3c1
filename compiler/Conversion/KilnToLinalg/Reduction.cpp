//===- Reduction.cpp - kiln reductions and global pooling to linalg -------===//
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"
#include "compiler/Conversion/KilnToLinalg/Reductions.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace kiln;

Value kiln::reduceOverAxes(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
                           ReductionKind kind) {
  auto type = cast<RankedTensorType>(input.getType());
  Type element = type.getElementType();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(axes, d))
      shape.push_back(type.getDimSize(d));
  auto resultType = RankedTensorType::get(shape, element);
  Value init = kind == ReductionKind::Max
                   ? b.create<linalg::FillOp>(
                          loc, lowestValue(b, loc, element),
                          b.create<tensor::EmptyOp>(loc, shape, element).getResult())
                         .getResult(0)
                   : filledTensor(b, loc, resultType, 0.0);
  // A generic rather than linalg.reduce: kiln-fold-transposes can fold a layout change into
  // its input map and kiln-fuse-elementwise can fuse the elementwise op that feeds it (batch
  // norm's squared deviations), neither of which works on the named op.
  MLIRContext *context = b.getContext();
  SmallVector<AffineExpr> kept;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iterators.push_back(reduced ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    if (!reduced)
      kept.push_back(getAffineDimExpr(d, context));
  }
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(type.getRank(), context),
                                 AffineMap::get(type.getRank(), 0, kept, context)};
  auto reduce = b.create<linalg::GenericOp>(
      loc, TypeRange{resultType}, ValueRange{input}, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value combined = kind == ReductionKind::Max ? emitMax(nb, nl, args[0], args[1])
                                                    : emitAdd(nb, nl, args[0], args[1]);
        nb.create<linalg::YieldOp>(nl, combined);
      });
  Value result = reduce.getResult(0);
  if (kind != ReductionKind::Mean)
    return result;
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  return buildBroadcastGeneric(b, loc, resultType, result,
                               [&](OpBuilder &nb, Location nl, ValueRange args) {
                                 return emitDiv(nb, nl, args[0],
                                                scalarConstant(nb, nl, element, count));
                               });
}

namespace {

template <typename OpTy, ReductionKind Kind> struct ReduceLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    Value reduced = reduceOverAxes(rewriter, op.getLoc(), op.getInput(), op.getAxes(), Kind);
    // keepdims only changes the shape: size-1 dimensions hold no extra elements.
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), reduced,
                                         cast<RankedTensorType>(op.getOutput().getType())));
    return success();
  }
};

template <typename OpTy, ReductionKind Kind>
struct GlobalPoolLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    SmallVector<int64_t> spatial;
    for (int64_t d = 2; d < type.getRank(); ++d)
      spatial.push_back(d);
    Value reduced = reduceOverAxes(rewriter, op.getLoc(), op.getInput(), spatial, Kind);
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), reduced,
                                         cast<RankedTensorType>(op.getOutput().getType())));
    return success();
  }
};

} // namespace

void kiln::populateKilnReductionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, ReductionKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReductionKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReductionKind::Max>,
               GlobalPoolLowering<GlobalAvgPoolOp, ReductionKind::Mean>,
               GlobalPoolLowering<GlobalMaxPoolOp, ReductionKind::Max>>(patterns.getContext());
}
