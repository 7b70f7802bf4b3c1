//===- AccumulatorStart.cpp - a register tile that starts in registers -----===//
//
// See AccumulatorStart.h. The steps, on tensors: the tile's transfers read and write the
// loop-carried tile itself (its slices folded into them); upstream's loop-invariant subset
// hoisting makes the accumulators loop-carried vectors, one loop at a time from the
// innermost; then the read before the loops takes the start's vector, and the write after
// them goes where the start wrote, which leaves the start's write without users.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/AccumulatorStart.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

using namespace mlir;

namespace {

/// Whether `transfer` covers every element of its statically shaped tensor, in order: it
/// starts at index 0 in every dimension, is not masked, its map keeps the tensor's
/// dimensions in order and drops only unit ones, and its vector has the kept dimensions'
/// sizes (so it is in bounds whether or not its in_bounds attribute says so yet).
bool coversWholeTensorInOrder(VectorTransferOpInterface transfer) {
  auto tensor = dyn_cast<RankedTensorType>(transfer.getSource().getType());
  if (!tensor || !tensor.hasStaticShape() || transfer.getMask() ||
      !llvm::all_of(transfer.getIndices(), isZeroIndex))
    return false;
  AffineMap map = transfer.getPermutationMap();
  ArrayRef<int64_t> vectorShape = transfer.getVectorType().getShape();
  int64_t previous = -1;
  for (auto [result, size] : llvm::zip_equal(map.getResults(), vectorShape)) {
    auto dim = dyn_cast<AffineDimExpr>(result);
    if (!dim || static_cast<int64_t>(dim.getPosition()) <= previous ||
        tensor.getDimSize(dim.getPosition()) != size)
      return false;
    previous = dim.getPosition();
  }
  return transfer.getVectorType().getNumElements() == tensor.getNumElements();
}

/// The reads and writes of the tile that `write` (the vectorized start) wrote, before and
/// after the hoisted loops: a read of all of it becomes the written vector itself, a write
/// of all of it goes where `write` wrote.
void forwardStart(RewriterBase &rewriter, vector::TransferWriteOp write) {
  if (!coversWholeTensorInOrder(write))
    return;
  for (OpOperand &use : llvm::make_early_inc_range(write.getResult().getUses())) {
    Operation *user = use.getOwner();
    if (auto read = dyn_cast<vector::TransferReadOp>(user)) {
      if (!coversWholeTensorInOrder(read))
        continue;
      rewriter.setInsertionPoint(read);
      rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(read, read.getVectorType(),
                                                       write.getVector());
    } else if (auto overwrite = dyn_cast<vector::TransferWriteOp>(user)) {
      if (use.getOperandNumber() != overwrite.getSourceMutable().getOperandNumber() ||
          !coversWholeTensorInOrder(overwrite))
        continue;
      rewriter.modifyOpInPlace(overwrite,
                               [&] { overwrite.getSourceMutable().set(write.getSource()); });
    }
  }
  if (write->use_empty())
    rewriter.eraseOp(write);
}

} // namespace

void kiln::startAccumulatorsInRegisters(RewriterBase &rewriter, linalg::LinalgOp start,
                                        ArrayRef<Operation *> reductionLoops) {
  if (reductionLoops.empty())
    return;
  MLIRContext *context = rewriter.getContext();
  RewritePatternSet subsets(context);
  tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(subsets);
  vector::TransferReadOp::getCanonicalizationPatterns(subsets, context);
  vector::TransferWriteOp::getCanonicalizationPatterns(subsets, context);
  if (failed(applyPatternsAndFoldGreedily(reductionLoops.front(), std::move(subsets))))
    return;

  // Innermost first: each hoisting leaves the loop's tensor passing through unchanged, which
  // the loop's canonicalization drops, so that the enclosing loop sees the read and write of
  // its own iteration argument.
  RewritePatternSet loopPatterns(context);
  scf::ForOp::getCanonicalizationPatterns(loopPatterns, context);
  FrozenRewritePatternSet frozenLoopPatterns(std::move(loopPatterns));
  for (Operation *loop : llvm::reverse(reductionLoops)) {
    LoopLikeOpInterface hoisted =
        hoistLoopInvariantSubsets(rewriter, cast<LoopLikeOpInterface>(loop));
    (void)applyOpPatternsAndFold({hoisted.getOperation()}, frozenLoopPatterns);
  }

  // The start's users are now the read before the loops and the write after them.
  if (start->getResult(0).use_empty())
    return;
  OpOperand &use = *start->getResult(0).getUses().begin();
  rewriter.setInsertionPoint(start);
  if (failed(linalg::vectorize(rewriter, start)))
    return;
  if (auto write = use.get().getDefiningOp<vector::TransferWriteOp>())
    forwardStart(rewriter, write);
}
