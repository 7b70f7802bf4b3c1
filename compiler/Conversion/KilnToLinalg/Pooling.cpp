//===- Pooling.cpp - kiln pooling ops to linalg ---------------------------===//
//
// Windows become linalg.pooling_nchw_{max,sum} over an explicitly padded input (a max pool
// kiln-choose-layout marked channels last: linalg.pooling_nhwc_max). ceil_mode is extra
// padding at the end; average pooling divides by a per-position count computed by pooling a
// tensor of ones, so every padding rule is one formula.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/KilnToLinalg/ChannelsLast.h"
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/ShapeRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

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

/// How many positions each window of an average pool divides by, as a 1 x 1 x OH x OW tensor:
/// ones where the divisor counts (the input, plus explicit padding with count_include_pad),
/// zeros elsewhere, pooled by sum.
Value averageCounts(OpBuilder &b, Location loc, RankedTensorType inputType,
                    RankedTensorType resultType, const Window &w, bool countIncludePad) {
  Type element = resultType.getElementType();
  Value zero = scalarConstant(b, loc, element, 0.0);
  SmallVector<int64_t, 4> countLow = {0, 0, 0, 0}, countHigh = w.ceilExtra;
  SmallVector<int64_t> onesShape = {1, 1, inputType.getDimSize(2), inputType.getDimSize(3)};
  if (countIncludePad) {
    for (int d = 2; d < 4; ++d)
      onesShape[d] += w.low[d] + (w.high[d] - w.ceilExtra[d]);
  } else {
    countLow = w.low;
    countHigh = w.high;
  }
  Value ones = filledTensor(b, loc, RankedTensorType::get(onesShape, element), 1.0);
  Value paddedOnes = padTensor(b, loc, ones, countLow, countHigh, zero);
  auto countType = RankedTensorType::get(
      {1, 1, resultType.getDimSize(2), resultType.getDimSize(3)}, element);
  return pool<linalg::PoolingNchwSumOp>(b, loc, paddedOnes, filledTensor(b, loc, countType, 0.0),
                                        w);
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
    if (isMarkedChannelsLast(op)) {
      // Between channels-last convolutions: the transposes fold into their neighbours
      // (kiln-fold-transposes) and the channels run contiguously through each window.
      Value input = transposeTensor(rewriter, loc, op.getInput(), kNchwToNhwc);
      input = padTensor(rewriter, loc, input, {0, w.low[2], w.low[3], 0},
                        {0, w.high[2], w.high[3], 0}, lowest);
      ArrayRef<int64_t> shape = resultType.getShape();
      Value init = rewriter.create<tensor::EmptyOp>(
          loc, ArrayRef<int64_t>{shape[0], shape[2], shape[3], shape[1]},
          resultType.getElementType());
      init = rewriter.create<linalg::FillOp>(loc, lowest, init).getResult(0);
      Value pooled = pool<linalg::PoolingNhwcMaxOp>(rewriter, loc, input, init, w);
      rewriter.replaceOp(op, transposeTensor(rewriter, loc, pooled, kNhwcToNchw));
      return success();
    }
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
    Value counts = averageCounts(rewriter, loc, inputType, resultType, w,
                                 op.getCountIncludePad());
    rewriter.replaceOp(op, buildBroadcastGeneric(
                               rewriter, loc, resultType, ValueRange{sums, counts},
                               [](OpBuilder &b, Location l, ValueRange args) {
                                 return b.create<arith::DivFOp>(l, args[0], args[1]);
                               }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gradients
//===----------------------------------------------------------------------===//

/// Routes window gradients back to input positions, as a gather: padded input position
/// (ih, iw) and window offset (kh, kw) belong to output (oh, ow) when ih = oh*s + kh*d (and
/// likewise for w). `contribution(b, loc, n, c, oh, ow, kh, kw)` gives what that window sends
/// there. The result covers the padded input; the caller crops it.
using ContributionFn =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange /*n, c, oh, ow, kh, kw*/)>;

Value gatherWindowGradients(OpBuilder &b, Location loc, RankedTensorType paddedType,
                            RankedTensorType outputType, const Window &w,
                            ContributionFn contribution) {
  MLIRContext *ctx = b.getContext();
  // The window-shaped operand only gives the kh, kw loops their bounds.
  Value windowShape = b.create<tensor::EmptyOp>(loc, w.kernel, paddedType.getElementType());
  AffineMap windowMap =
      AffineMap::get(6, 0, {getAffineDimExpr(4, ctx), getAffineDimExpr(5, ctx)}, ctx);
  AffineMap outMap = AffineMap::getMultiDimIdentityMap(6, ctx).getMajorSubMap(4);
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.append(2, utils::IteratorType::reduction);
  return b
      .create<linalg::GenericOp>(
          loc, paddedType, windowShape, filledTensor(b, loc, paddedType, 0.0),
          ArrayRef<AffineMap>{windowMap, outMap}, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            SmallVector<Value> idx;
            for (int64_t d = 0; d < 6; ++d)
              idx.push_back(nb.create<linalg::IndexOp>(nl, d));
            Value zero = nb.create<arith::ConstantIndexOp>(nl, 0);
            Value valid = nb.create<arith::ConstantIntOp>(nl, 1, 1);
            SmallVector<Value> outIndex; // oh, ow, clamped to 0 where invalid
            for (int i = 0; i < 2; ++i) {
              Value offset = nb.create<arith::MulIOp>(
                  nl, idx[4 + i], nb.create<arith::ConstantIndexOp>(nl, w.dilations[i]));
              Value t = nb.create<arith::SubIOp>(nl, idx[2 + i], offset);
              Value stride = nb.create<arith::ConstantIndexOp>(nl, w.strides[i]);
              Value o = nb.create<arith::DivSIOp>(nl, t, stride);
              Value limit = nb.create<arith::ConstantIndexOp>(nl, outputType.getDimSize(2 + i));
              Value ok = nb.create<arith::AndIOp>(
                  nl, nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sge, t, zero),
                  nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::eq,
                                           nb.create<arith::RemSIOp>(nl, t, stride), zero));
              ok = nb.create<arith::AndIOp>(
                  nl, ok, nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::slt, o, limit));
              valid = nb.create<arith::AndIOp>(nl, valid, ok);
              outIndex.push_back(nb.create<arith::SelectOp>(nl, ok, o, zero));
            }
            Value value = contribution(
                nb, nl, {idx[0], idx[1], outIndex[0], outIndex[1], idx[4], idx[5]});
            Value sent = nb.create<arith::SelectOp>(
                nl, valid, value, scalarConstant(nb, nl, value.getType(), 0.0));
            nb.create<linalg::YieldOp>(nl, nb.create<arith::AddFOp>(nl, args[1], sent).getResult());
          })
      .getResult(0);
}

Value cropPadding(OpBuilder &b, Location loc, Value padded, RankedTensorType inputType,
                  const Window &w) {
  return b.create<tensor::ExtractSliceOp>(
      loc, inputType, padded, getAsIndexOpFoldResult(b.getContext(), w.low),
      getAsIndexOpFoldResult(b.getContext(), inputType.getShape()),
      getAsIndexOpFoldResult(b.getContext(), {1, 1, 1, 1}));
}

RankedTensorType paddedTypeOf(RankedTensorType inputType, const Window &w) {
  SmallVector<int64_t> shape(inputType.getShape());
  for (int d = 0; d < 4; ++d)
    shape[d] += w.low[d] + w.high[d];
  return RankedTensorType::get(shape, inputType.getElementType());
}

struct MaxPool2DBackwardLowering : OpRewritePattern<MaxPool2DBackwardOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MaxPool2DBackwardOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inputType = op.getInput().getType();
    RankedTensorType outputType = op.getOutputGrad().getType();
    Type element = inputType.getElementType();
    Window w = makeWindow(inputType, outputType, op.getKernel(), op.getStrides(), op.getPads(),
                          op.getDilations());
    Value lowest = lowestValue(rewriter, loc, element);
    Value input = padTensor(rewriter, loc, op.getInput(), w.low, w.high, lowest);

    // Pass 1: the row-major index (kh * KW + kw) of each window's first maximum. The running
    // maximum is read back from the input at the current winner rather than carried as a
    // second result: a result nobody uses still needs a buffer, and once the op is split into
    // parallel tasks that buffer would be allocated inside every task.
    MLIRContext *ctx = getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap inputMap = AffineMap::get(
        6, 0, {d(0), d(1), d(2) * w.strides[0] + d(4) * w.dilations[0],
               d(3) * w.strides[1] + d(5) * w.dilations[1]},
        ctx);
    AffineMap outMap = AffineMap::getMultiDimIdentityMap(6, ctx).getMajorSubMap(4);
    AffineMap windowMap = AffineMap::get(6, 0, {d(4), d(5)}, ctx);
    Value windowShape = rewriter.create<tensor::EmptyOp>(loc, w.kernel, element);
    auto indexType = RankedTensorType::get(outputType.getShape(), rewriter.getI64Type());
    Value indexInit = filledTensor(rewriter, loc, indexType, 0);
    SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
    iterators.append(2, utils::IteratorType::reduction);
    int64_t kernelW = w.kernel[1];
    auto argmax = rewriter.create<linalg::GenericOp>(
        loc, indexType, ValueRange{input, windowShape}, indexInit,
        ArrayRef<AffineMap>{inputMap, windowMap, outMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto index = [&](int64_t v) { return b.create<arith::ConstantIndexOp>(l, v); };
          Value kh = b.create<linalg::IndexOp>(l, 4), kw = b.create<linalg::IndexOp>(l, 5);
          Value flat = b.create<arith::AddIOp>(l, b.create<arith::MulIOp>(l, kh, index(kernelW)),
                                               kw);
          // Where the current winner sits in the padded input.
          Value winner = b.create<arith::IndexCastOp>(l, b.getIndexType(), args[2]);
          SmallVector<Value, 4> at = {b.create<linalg::IndexOp>(l, 0),
                                      b.create<linalg::IndexOp>(l, 1)};
          Value winnerOffset[2] = {b.create<arith::DivUIOp>(l, winner, index(kernelW)),
                                   b.create<arith::RemUIOp>(l, winner, index(kernelW))};
          for (int i = 0; i < 2; ++i)
            at.push_back(b.create<arith::AddIOp>(
                l,
                b.create<arith::MulIOp>(l, b.create<linalg::IndexOp>(l, 2 + i),
                                        index(w.strides[i])),
                b.create<arith::MulIOp>(l, winnerOffset[i], index(w.dilations[i]))));
          Value best = b.create<tensor::ExtractOp>(l, input, at);
          // Strictly greater: a later equal value does not take over (first maximum wins).
          Value better = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, args[0], best);
          Value flat64 = b.create<arith::IndexCastOp>(l, b.getI64Type(), flat);
          b.create<linalg::YieldOp>(
              l, b.create<arith::SelectOp>(l, better, flat64, args[2]).getResult());
        });
    Value winners = argmax.getResult(0);
    Value dy = op.getOutputGrad();

    // Pass 2: each position collects the gradients of the windows it won.
    Value padded = gatherWindowGradients(
        rewriter, loc, paddedTypeOf(inputType, w), outputType, w,
        [&](OpBuilder &b, Location l, ValueRange i) -> Value {
          Value winner = b.create<tensor::ExtractOp>(l, winners, ValueRange{i[0], i[1], i[2], i[3]});
          Value flat = b.create<arith::AddIOp>(
              l, b.create<arith::MulIOp>(l, i[4], b.create<arith::ConstantIndexOp>(l, kernelW)),
              i[5]);
          Value won = b.create<arith::CmpIOp>(
              l, arith::CmpIPredicate::eq, winner,
              b.create<arith::IndexCastOp>(l, b.getI64Type(), flat));
          Value grad = b.create<tensor::ExtractOp>(l, dy, ValueRange{i[0], i[1], i[2], i[3]});
          return b.create<arith::SelectOp>(l, won, grad, scalarConstant(b, l, element, 0.0));
        });
    rewriter.replaceOp(op, cropPadding(rewriter, loc, padded, inputType, w));
    return success();
  }
};

struct AvgPool2DBackwardLowering : OpRewritePattern<AvgPool2DBackwardOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AvgPool2DBackwardOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inputType = op.getInputGrad().getType();
    RankedTensorType outputType = op.getOutputGrad().getType();
    int64_t unitDilations[] = {1, 1};
    Window w = makeWindow(inputType, outputType, op.getKernel(), op.getStrides(), op.getPads(),
                          unitDilations);
    // Each window sends dy / (its divisor) to every position it averaged.
    Value counts = averageCounts(rewriter, loc, inputType, outputType, w,
                                 op.getCountIncludePad());
    Value shares = buildBroadcastGeneric(rewriter, loc, outputType,
                                         ValueRange{op.getOutputGrad(), counts},
                                         [](OpBuilder &b, Location l, ValueRange args) {
                                           return b.create<arith::DivFOp>(l, args[0], args[1]);
                                         });
    // Positions that only exist in padding are cropped below, so every valid window
    // position receives its share.
    Value padded = gatherWindowGradients(
        rewriter, loc, paddedTypeOf(inputType, w), outputType, w,
        [&](OpBuilder &b, Location l, ValueRange i) -> Value {
          return b.create<tensor::ExtractOp>(l, shares, ValueRange{i[0], i[1], i[2], i[3]});
        });
    rewriter.replaceOp(op, cropPadding(rewriter, loc, padded, inputType, w));
    return success();
  }
};

} // namespace

void kiln::populateKilnPoolingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPool2DLowering, AvgPool2DLowering, MaxPool2DBackwardLowering,
               AvgPool2DBackwardLowering>(patterns.getContext());
}
