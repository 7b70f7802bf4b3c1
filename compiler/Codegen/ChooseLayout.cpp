//===- ChooseLayout.cpp - the kiln-choose-layout pass ---------------------===//
//
// The layout decision is made on the kiln graph, where the op and its shapes are still
// whole, and recorded as an attribute that kiln-to-linalg reads; the graph's NCHW semantics do
// not change. Ops left unmarked lower as before (NCHW, plain loops).
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCHOOSELAYOUTPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Convolutions and gradients the NHWC code path handles: one group, fp32, static shapes.
template <typename ConvLike>
bool prefersChannelsLast(ConvLike conv) {
  if (conv.getGroups() != 1)
    return false;
  for (Value operand : conv->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
      return false;
  }
  return true;
}

struct KilnChooseLayoutPass : kiln::impl::KilnChooseLayoutPassBase<KilnChooseLayoutPass> {
  void runOnOperation() override {
    Builder builder(&getContext());
    auto mark = [&](auto conv) {
      if (prefersChannelsLast(conv))
        conv->setAttr("kiln.layout", builder.getStringAttr("nhwc"));
    };
    // A max pool pools channels last when it reads a channels-last convolution's output
    // through shape-preserving ops (ResNet's stem: batch norm, ReLU): its transposes then
    // cancel the convolution's instead of moving the activation twice.
    auto markMaxPool = [&](kiln::MaxPool2DOp pool) {
      auto type = dyn_cast<RankedTensorType>(pool.getInput().getType());
      Operation *source = pool.getInput().getDefiningOp();
      while (source && !isa<kiln::Conv2DOp>(source) && source->getNumOperands() >= 1 &&
             source->getNumResults() == 1 &&
             source->getOperand(0).getType() == source->getResult(0).getType())
        source = source->getOperand(0).getDefiningOp();
      auto producer = dyn_cast_or_null<kiln::Conv2DOp>(source);
      if (type && type.hasStaticShape() && type.getElementType().isF32() && producer &&
          prefersChannelsLast(producer))
        pool->setAttr("kiln.layout", builder.getStringAttr("nhwc"));
    };
    getOperation().walk([&](Operation *op) {
      if (auto conv = dyn_cast<kiln::Conv2DOp>(op))
        mark(conv);
      else if (auto data = dyn_cast<kiln::Conv2DBackwardDataOp>(op))
        mark(data);
      else if (auto filter = dyn_cast<kiln::Conv2DBackwardFilterOp>(op))
        mark(filter);
      else if (auto pool = dyn_cast<kiln::MaxPool2DOp>(op))
        markMaxPool(pool);
    });
  }
};

} // namespace
