//===- Pooling.cpp - kiln pooling ops to linalg ---------------------------===//
//
// Windows become linalg.pooling_nchw_{max,sum} over an explicitly padded input. ceil_mode is
// extra padding at the end; average pooling divides by a per-position count computed by
// pooling a tensor of ones, so every padding rule is one formula.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/ShapeRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace kiln;

namespace {

struct Window {
  SmallVector<int64_t, 2> kernel, strides, dilations;
  SmallVector<int64_t, 4> low, high; // per NCHW dimension, explicit + ceil-mode padding
  SmallVector<int64_t, 4> ceilExtra; // the part of `high` that ceil mode added
};

Window makeWindow(RankedTensorType input, RankedTensorType output, ArrayRef<int64_t> kernel,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                  ArrayRef<int64_t> dilations) {
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides.assign(strides.begin(), strides.end());
  w.dilations.assign(dilations.begin(), dilations.end());
  w.low = {0, 0, pads[0], pads[1]};
  w.high = {0, 0, pads[2], pads[3]};
  w.ceilExtra = {0, 0, 0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t extra = ceilModeExtraPadding(input.getDimSize(2 + i), kernel[i], strides[i],
                                         pads[i], pads[i + 2], dilations[i],
                                         output.getDimSize(2 + i));
    w.ceilExtra[2 + i] = extra;
    w.high[2 + i] += extra;
  }
  return w;
}

/// Runs a named pooling op over `input` (already padded) into `init`.
template <typename PoolOp>
Value pool(OpBuilder &b, Location loc, Value input, Value init, const Window &w) {
  auto initType = cast<RankedTensorType>(init.getType());
  Value windowShape = b.create<tensor::EmptyOp>(loc, w.kernel, initType.getElementType());
  return b
      .create<PoolOp>(loc, initType, ValueRange{input, windowShape}, init,
                      b.getI64TensorAttr(w.strides), b.getI64TensorAttr(w.dilations))
      .getResult(0);
}

struct MaxPool2DLowering : OpRewritePattern<MaxPool2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MaxPool2DOp op, PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getOutput().getType();
    Window w = makeWindow(op.getInput().getType(), resultType, op.getKernel(), op.getStrides(),
                          op.getPads(), op.getDilations());
    // Padding holds the lowest value, so it never wins a window.
    Value lowest = lowestValue(rewriter, loc, resultType.getElementType());
    Value input = padTensor(rewriter, loc, op.getInput(), w.low, w.high, lowest);
    Value init = rewriter.create<tensor::EmptyOp>(loc, resultType.getShape(),
                                                  resultType.getElementType());
    init = rewriter.create<linalg::FillOp>(loc, lowest, init).getResult(0);
    rewriter.replaceOp(op, pool<linalg::PoolingNchwMaxOp>(rewriter, loc, input, init, w));
    return success();
  }
};

struct AvgPool2DLowering : OpRewritePattern<AvgPool2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AvgPool2DOp op, PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType inputType = op.getInput().getType();
    RankedTensorType resultType = op.getOutput().getType();
    Type element = resultType.getElementType();
    int64_t unitDilations[] = {1, 1};
    Window w = makeWindow(inputType, resultType, op.getKernel(), op.getStrides(), op.getPads(),
                          unitDilations);
    Value zero = scalarConstant(rewriter, loc, element, 0.0);
    Value input = padTensor(rewriter, loc, op.getInput(), w.low, w.high, zero);
    Value sums = pool<linalg::PoolingNchwSumOp>(rewriter, loc, input,
                                                filledTensor(rewriter, loc, resultType, 0.0), w);

    bool padded = llvm::any_of(w.high, [](int64_t p) { return p != 0; }) ||
                  llvm::any_of(w.low, [](int64_t p) { return p != 0; });
    if (!padded) {
      double area = static_cast<double>(w.kernel[0] * w.kernel[1]);
      rewriter.replaceOp(op, buildBroadcastGeneric(
                                 rewriter, loc, resultType, sums,
                                 [&](OpBuilder &b, Location l, ValueRange args) {
                                   return b.create<arith::DivFOp>(
                                       l, args[0], scalarConstant(b, l, element, area));
                                 }));
      return success();
    }
    // Count the positions each window averages: ones where the divisor counts (the input,
    // plus explicit padding with count_include_pad), zeros elsewhere, pooled by sum.
    SmallVector<int64_t, 4> countLow = {0, 0, 0, 0}, countHigh = w.ceilExtra;
    SmallVector<int64_t> onesShape = {1, 1, inputType.getDimSize(2), inputType.getDimSize(3)};
    if (op.getCountIncludePad()) {
      for (int d = 2; d < 4; ++d)
        onesShape[d] += w.low[d] + (w.high[d] - w.ceilExtra[d]);
    } else {
      countLow = w.low;
      countHigh = w.high;
    }
    Value ones = filledTensor(rewriter, loc, RankedTensorType::get(onesShape, element), 1.0);
    Value paddedOnes = padTensor(rewriter, loc, ones, countLow, countHigh, zero);
    auto countType = RankedTensorType::get(
        {1, 1, resultType.getDimSize(2), resultType.getDimSize(3)}, element);
    Value counts = pool<linalg::PoolingNchwSumOp>(rewriter, loc, paddedOnes,
                                                  filledTensor(rewriter, loc, countType, 0.0), w);
    rewriter.replaceOp(op, buildBroadcastGeneric(
                               rewriter, loc, resultType, ValueRange{sums, counts},
                               [](OpBuilder &b, Location l, ValueRange args) {
                                 return b.create<arith::DivFOp>(l, args[0], args[1]);
                               }));
    return success();
  }
};

} // namespace

void kiln::populateKilnPoolingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPool2DLowering, AvgPool2DLowering>(patterns.getContext());
}
