//===- DecomposePads.cpp - the kiln-decompose-pads pass -------------------===//
//
// A padded convolution input bufferizes as a new buffer, a fill of its border and a copy of
// the input into its interior: in a CIFAR ResNet-20 training step those copies were about
// 4 % of the samples, each re-reading an activation its producer had just written. The same
// holds for a gradient given a halo by inserting it into a zero tensor. When the padded
// value is computed by an op that writes into a fresh tensor (a tensor.empty), this pass
// makes that op write into the interior of the padded tensor instead, the rewrite upstream's
// empty-tensor elimination makes for subset insertions: the producer's destination becomes
// a slice of the padded tensor, and the pad (or insertion) an insertion of the result back
// into that slice, which bufferizes to nothing. Upstream's pass itself also rewrote the
// insertions into kiln's in-place gradient buffers, which bufferization then could not
// honour.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNDECOMPOSEPADSPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The operand through which `result`'s op receives the tensor it writes `result` into: a
/// destination-style op's init, an scf.forall's shared output; null for other ops.
OpOperand *destinationOf(OpResult result) {
  Operation *op = result.getOwner();
  if (auto forall = dyn_cast<scf::ForallOp>(op))
    return &forall.getOutputsMutable()[result.getResultNumber()];
  if (auto destinationStyle = dyn_cast<DestinationStyleOpInterface>(op))
    return destinationStyle.getTiedOpOperand(result);
  return nullptr;
}

/// The op that computes `value` into a tensor.empty (whose contents are undefined, so it
/// may as well start from the padded tensor's), or null.
Operation *producerIntoEmpty(Value value) {
  auto result = dyn_cast<OpResult>(value);
  OpOperand *destination = result ? destinationOf(result) : nullptr;
  if (!destination || !destination->get().getDefiningOp<tensor::EmptyOp>())
    return nullptr;
  return result.getOwner();
}

/// Where a padded value goes into its padded tensor.
struct Interior {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};

/// Makes `producer` write `source` into `interior` of the padded tensor `makePadded` builds
/// right before it (CSE merges equal tensor.empty ops, so the producer's own is not
/// reused), and returns that padded tensor.
Value writeIntoInterior(RewriterBase &rewriter, Operation *producer, Value source,
                        const Interior &interior,
                        function_ref<Value(RewriterBase &)> makePadded) {
  rewriter.setInsertionPoint(producer);
  Value padded = makePadded(rewriter);
  Value slice = rewriter.create<tensor::ExtractSliceOp>(
      source.getLoc(), cast<RankedTensorType>(source.getType()), padded, interior.offsets,
      interior.sizes, interior.strides);
  OpOperand *destination = destinationOf(cast<OpResult>(source));
  rewriter.modifyOpInPlace(producer, [&] { destination->set(slice); });
  return padded;
}

/// A statically shaped tensor.pad with a constant value: the padded tensor is a fill.
void decomposePad(RewriterBase &rewriter, tensor::PadOp pad) {
  auto sourceType = dyn_cast<RankedTensorType>(pad.getSourceType());
  Value padValue = pad.getConstantPaddingValue();
  Attribute padAttr;
  if (!sourceType || !sourceType.hasStaticShape() || !pad.getResultType().hasStaticShape() ||
      !padValue || !matchPattern(padValue, m_Constant(&padAttr)) || !pad.getLow().empty() ||
      !pad.getHigh().empty())
    return;
  Operation *producer = producerIntoEmpty(pad.getSource());
  if (!producer)
    return;
  MLIRContext *context = rewriter.getContext();
  Interior interior{getAsIndexOpFoldResult(context, pad.getStaticLow()),
                    getAsIndexOpFoldResult(context, sourceType.getShape()),
                    SmallVector<OpFoldResult>(sourceType.getRank(), rewriter.getIndexAttr(1))};
  Value padded = writeIntoInterior(
      rewriter, producer, pad.getSource(), interior, [&](RewriterBase &builder) {
        Location loc = pad.getLoc();
        Value value = builder.create<arith::ConstantOp>(loc, cast<TypedAttr>(padAttr));
        Value empty = builder.create<tensor::EmptyOp>(loc, pad.getResultType().getShape(),
                                                      sourceType.getElementType());
        return builder.create<linalg::FillOp>(loc, value, empty).getResult(0);
      });
  rewriter.setInsertionPoint(pad);
  rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(pad, pad.getSource(), padded,
                                                     interior.offsets, interior.sizes,
                                                     interior.strides);
}

/// A tensor.insert_slice into a tensor that an op without side effects computes from fresh
/// statically shaped tensors and scalars alone (a fill, or kiln-parallelize's tasks filling
/// one): that op is cloned right before the inserted value's producer, when every scalar
/// and every value its regions read is defined there.
void decomposeInsertion(RewriterBase &rewriter, DominanceInfo &dominance,
                        tensor::InsertSliceOp insert) {
  Operation *initializer = insert.getDest().getDefiningOp();
  Operation *producer = producerIntoEmpty(insert.getSource());
  if (!initializer || !producer || initializer->getNumResults() != 1 ||
      !insert.getOffsets().empty() || !insert.getSizes().empty() ||
      !insert.getStrides().empty() || !isMemoryEffectFree(initializer))
    return;
  auto definedAtProducer = [&](Value value) {
    return dominance.properlyDominates(value, producer);
  };
  SetVector<Value> readInside;
  getUsedValuesDefinedAbove(initializer->getRegions(), readInside);
  if (!llvm::all_of(readInside, definedAtProducer) ||
      !llvm::all_of(initializer->getOperands(), [&](Value operand) {
        auto empty = operand.getDefiningOp<tensor::EmptyOp>();
        if (empty)
          return empty.getDynamicSizes().empty();
        return !isa<TensorType>(operand.getType()) && definedAtProducer(operand);
      }))
    return;
  Interior interior{insert.getMixedOffsets(), insert.getMixedSizes(), insert.getMixedStrides()};
  Value padded = writeIntoInterior(
      rewriter, producer, insert.getSource(), interior, [&](RewriterBase &builder) {
        IRMapping fresh;
        for (Value operand : initializer->getOperands())
          if (auto empty = operand.getDefiningOp<tensor::EmptyOp>())
            fresh.map(operand, builder.clone(*empty)->getResult(0));
        return builder.clone(*initializer, fresh)->getResult(0);
      });
  rewriter.modifyOpInPlace(insert, [&] { insert.getDestMutable().assign(padded); });
}

struct KilnDecomposePadsPass : kiln::impl::KilnDecomposePadsPassBase<KilnDecomposePadsPass> {
  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    SmallVector<tensor::InsertSliceOp> insertions;
    getOperation().walk([&](Operation *op) {
      if (auto pad = dyn_cast<tensor::PadOp>(op))
        pads.push_back(pad);
      else if (auto insert = dyn_cast<tensor::InsertSliceOp>(op))
        insertions.push_back(insert);
    });
    IRRewriter rewriter(&getContext());
    for (tensor::PadOp pad : pads)
      decomposePad(rewriter, pad);
    DominanceInfo dominance(getOperation());
    for (tensor::InsertSliceOp insert : insertions)
      decomposeInsertion(rewriter, dominance, insert);
  }
};

} // namespace
