//===- ChannelsLast.cpp - convolutions and their gradients in NHWC --------===//
//
// All three are one linalg.conv_2d_nhwc_hwcf (out[n,h,w,f] += in[n, h*s + kh*d, w*s + kw*d, c]
// * filter[kh,kw,c,f]) on rearranged operands, so that one tiled, vectorized kernel serves
// the forward pass and both gradients:
//  - forward: input NHWC padded on H and W, filter HWCF;
//  - input gradient: the output gradient, spread out by the stride inside a (K-1)*d halo,
//    correlated with the filter flipped in kh/kw and with F and C swapped, at the unpadded
//    input positions only (the NCHW reference computes the padded extent and crops). With a
//    stride s > 1 (and no dilation) most of that spread would be zeros, so the gradient is
//    split by output phase instead: the input rows p = q*s + ph receive only the taps
//    kh = ph (mod s), which is a stride-1 convolution of the unspread gradient with those
//    taps, written into every s-th row. The s*s phase convolutions do exactly the forward
//    pass's multiply-adds;
//  - filter gradient: the roles swapped: C as the batch, N as the reduced channel, the output
//    gradient (OH x OW x N x F) as the window, the forward stride as the window's dilation
//    and the forward dilation as the stride; the result C x KH x KW x F. A 1x1 filter without
//    padding is the exception: its gradient is one matmul, dY (F x N*OH*OW) times the
//    stride-sampled input (N*OH*OW x C), which gives the F x C filter layout directly. As a
//    convolution its register tile would be one output pixel wide (KW = 1), a quarter of
//    the accumulators a matmul tile keeps.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/KilnToLinalg/ChannelsLast.h"
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace kiln;

namespace {

// Permutations from kiln's FCHW filters (and, for gradients, other layouts) to the operands
// of conv_2d_nhwc_hwcf and back; the activations' are in ChannelsLast.h.
constexpr int64_t kFchwToHwcf[] = {2, 3, 1, 0};
constexpr int64_t kNchwToChwn[] = {1, 2, 3, 0}; // filter gradient: C is the batch
constexpr int64_t kNchwToHwnf[] = {2, 3, 0, 1}; // filter gradient: dY is the window
constexpr int64_t kChwfToFchw[] = {3, 0, 1, 2};
constexpr int64_t kNfhwToFnhw[] = {1, 0, 2, 3}; // 1x1 filter gradient: F rows of the matmul

Value convNhwcHwcf(OpBuilder &b, Location loc, Value input, Value filter, Value init,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  return b
      .create<linalg::Conv2DNhwcHwcfOp>(loc, init.getType(), ValueRange{input, filter}, init,
                                        b.getI64TensorAttr(strides),
                                        b.getI64TensorAttr(dilations))
      .getResult(0);
}

RankedTensorType withShape(Value like, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, cast<RankedTensorType>(like.getType()).getElementType());
}

/// value[offsets : offsets + sizes * strides : strides]; unit strides when none are given.
Value slice(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> offsets,
            ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides = {}) {
  SmallVector<int64_t> steps(strides);
  steps.resize(sizes.size(), 1);
  return b.create<tensor::ExtractSliceOp>(
      loc, withShape(value, sizes), value, getAsIndexOpFoldResult(b.getContext(), offsets),
      getAsIndexOpFoldResult(b.getContext(), sizes), getAsIndexOpFoldResult(b.getContext(), steps));
}

/// The filter gradient of a 1x1, unpadded convolution as a matmul over (n, oh, ow): the
/// output gradient [F, N*OH*OW] times the input sampled at the stride [N*OH*OW, C].
Value pointwiseFilterGradient(PatternRewriter &rewriter, Conv2DBackwardFilterOp op) {
  Location loc = op.getLoc();
  RankedTensorType filterType = op.getFilterGrad().getType();
  auto dyType = cast<RankedTensorType>(op.getOutputGrad().getType());
  int64_t n = dyType.getDimSize(0), f = dyType.getDimSize(1), oh = dyType.getDimSize(2),
          ow = dyType.getDimSize(3), c = filterType.getDimSize(1);
  ArrayRef<int64_t> strides = op.getStrides();
  Value sampled = slice(rewriter, loc, op.getInput(), {0, 0, 0, 0}, {n, c, oh, ow},
                        {1, 1, strides[0], strides[1]});
  int64_t pixels = n * oh * ow;
  Value x = transposeTensor(rewriter, loc, sampled, kNchwToNhwc);
  x = rewriter.create<tensor::CollapseShapeOp>(loc, withShape(x, {pixels, c}), x,
                                               ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
  Value dy = transposeTensor(rewriter, loc, op.getOutputGrad(), kNfhwToFnhw);
  dy = rewriter.create<tensor::CollapseShapeOp>(loc, withShape(dy, {f, pixels}), dy,
                                                ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  auto gradType = RankedTensorType::get({f, c}, filterType.getElementType());
  Value grad = rewriter
                   .create<linalg::MatmulOp>(loc, gradType, ValueRange{dy, x},
                                             filledTensor(rewriter, loc, gradType, 0))
                   .getResult(0);
  return rewriter.create<tensor::ExpandShapeOp>(loc, filterType, grad,
                                                ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
}

/// One output phase along one spatial dimension of a strided input gradient: its input
/// positions first + k*stride (k < count), how many filter taps reach them, and the dy row
/// where the phase convolution's window starts (rows before 0 or past the end are zeros).
struct Phase {
  int64_t first = 0, count = 0, taps = 0, window = 0;
};

/// The phase of padded positions p = phase (mod stride) over an input of `size` positions
/// behind `padLow` pads, for a `kernel`-tap filter.
Phase phaseAlong(int64_t phase, int64_t stride, int64_t kernel, int64_t padLow, int64_t size) {
  Phase result;
  result.taps = llvm::divideCeilSigned(kernel - phase, stride);
  int64_t q0 = llvm::divideCeilSigned(padLow - phase, stride),
          q1 = llvm::divideFloorSigned(padLow + size - 1 - phase, stride);
  result.count = std::max<int64_t>(0, q1 - q0 + 1);
  result.first = q0 * stride + phase - padLow;
  // Input position p = q*s + phase gets dy[q - j] * w[phase + s*j]: the window starts at
  // dy row q0 - (taps - 1).
  result.window = q0 - (result.taps - 1);
  return result;
}

/// The rows [window, window + extent) of NHWC `dy` along `dim`, zeros where they fall outside.
Value windowAlong(PatternRewriter &rewriter, Location loc, Value dy, int64_t dim,
                  int64_t window, int64_t extent) {
  auto shape = cast<RankedTensorType>(dy.getType()).getShape();
  int64_t begin = std::max<int64_t>(0, window),
          end = std::min<int64_t>(shape[dim], window + extent);
  SmallVector<int64_t> offsets(4, 0), sizes(shape);
  offsets[dim] = begin;
  sizes[dim] = std::max<int64_t>(0, end - begin);
  Value inside = slice(rewriter, loc, dy, offsets, sizes);
  SmallVector<int64_t> low(4, 0), high(4, 0);
  low[dim] = begin - window;
  high[dim] = extent - sizes[dim] - low[dim];
  if (low[dim] == 0 && high[dim] == 0)
    return inside;
  Type element = cast<RankedTensorType>(dy.getType()).getElementType();
  return padTensor(rewriter, loc, inside, low, high, scalarConstant(rewriter, loc, element, 0));
}

/// flipped[i, j, f, c] = w[f, c, KH - 1 - i, KW - 1 - j]: the filter an input gradient's
/// convolution reads, flipped, with F and C swapped (for the input gradient C is the output);
/// a strided input gradient's phases read strided slices of it. The loops run in the
/// filter's own order (f, c, then the taps), so that the taps read one after the other lie
/// together in one filter row; in the taps' order each tap swept all the rows of a task
/// again (LLVM vectorizes the copy along c with gathers either way). With kiln-parallelize
/// splitting the flips into tasks, a layer-4 stride-2 input gradient went from 12.8 to 10.0
/// ms; the split alone gained about 10 %.
Value flippedFilter(OpBuilder &b, Location loc, Value filter) {
  auto filterType = cast<RankedTensorType>(filter.getType());
  int64_t f = filterType.getDimSize(0), c = filterType.getDimSize(1),
          kh = filterType.getDimSize(2), kw = filterType.getDimSize(3);
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  MLIRContext *ctx = b.getContext();
  AffineMap read = AffineMap::get(4, 0, {d(0), d(1), kh - 1 - d(2), kw - 1 - d(3)}, ctx);
  AffineMap write = AffineMap::get(4, 0, {d(2), d(3), d(0), d(1)}, ctx);
  Value init = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{kh, kw, f, c},
                                         filterType.getElementType());
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  return b
      .create<linalg::GenericOp>(loc, init.getType(), filter, init,
                                 ArrayRef<AffineMap>{read, write}, iterators,
                                 [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
                                   nested.create<linalg::YieldOp>(nestedLoc, args[0]);
                                 })
      .getResult(0);
}

/// The input gradient of a strided, undilated convolution as s_h * s_w phase convolutions
/// (the file comment); `dy` is NHWC, the result NHWC.
Value phaseSplitInputGradient(PatternRewriter &rewriter, Conv2DBackwardDataOp op, Value dy) {
  Location loc = op.getLoc();
  RankedTensorType inputType = op.getInputGrad().getType();
  auto filterType = cast<RankedTensorType>(op.getFilter().getType());
  Type element = inputType.getElementType();
  ArrayRef<int64_t> pads = op.getPads(), strides = op.getStrides();
  int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1),
          h = inputType.getDimSize(2), w = inputType.getDimSize(3);
  int64_t kh = filterType.getDimSize(2), kw = filterType.getDimSize(3);
  MLIRContext *ctx = rewriter.getContext();
  auto gradType = RankedTensorType::get({n, h, w, c}, element);

  SmallVector<std::pair<Phase, Phase>> phases;
  bool covered = true; // every input position lies in a phase with taps
  for (int64_t ph = 0; ph < strides[0]; ++ph) {
    for (int64_t pw = 0; pw < strides[1]; ++pw) {
      Phase rows = phaseAlong(ph, strides[0], kh, pads[0], h),
            cols = phaseAlong(pw, strides[1], kw, pads[1], w);
      if (rows.count == 0 || cols.count == 0)
        continue;
      if (rows.taps <= 0 || cols.taps <= 0) {
        covered = false;
        continue;
      }
      phases.push_back({rows, cols});
    }
  }
  // Phases without taps leave zeros; when every position gets taps, nothing is filled.
  Value grad = covered ? Value(rewriter.create<tensor::EmptyOp>(loc, gradType.getShape(), element))
                       : filledTensor(rewriter, loc, gradType, 0);
  // The whole filter flipped once, each phase's taps a strided slice of it: a flip per phase
  // read the whole filter each time, across its 3 x 3 taps (25 % of a layer-4 stride-2 input
  // gradient on one thread, four flips of a 9.4-MB filter).
  Value flipped = flippedFilter(rewriter, loc, op.getFilter());
  int64_t f = filterType.getDimSize(0);
  for (auto [rows, cols] : phases) {
    // Taps phase + s*(taps-1-j) in window order: flipped, F and C swapped.
    int64_t tapH = (rows.first + pads[0]) % strides[0] + strides[0] * (rows.taps - 1);
    int64_t tapW = (cols.first + pads[1]) % strides[1] + strides[1] * (cols.taps - 1);
    Value filter = rewriter.create<tensor::ExtractSliceOp>(
        loc, flipped, getAsIndexOpFoldResult(ctx, {kh - 1 - tapH, kw - 1 - tapW, 0, 0}),
        getAsIndexOpFoldResult(ctx, {rows.taps, cols.taps, f, c}),
        getAsIndexOpFoldResult(ctx, {strides[0], strides[1], 1, 1}));
    Value window = windowAlong(rewriter, loc, dy, 1, rows.window, rows.count + rows.taps - 1);
    window = windowAlong(rewriter, loc, window, 2, cols.window, cols.count + cols.taps - 1);
    auto phaseType = RankedTensorType::get({n, rows.count, cols.count, c}, element);
    Value phase = convNhwcHwcf(rewriter, loc, window, filter,
                               filledTensor(rewriter, loc, phaseType, 0), {1, 1}, {1, 1});
    grad = rewriter.create<tensor::InsertSliceOp>(
        loc, phase, grad, getAsIndexOpFoldResult(ctx, {0, rows.first, cols.first, 0}),
        getAsIndexOpFoldResult(ctx, {n, rows.count, cols.count, c}),
        getAsIndexOpFoldResult(ctx, {1, strides[0], strides[1], 1}));
  }
  return grad;
}

} // namespace

bool kiln::isMarkedChannelsLast(Operation *op) {
  auto layout = op->getAttrOfType<StringAttr>("kiln.layout");
  return layout && layout.getValue() == "nhwc";
}

Value kiln::lowerConvChannelsLast(PatternRewriter &rewriter, Conv2DOp op) {
  Location loc = op.getLoc();
  auto resultType = op.getOutput().getType();
  Type element = resultType.getElementType();
  ArrayRef<int64_t> pads = op.getPads();
  Value input = transposeTensor(rewriter, loc, op.getInput(), kNchwToNhwc);
  input = padTensor(rewriter, loc, input, {0, pads[0], pads[1], 0}, {0, pads[2], pads[3], 0},
                    scalarConstant(rewriter, loc, element, 0));
  Value filter = transposeTensor(rewriter, loc, op.getFilter(), kFchwToHwcf);
  ArrayRef<int64_t> shape = resultType.getShape();
  auto nhwcType = RankedTensorType::get({shape[0], shape[2], shape[3], shape[1]}, element);
  Value init = op.getBias() ? broadcastAlong(rewriter, loc, nhwcType, op.getBias(), 3)
                            : filledTensor(rewriter, loc, nhwcType, 0.0);
  Value conv = convNhwcHwcf(rewriter, loc, input, filter, init, op.getStrides(),
                            op.getDilations());
  return transposeTensor(rewriter, loc, conv, kNhwcToNchw);
}

Value kiln::lowerConvBackwardDataChannelsLast(PatternRewriter &rewriter,
                                              Conv2DBackwardDataOp op) {
  Location loc = op.getLoc();
  RankedTensorType inputType = op.getInputGrad().getType();
  auto filterType = cast<RankedTensorType>(op.getFilter().getType());
  auto dyType = cast<RankedTensorType>(op.getOutputGrad().getType());
  Type element = inputType.getElementType();
  ArrayRef<int64_t> pads = op.getPads(), strides = op.getStrides(),
                    dilations = op.getDilations();
  int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1);
  int64_t f = filterType.getDimSize(0), kh = filterType.getDimSize(2),
          kw = filterType.getDimSize(3);
  int64_t hp = inputType.getDimSize(2) + pads[0] + pads[2];
  int64_t wp = inputType.getDimSize(3) + pads[1] + pads[3];
  int64_t haloH = (kh - 1) * dilations[0], haloW = (kw - 1) * dilations[1];

  Value dy = transposeTensor(rewriter, loc, op.getOutputGrad(), kNchwToNhwc);
  bool strided = llvm::any_of(strides, [](int64_t stride) { return stride > 1; });
  bool dilated = llvm::any_of(dilations, [](int64_t dilation) { return dilation > 1; });
  if (strided && !dilated)
    return transposeTensor(rewriter, loc, phaseSplitInputGradient(rewriter, op, dy),
                           kNhwcToNchw);
  auto spreadType = RankedTensorType::get({n, hp + haloH, wp + haloW, f}, element);
  Value spread = rewriter.create<tensor::InsertSliceOp>(
      loc, dy, filledTensor(rewriter, loc, spreadType, 0),
      getAsIndexOpFoldResult(rewriter.getContext(), {0, haloH, haloW, 0}),
      getAsIndexOpFoldResult(rewriter.getContext(),
                             {n, dyType.getDimSize(2), dyType.getDimSize(3), f}),
      getAsIndexOpFoldResult(rewriter.getContext(), {1, strides[0], strides[1], 1}));

  Value flipped = flippedFilter(rewriter, loc, op.getFilter());

  // Only the unpadded positions are computed: the window starts pads[0] rows into the
  // spread (computing the padded extent and cropping it cost 13-56 % more multiply-adds on
  // ResNet-20's 32x32 to 8x8 maps).
  int64_t h = inputType.getDimSize(2), w = inputType.getDimSize(3);
  Value window = slice(rewriter, loc, spread, {0, pads[0], pads[1], 0},
                       {n, h + haloH, w + haloW, f});
  auto gradType = RankedTensorType::get({n, h, w, c}, element);
  Value grad = convNhwcHwcf(rewriter, loc, window, flipped,
                            filledTensor(rewriter, loc, gradType, 0), {1, 1}, dilations);
  return transposeTensor(rewriter, loc, grad, kNhwcToNchw);
}

Value kiln::lowerConvBackwardFilterChannelsLast(PatternRewriter &rewriter,
                                                Conv2DBackwardFilterOp op) {
  Location loc = op.getLoc();
  RankedTensorType filterType = op.getFilterGrad().getType();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto dyType = cast<RankedTensorType>(op.getOutputGrad().getType());
  Type element = filterType.getElementType();
  ArrayRef<int64_t> pads = op.getPads(), strides = op.getStrides(),
                    dilations = op.getDilations();
  int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1);
  int64_t f = filterType.getDimSize(0), kh = filterType.getDimSize(2),
          kw = filterType.getDimSize(3);
  int64_t oh = dyType.getDimSize(2), ow = dyType.getDimSize(3);
  if (kh == 1 && kw == 1 && llvm::all_of(pads, [](int64_t pad) { return pad == 0; }))
    return pointwiseFilterGradient(rewriter, op);

  Value x = transposeTensor(rewriter, loc, op.getInput(), kNchwToChwn);
  x = padTensor(rewriter, loc, x, {0, pads[0], pads[1], 0}, {0, pads[2], pads[3], 0},
                scalarConstant(rewriter, loc, element, 0));
  // Rows and columns past the last forward window (when the stride does not divide the
  // padded extent) would add extra filter taps: keep exactly the covered extent.
  int64_t coveredH = (oh - 1) * strides[0] + (kh - 1) * dilations[0] + 1;
  int64_t coveredW = (ow - 1) * strides[1] + (kw - 1) * dilations[1] + 1;
  auto paddedShape = cast<RankedTensorType>(x.getType()).getShape();
  if (paddedShape[1] != coveredH || paddedShape[2] != coveredW)
    x = slice(rewriter, loc, x, {0, 0, 0, 0}, {c, coveredH, coveredW, n});
  Value dy = transposeTensor(rewriter, loc, op.getOutputGrad(), kNchwToHwnf);
  auto gradType = RankedTensorType::get({c, kh, kw, f}, element);
  Value grad = convNhwcHwcf(rewriter, loc, x, dy, filledTensor(rewriter, loc, gradType, 0),
                            dilations, strides);
  return transposeTensor(rewriter, loc, grad, kChwfToFchw);
}
