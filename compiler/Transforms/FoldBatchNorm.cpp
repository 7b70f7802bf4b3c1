//===- FoldBatchNorm.cpp - inference batch norm into its convolution ------===//
#include "compiler/Transforms/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/VjpUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFOLDBATCHNORMPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::vjp;

namespace {

/// Folds `norm` into the convolution producing its input, if that convolution has no other
/// user.
void foldIntoConvolution(BatchNormInferenceOp norm) {
  auto conv = norm.getInput().getDefiningOp<Conv2DOp>();
  if (!conv || !conv.getOutput().hasOneUse())
    return;
  RankedTensorType filterType = typeOf(conv.getFilter());
  if (!isa<FloatType>(filterType.getElementType()))
    return;
  OpBuilder b(norm);
  Location loc = norm.getLoc();
  // f = scale / sqrt(variance + epsilon), one factor per output channel.
  Value stddev = b.create<SqrtOp>(
      loc, add(b, loc, norm.getVariance(),
               scalarLike(b, loc, norm.getVariance(), norm.getEpsilon().convertToDouble())));
  Value factor = div(b, loc, norm.getScale(), stddev);
  int64_t channels = filterType.getDimSize(0);
  auto column = RankedTensorType::get({channels, 1, 1, 1}, filterType.getElementType());
  Value filter = mul(b, loc, conv.getFilter(), reshape(b, loc, factor, column));
  Value centred = conv.getBias() ? sub(b, loc, conv.getBias(), norm.getMean())
                                 : b.create<NegOp>(loc, norm.getMean());
  Value bias = add(b, loc, mul(b, loc, centred, factor), norm.getBias());
  auto folded = b.create<Conv2DOp>(loc, conv.getOutput().getType(), conv.getInput(), filter,
                                   bias, conv.getStridesAttr(), conv.getPadsAttr(),
                                   conv.getDilationsAttr(), conv.getGroupsAttr());
  norm.getOutput().replaceAllUsesWith(folded.getOutput());
  norm.erase();
  conv.erase();
}

struct KilnFoldBatchNormPass : kiln::impl::KilnFoldBatchNormPassBase<KilnFoldBatchNormPass> {
  using KilnFoldBatchNormPassBase::KilnFoldBatchNormPassBase;

  void runOnOperation() override {
    SmallVector<BatchNormInferenceOp> norms;
    getOperation().walk([&](BatchNormInferenceOp op) { norms.push_back(op); });
    for (BatchNormInferenceOp norm : norms)
      foldIntoConvolution(norm);
  }
};

} // namespace
