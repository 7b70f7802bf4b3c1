//===- DecomposePads.cpp - the kiln-decompose-pads pass -------------------===//
//
// A padded convolution input bufferizes as a new buffer, a fill of its border and a copy of
// the input into its interior: in a CIFAR ResNet-20 training step those copies were about
// 4 % of the samples, each re-reading an activation its producer had just written. When the input
// is computed by an op that writes into a fresh tensor (a tensor.empty), this pass makes
// that op write into the interior of the padded tensor instead, the same rewrite upstream's
// empty-tensor elimination makes for subset insertions: the producer's destination becomes
// a slice of the filled padded tensor, and the pad an insertion of the result back into that
// slice, which bufferizes to nothing. Upstream's pass itself also rewrote the insertions
// into kiln's in-place gradient buffers, which bufferization then could not honour.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

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

/// Rewrites `pad` when its source is written into a tensor.empty (whose contents are
/// undefined, so the producer may as well start from the padded tensor's zeros): the padded
/// tensor is filled first, the producer writes into its interior, and the pad becomes the
/// insertion of the result into that interior.
void writeSourceIntoPadded(RewriterBase &rewriter, tensor::PadOp pad) {
  auto sourceType = dyn_cast<RankedTensorType>(pad.getSourceType());
  Value padValue = pad.getConstantPaddingValue();
  Attribute padAttr;
  if (!sourceType || !sourceType.hasStaticShape() || !pad.getResultType().hasStaticShape() ||
      !padValue || !matchPattern(padValue, m_Constant(&padAttr)) || !pad.getLow().empty() ||
      !pad.getHigh().empty())
    return;
  auto result = dyn_cast<OpResult>(pad.getSource());
  OpOperand *destination = result ? destinationOf(result) : nullptr;
  if (!destination || !destination->get().getDefiningOp<tensor::EmptyOp>())
    return;

  // Right before the producer: CSE has merged equal tensor.empty ops, whose other users
  // keep theirs.
  Operation *producer = result.getOwner();
  rewriter.setInsertionPoint(producer);
  Location loc = pad.getLoc();
  Value zero = rewriter.create<arith::ConstantOp>(loc, cast<TypedAttr>(padAttr));
  Value paddedEmpty = rewriter.create<tensor::EmptyOp>(loc, pad.getResultType().getShape(),
                                                       sourceType.getElementType());
  Value filled = rewriter.create<linalg::FillOp>(loc, zero, paddedEmpty).getResult(0);
  SmallVector<OpFoldResult> offsets = getAsIndexOpFoldResult(rewriter.getContext(),
                                                             pad.getStaticLow());
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(rewriter.getContext(), sourceType.getShape());
  SmallVector<OpFoldResult> strides(sourceType.getRank(), rewriter.getIndexAttr(1));
  Value interior =
      rewriter.create<tensor::ExtractSliceOp>(loc, sourceType, filled, offsets, sizes, strides);
  rewriter.modifyOpInPlace(producer, [&] { destination->set(interior); });
  rewriter.setInsertionPoint(pad);
  rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(pad, pad.getSource(), filled, offsets,
                                                     sizes, strides);
}

struct KilnDecomposePadsPass : kiln::impl::KilnDecomposePadsPassBase<KilnDecomposePadsPass> {
  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    getOperation().walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    IRRewriter rewriter(&getContext());
    for (tensor::PadOp pad : pads)
      writeSourceIntoPadded(rewriter, pad);
  }
};

} // namespace
