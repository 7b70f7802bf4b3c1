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
// honour. Since the producer then writes the whole interior, only the border around it is
// filled: zeroing every padded buffer whole was 8 % of a ResNet-20 training step's samples
// (a memset of up to 2.6 MB per padded activation or gradient, most of it overwritten).
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

/// The tensor of `type` that holds `value` around `interior` and whatever the producer writes
/// into `interior`: fills of the slabs around it, built from a tensor.empty in place (each
/// slab a fill of an extract_slice inserted back where it came from). Slab d spans the
/// interior in the dimensions before d, the border in d and the whole extent after d, so
/// the slabs tile the border without overlap. A strided or dynamic interior is filled whole.
Value fillAround(OpBuilder &builder, Location loc, RankedTensorType type, TypedAttr value,
                 const Interior &interior) {
  Value constant = builder.create<arith::ConstantOp>(loc, value);
  Value padded = builder.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  std::optional<SmallVector<int64_t>> offsets = getConstantIntValues(interior.offsets);
  std::optional<SmallVector<int64_t>> sizes = getConstantIntValues(interior.sizes);
  if (!offsets || !sizes || !llvm::all_of(interior.strides, [](OpFoldResult stride) {
        return isConstantIntValue(stride, 1);
      }))
    return builder.create<linalg::FillOp>(loc, constant, padded).getResult(0);
  int64_t rank = type.getRank();
  for (int64_t dim = 0; dim < rank; ++dim) {
    int64_t interiorEnd = (*offsets)[dim] + (*sizes)[dim];
    std::pair<int64_t, int64_t> borders[] = {{0, (*offsets)[dim]},
                                             {interiorEnd, type.getDimSize(dim) - interiorEnd}};
    for (auto [start, extent] : borders) {
      if (extent <= 0)
        continue;
      SmallVector<int64_t> slabOffsets(rank, 0), slabSizes(type.getShape());
      for (int64_t before = 0; before < dim; ++before) {
        slabOffsets[before] = (*offsets)[before];
        slabSizes[before] = (*sizes)[before];
      }
      slabOffsets[dim] = start;
      slabSizes[dim] = extent;
      SmallVector<OpFoldResult> mixedOffsets = getAsIndexOpFoldResult(builder.getContext(),
                                                                      slabOffsets);
      SmallVector<OpFoldResult> mixedSizes = getAsIndexOpFoldResult(builder.getContext(),
                                                                    slabSizes);
      SmallVector<OpFoldResult> unitStrides(rank, builder.getIndexAttr(1));
      Value slab = builder.create<tensor::ExtractSliceOp>(loc, padded, mixedOffsets, mixedSizes,
                                                          unitStrides);
      Value filled = builder.create<linalg::FillOp>(loc, constant, slab).getResult(0);
      padded = builder.create<tensor::InsertSliceOp>(loc, filled, padded, mixedOffsets,
                                                     mixedSizes, unitStrides);
    }
  }
  return padded;
}

/// The constant with which `initializer` fills a fresh tensor: a linalg.fill of a
/// tensor.empty, or kiln-parallelize's tasks each filling a slice of one; null otherwise.
TypedAttr constantFillOf(Operation *initializer) {
  auto constantOf = [](linalg::FillOp fill) {
    TypedAttr value;
    return matchPattern(fill.value(), m_Constant(&value)) ? value : TypedAttr();
  };
  if (auto fill = dyn_cast<linalg::FillOp>(initializer))
    return fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>() ? constantOf(fill) : nullptr;
  auto forall = dyn_cast<scf::ForallOp>(initializer);
  if (!forall || forall.getNumResults() != 1 ||
      !forall.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
    return nullptr;
  // The body: a slice of the shared output, its fill, and the fill's insertion.
  BlockArgument shared = forall.getRegionIterArgs()[0];
  auto body = forall.getBody()->without_terminator();
  auto yielding = forall.getTerminator().getYieldingOps();
  if (std::distance(body.begin(), body.end()) != 2 ||
      std::distance(yielding.begin(), yielding.end()) != 1)
    return nullptr;
  auto slice = dyn_cast<tensor::ExtractSliceOp>(*body.begin());
  auto fill = dyn_cast<linalg::FillOp>(*std::next(body.begin()));
  auto insert = dyn_cast<tensor::ParallelInsertSliceOp>(*yielding.begin());
  if (!slice || !fill || !insert || slice.getSource() != shared ||
      fill.getOutputs()[0] != slice.getResult() || insert.getSource() != fill.getResult(0) ||
      insert.getDest() != shared)
    return nullptr;
  return constantOf(fill);
}

/// Moves `insert`, the insertion of a value into the interior its producer now writes, right
/// after that producer, and makes the value's other users read it back from the padded
/// tensor. Otherwise one-shot bufferization sees each later read of the value (a residual
/// add, an activation kept for the backward pass) as reading a buffer that the insertion
/// has written since, and gives the producer a buffer of its own, copied out of the padded
/// one before and into it after: 4 % of a ResNet-20 training step.
void readBackFromPadded(RewriterBase &rewriter, tensor::InsertSliceOp insert) {
  Value value = insert.getSource();
  Operation *producer = value.getDefiningOp();
  if (!producer || producer->getBlock() != insert->getBlock() || value.hasOneUse())
    return;
  rewriter.moveOpAfter(insert, producer);
  rewriter.setInsertionPointAfter(insert);
  Value readBack = rewriter.create<tensor::ExtractSliceOp>(
      insert.getLoc(), insert.getSourceType(), insert.getResult(), insert.getMixedOffsets(),
      insert.getMixedSizes(), insert.getMixedStrides());
  rewriter.replaceUsesWithIf(value, readBack,
                             [&](OpOperand &use) { return use.getOwner() != insert; });
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
        return fillAround(builder, pad.getLoc(), pad.getResultType(), cast<TypedAttr>(padAttr),
                          interior);
      });
  rewriter.setInsertionPoint(pad);
  auto insert = rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
      pad, pad.getSource(), padded, interior.offsets, interior.sizes, interior.strides);
  readBackFromPadded(rewriter, insert);
}

/// A tensor.insert_slice into a constant fill of a fresh tensor (a linalg.fill, or
/// kiln-parallelize's tasks filling one): the border around the slice is filled right
/// before the inserted value's producer. Into a tensor that another op without side effects
/// computes from fresh statically shaped tensors and scalars alone: that op is cloned there,
/// when every scalar and every value its regions read is defined there.
void decomposeInsertion(RewriterBase &rewriter, DominanceInfo &dominance,
                        tensor::InsertSliceOp insert) {
  Operation *initializer = insert.getDest().getDefiningOp();
  Operation *producer = producerIntoEmpty(insert.getSource());
  if (!initializer || !producer || initializer->getNumResults() != 1 ||
      !insert.getOffsets().empty() || !insert.getSizes().empty() || !insert.getStrides().empty())
    return;
  Interior interior{insert.getMixedOffsets(), insert.getMixedSizes(), insert.getMixedStrides()};
  if (TypedAttr value = constantFillOf(initializer)) {
    Value padded = writeIntoInterior(
        rewriter, producer, insert.getSource(), interior, [&](RewriterBase &builder) {
          return fillAround(builder, insert.getLoc(), insert.getDestType(), value, interior);
        });
    rewriter.modifyOpInPlace(insert, [&] { insert.getDestMutable().assign(padded); });
    readBackFromPadded(rewriter, insert);
    // Tasks are not erased as dead code (their insertions declare no memory effects), and
    // would fill a buffer of their own.
    if (initializer->use_empty())
      rewriter.eraseOp(initializer);
    return;
  }
  if (!isMemoryEffectFree(initializer))
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
  Value padded = writeIntoInterior(
      rewriter, producer, insert.getSource(), interior, [&](RewriterBase &builder) {
        IRMapping fresh;
        for (Value operand : initializer->getOperands())
          if (auto empty = operand.getDefiningOp<tensor::EmptyOp>())
            fresh.map(operand, builder.clone(*empty)->getResult(0));
        return builder.clone(*initializer, fresh)->getResult(0);
      });
  rewriter.modifyOpInPlace(insert, [&] { insert.getDestMutable().assign(padded); });
  readBackFromPadded(rewriter, insert);
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
