//===- PartialReductions.cpp - a sum split into per-index partial sums -----===//
#include "compiler/Codegen/PartialReductions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace {

/// Whether `op`'s payload adds something to its accumulator and yields that, the accumulator
/// being read nowhere else: what makes summing parts separately and then the parts exact in
/// real arithmetic (in floating point, a change of summation order).
bool isSum(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op->getNumResults() != 1)
    return false;
  Block &body = op.getRegion().front();
  Value accumulator = body.getArguments().back();
  auto add = body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  return add && accumulator.hasOneUse() &&
         (add.getLhs() == accumulator || add.getRhs() == accumulator);
}

} // namespace

FailureOr<linalg::GenericOp> kiln::splitIntoPartialSums(RewriterBase &rewriter,
                                                        linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || !isSum(op))
    return failure();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto reduced = llvm::find(iterators, utils::IteratorType::reduction);
  if (reduced == iterators.end())
    return failure();
  unsigned loop = reduced - iterators.begin();
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
  if (llvm::any_of(bounds, ShapedType::isDynamic) || !resultType.hasStaticShape() ||
      bounds[loop] < 2)
    return failure();

  // Partial sums: the loop becomes parallel and leads the result, which starts at zero.
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  SmallVector<int64_t> partialShape = {bounds[loop]};
  llvm::append_range(partialShape, resultType.getShape());
  Type elementType = resultType.getElementType();
  rewriter.setInsertionPoint(op);
  Value zero = rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(elementType));
  Value empty = rewriter.create<tensor::EmptyOp>(loc, partialShape, elementType);
  Value start = rewriter.create<linalg::FillOp>(loc, zero, empty).getResult(0);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap resultMap = maps.back();
  SmallVector<AffineExpr> partialResults = {getAffineDimExpr(loop, context)};
  llvm::append_range(partialResults, resultMap.getResults());
  maps.back() = AffineMap::get(resultMap.getNumDims(), 0, partialResults, context);
  iterators[loop] = utils::IteratorType::parallel;
  auto partial = rewriter.create<linalg::GenericOp>(loc, TypeRange{start.getType()},
                                                    op.getDpsInputs(), ValueRange{start}, maps,
                                                    iterators);
  rewriter.cloneRegionBefore(op.getRegion(), partial.getRegion(), partial.getRegion().begin());

  // Their sum, into the original initial value.
  int64_t rank = resultType.getRank();
  SmallVector<utils::IteratorType> sumIterators(rank + 1, utils::IteratorType::parallel);
  sumIterators[0] = utils::IteratorType::reduction;
  AffineMap all = rewriter.getMultiDimIdentityMap(rank + 1);
  auto sum = rewriter.create<linalg::GenericOp>(
      loc, TypeRange{resultType}, partial.getResult(0), op.getDpsInits(),
      ArrayRef<AffineMap>{all, all.dropResult(0)}, sumIterators,
      [](OpBuilder &b, Location bodyLoc, ValueRange args) {
        b.create<linalg::YieldOp>(bodyLoc,
                                  b.create<arith::AddFOp>(bodyLoc, args[0], args[1]).getResult());
      });
  rewriter.replaceOp(op, sum.getResults());
  return partial;
}
