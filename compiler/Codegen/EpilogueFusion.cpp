//===- EpilogueFusion.cpp - elementwise ops applied to a tile's accumulators ===//
//
// The nest is followed from the op's output down: an scf.for result to the value its body
// yields, a tensor.insert_slice to its source (its offsets added to the tile's), a
// vector.transfer_write to the tensor it writes into, until the loops' own iteration
// arguments. Each write found gets the op's body applied to its vector, with the op's other
// inputs read at the same place. Counting each write's elements times the trip counts of
// the loops around it checks that the nest writes the whole tensor; otherwise some elements
// would keep the value the op never saw, and the op stays.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/EpilogueFusion.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace {

/// Per dimension, the offsets whose sum places a tensor of the nest within the op's output
/// (one term per slice it is inserted through; summed where they are used, inside the nest).
using OffsetTerms = SmallVector<SmallVector<OpFoldResult, 2>, 4>;

/// A write of the nest and where the tensor it writes into lies within the op's output.
struct TileWrite {
  vector::TransferWriteOp write;
  OffsetTerms offsets;
};

/// Whether `op` can be applied to vectors: one init, every loop parallel, every operand a
/// statically shaped tensor read through the identity map, a body of elementwise ops that
/// have vector forms (arith, math) on values of the body or scalars defined above it.
bool isVectorizableEpilogue(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 0 || op.hasIndexSemantics())
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.get().getType());
    if (!type || !type.hasStaticShape() || !op.getMatchingIndexingMap(&operand).isIdentity())
      return false;
  }
  for (Operation &bodyOp : op.getBody()->without_terminator()) {
    if (!bodyOp.hasTrait<OpTrait::Elementwise>() || !bodyOp.hasTrait<OpTrait::Vectorizable>() ||
        bodyOp.getNumRegions() != 0 || bodyOp.getNumResults() != 1)
      return false;
    for (Value operand : bodyOp.getOperands())
      if (isa<VectorType, ShapedType>(operand.getType()))
        return false;
  }
  return true;
}

/// The writes that produce `value` (a tensor the nest computes), with the trip counts of the
/// loops around each multiplied into `written`'s count. Returns the tensor the writes start
/// from (a loop's iteration argument, or the slice a loop starts from); failure on anything
/// but loops that update their own iteration argument, slices inserted (with unit strides)
/// where they were extracted, and vector writes.
FailureOr<Value> collectWrites(Value value, const OffsetTerms &offsets, int64_t trips,
                               SmallVectorImpl<TileWrite> &writes, int64_t &written) {
  while (true) {
    if (isa<BlockArgument>(value))
      return value;
    Operation *op = value.getDefiningOp();
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      std::optional<int64_t> loopTrips =
          constantTripCount(loop.getLowerBound(), loop.getUpperBound(), loop.getStep());
      if (!loopTrips || *loopTrips < 0)
        return failure();
      unsigned result = cast<OpResult>(value).getResultNumber();
      Value yielded = loop.getBody()->getTerminator()->getOperand(result);
      FailureOr<Value> base = collectWrites(yielded, offsets, trips * *loopTrips, writes, written);
      if (failed(base) || *base != loop.getRegionIterArgs()[result])
        return failure();
      return loop.getInitArgs()[result];
    }
    if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
      if (insert.getSourceType().getRank() != insert.getDestType().getRank() ||
          !llvm::all_of(insert.getMixedStrides(),
                        [](OpFoldResult stride) { return isConstantIntValue(stride, 1); }))
        return failure();
      OffsetTerms inner(offsets);
      for (auto [terms, offset] : llvm::zip(inner, insert.getMixedOffsets()))
        terms.push_back(offset);
      FailureOr<Value> base = collectWrites(insert.getSource(), inner, trips, writes, written);
      if (failed(base))
        return failure();
      auto extracted = base->getDefiningOp<tensor::ExtractSliceOp>();
      if (!extracted || extracted.getSource() != insert.getDest() ||
          extracted.getMixedOffsets() != insert.getMixedOffsets() ||
          extracted.getMixedSizes() != insert.getMixedSizes())
        return failure();
      value = insert.getDest();
      continue;
    }
    if (auto write = dyn_cast<vector::TransferWriteOp>(op)) {
      if (write.getMask() || !isa<RankedTensorType>(write.getSource().getType()))
        return failure();
      writes.push_back({write, offsets});
      written += trips * write.getVectorType().getNumElements();
      value = write.getSource();
      continue;
    }
    return failure();
  }
}

/// Applies `op`'s body to the vector `write` stores, reading `op`'s inputs where it writes.
void applyBefore(RewriterBase &rewriter, linalg::GenericOp op, const TileWrite &tile) {
  vector::TransferWriteOp write = tile.write;
  Location loc = write.getLoc();
  rewriter.setInsertionPoint(write);
  SmallVector<Value> indices;
  for (auto [terms, index] : llvm::zip(tile.offsets, write.getIndices())) {
    SmallVector<OpFoldResult> operands(terms.begin(), terms.end());
    operands.push_back(index);
    AffineExpr sum = rewriter.getAffineConstantExpr(0);
    for (unsigned i = 0; i < operands.size(); ++i)
      sum = sum + rewriter.getAffineDimExpr(i);
    indices.push_back(affine::makeComposedAffineApply(
        rewriter, loc, AffineMap::get(operands.size(), 0, sum), operands));
  }
  VectorType vectorType = write.getVectorType();
  IRMapping values;
  Block *body = op.getBody();
  for (OpOperand *input : op.getDpsInputOperands())
    values.map(body->getArgument(input->getOperandNumber()),
               rewriter.create<vector::TransferReadOp>(loc, vectorType, input->get(), indices,
                                                       write.getPermutationMapAttr(),
                                                       write.getInBoundsAttr()));
  values.map(body->getArguments().back(), write.getVector());
  for (Operation &bodyOp : body->without_terminator()) {
    for (Value operand : bodyOp.getOperands()) {
      if (values.contains(operand))
        continue;
      // A scalar from above the body (a constant zero, a slope): the same in every lane.
      values.map(operand, rewriter.create<vector::BroadcastOp>(
                              loc, vectorType.clone(operand.getType()), operand));
    }
    Operation *vectorOp = rewriter.clone(bodyOp, values);
    vectorOp->getResult(0).setType(vectorType.clone(bodyOp.getResult(0).getType()));
  }
  Value result = values.lookup(body->getTerminator()->getOperand(0));
  rewriter.modifyOpInPlace(write, [&] { write.getVectorMutable().assign(result); });
}

void fuseEpilogue(RewriterBase &rewriter, linalg::GenericOp op) {
  if (!isVectorizableEpilogue(op))
    return;
  Value output = op.getDpsInitOperand(0)->get();
  auto nest = output.getDefiningOp<scf::ForOp>();
  if (!nest || nest->getBlock() != op->getBlock())
    return;
  auto type = cast<RankedTensorType>(output.getType());
  OffsetTerms offsets(type.getRank());
  SmallVector<TileWrite> writes;
  int64_t written = 0;
  if (failed(collectWrites(output, offsets, 1, writes, written)) ||
      written != type.getNumElements())
    return;
  // The other inputs are read inside the nest. A slice of one taken after the nest (as
  // kiln-parallelize places it) moves above the nest when its own operands allow.
  SmallVector<Operation *> toMove;
  for (OpOperand *input : op.getDpsInputOperands()) {
    Operation *producer = input->get().getDefiningOp();
    if (!producer || producer->getBlock() != nest->getBlock() ||
        producer->isBeforeInBlock(nest))
      continue;
    for (Value operand : producer->getOperands()) {
      Operation *definition = operand.getDefiningOp();
      if (definition && definition->getBlock() == nest->getBlock() &&
          !definition->isBeforeInBlock(nest))
        return;
    }
    toMove.push_back(producer);
  }
  for (Operation *producer : toMove)
    rewriter.moveOpBefore(producer, nest);
  for (const TileWrite &tile : writes)
    applyBefore(rewriter, op, tile);
  rewriter.replaceOp(op, output);
}

} // namespace

void kiln::fuseElementwiseEpilogues(RewriterBase &rewriter, func::FuncOp func) {
  SmallVector<linalg::GenericOp> candidates;
  func.walk([&](linalg::GenericOp op) { candidates.push_back(op); });
  for (linalg::GenericOp op : candidates)
    fuseEpilogue(rewriter, op);
}
