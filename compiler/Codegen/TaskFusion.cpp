//===- TaskFusion.cpp - the ops around a contraction joining its tasks ----===//
#include "compiler/Codegen/TaskFusion.h"
#include "compiler/Codegen/OutputStart.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;

/// Each task computes its slice of the start into its part of the shared output instead of
/// the whole output being written in a pass of its own and read back cold. The op itself
/// goes when no other user is left (CSE shares one zero fill among all the convolutions of
/// a training step).
Value kiln::computeOutputStartInTask(RewriterBase &rewriter, scf::ForallOp forall,
                                     tensor::ExtractSliceOp slice) {
  auto sharedOut = dyn_cast<BlockArgument>(slice.getSource());
  if (!sharedOut || sharedOut.getOwner()->getParentOp() != forall)
    return slice;
  OpOperand *start = forall.getTiedOpOperand(sharedOut);
  auto producer = start->get().getDefiningOp<linalg::LinalgOp>();
  if (!startsAnOutput(producer))
    return slice;
  rewriter.setInsertionPointAfter(slice);
  FailureOr<TilingResult> tile = cast<TilingInterface>(producer.getOperation())
                                     .generateResultTileValue(rewriter, 0,
                                                              slice.getMixedOffsets(),
                                                              slice.getMixedSizes());
  if (failed(tile) || tile->tiledOps.size() != 1)
    return slice;
  Operation *tiledProducer = tile->tiledOps.front();
  Value computed = tiledProducer->getResult(0);
  rewriter.replaceAllUsesExcept(slice, computed, tiledProducer);
  rewriter.modifyOpInPlace(tiledProducer, [&] {
    cast<DestinationStyleOpInterface>(tiledProducer).getDpsInitsMutable()[0].set(slice);
  });
  Value empty = producer.getDpsInitOperand(0)->get();
  rewriter.modifyOpInPlace(forall, [&] { start->set(empty); });
  if (producer->use_empty())
    rewriter.eraseOp(producer);
  return computed;
}

namespace {

/// Whether `consumer` is elementwise over `value`: all its loops parallel, `value` read
/// through the identity map in the shape of its one result, its other inputs through
/// projections (a residual of the same shape, a per-channel vector).
bool isElementwiseConsumerOf(linalg::GenericOp consumer, Value value) {
  if (consumer.getNumDpsInits() != 1 || consumer.getNumReductionLoops() != 0 ||
      value.getType() != consumer->getResult(0).getType())
    return false;
  for (OpOperand *input : consumer.getDpsInputOperands()) {
    AffineMap map = consumer.getMatchingIndexingMap(input);
    if (input->get() == value ? !map.isIdentity() : !map.isProjectedPermutation())
      return false;
  }
  return consumer.getMatchingIndexingMap(consumer.getDpsInitOperand(0)).isIdentity();
}

/// `consumer` rewritten to update `value` in place: `value` becomes its output, and the body
/// reads what it read from `value` from the output instead.
linalg::GenericOp updatingInPlace(RewriterBase &rewriter, linalg::GenericOp consumer,
                                  Value value) {
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  SmallVector<unsigned> readsValue;
  for (OpOperand *input : consumer.getDpsInputOperands()) {
    if (input->get() == value) {
      readsValue.push_back(input->getOperandNumber());
      continue;
    }
    inputs.push_back(input->get());
    maps.push_back(consumer.getMatchingIndexingMap(input));
  }
  maps.push_back(consumer.getMatchingIndexingMap(consumer.getDpsInitOperand(0)));
  rewriter.setInsertionPoint(consumer);
  auto updating = rewriter.create<linalg::GenericOp>(consumer.getLoc(), value.getType(), inputs,
                                                     value, maps,
                                                     consumer.getIteratorTypesArray());
  rewriter.cloneRegionBefore(consumer.getRegion(), updating.getRegion(),
                             updating.getRegion().begin());
  Block &body = updating.getRegion().front();
  for (unsigned argument : llvm::reverse(readsValue)) {
    rewriter.replaceAllUsesWith(body.getArgument(argument), body.getArguments().back());
    body.eraseArgument(argument);
  }
  return updating;
}

} // namespace

/// Upstream's consumer fusion would keep the contraction's result as an output of its own:
/// one more buffer, which bufferization allocates per task. Here the consumer needs no tasks
/// (nor a barrier) of its own.
void kiln::fuseElementwiseConsumer(RewriterBase &rewriter, scf::ForallOp forall) {
  if (forall->getNumResults() != 1 || !forall->getResult(0).hasOneUse())
    return;
  Value result = forall->getResult(0);
  auto consumer = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!consumer || consumer->getBlock() != forall->getBlock() ||
      !isElementwiseConsumerOf(consumer, result) ||
      consumer.payloadUsesValueFromOperand(consumer.getDpsInitOperand(0)))
    return;
  auto inserts = forall.getTerminator().getYieldingOps();
  if (!llvm::hasSingleElement(inserts))
    return;
  auto insert = dyn_cast<tensor::ParallelInsertSliceOp>(&*inserts.begin());
  if (!insert || insert.getDest() != forall.getRegionIterArgs().front())
    return;
  // The consumer's other operands may be computed after the contraction: the tasks move down
  // to the consumer (their operands are all defined above them, their result only used there).
  forall->moveBefore(consumer);
  linalg::GenericOp updating = updatingInPlace(rewriter, consumer, result);
  rewriter.setInsertionPoint(forall.getTerminator());
  FailureOr<TilingResult> tile =
      cast<TilingInterface>(updating.getOperation())
          .getTiledImplementation(rewriter, insert.getMixedOffsets(), insert.getMixedSizes());
  if (failed(tile) || tile->tiledOps.size() != 1) {
    rewriter.eraseOp(updating);
    return;
  }
  auto tiled = cast<linalg::GenericOp>(tile->tiledOps.front());
  // The tile's output was a slice of the tasks' own result; it becomes what the task computed.
  auto outputSlice = tiled.getDpsInitOperand(0)->get().getDefiningOp<tensor::ExtractSliceOp>();
  rewriter.modifyOpInPlace(tiled, [&] { tiled.getDpsInitsMutable()[0].set(insert.getSource()); });
  if (outputSlice && outputSlice->use_empty())
    rewriter.eraseOp(outputSlice);
  rewriter.modifyOpInPlace(insert, [&] { insert.getSourceMutable().set(tiled->getResult(0)); });
  rewriter.eraseOp(updating);
  rewriter.replaceOp(consumer, result);
}

