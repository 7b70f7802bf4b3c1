//===- OpsNN.cpp - ONNX convolution, gemm, normalisation and pooling ------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/ImportContext.h"

using namespace mlir;
using namespace kiln::onnx_import;

namespace {

/// Resolves ONNX's auto_pad (or explicit `pads`) into [top, left, bottom, right].
FailureOr<SmallVector<int64_t>> windowPads(NodeContext &ctx, ArrayRef<int64_t> inputSpatial,
                                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                           ArrayRef<int64_t> dilations) {
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    SmallVector<int64_t> pads = ctx.intsAttr("pads");
    if (pads.empty())
      pads.assign(4, 0);
    if (pads.size() != 4) {
      ctx.error() << "pads " << pads.size() << " entries, expected 4 for 2-D";
      return failure();
    }
    return pads;
  }
  SmallVector<int64_t> pads(4, 0);
  if (autoPad == "VALID")
    return pads;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER") {
    ctx.error() << "unsupported attribute value auto_pad=" << autoPad;
    return failure();
  }
  for (int i = 0; i < 2; ++i) {
    int64_t out = (inputSpatial[i] + strides[i] - 1) / strides[i];
    int64_t span = dilations[i] * (kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + span - inputSpatial[i]);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + 2] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

SmallVector<int64_t> intsOr(NodeContext &ctx, StringRef name, SmallVector<int64_t> dflt) {
  SmallVector<int64_t> v = ctx.intsAttr(name);
  return v.empty() ? dflt : v;
}

LogicalResult require2D(NodeContext &ctx, RankedTensorType type) {
  if (type.getRank() == 4)
    return success();
  return ctx.error() << "only 2-D (N x C x H x W) inputs are supported, got rank "
                     << type.getRank();
}

LogicalResult importConv(NodeContext &ctx) {
  RankedTensorType inType = ctx.inputType(0), wType = ctx.inputType(1);
  if (!inType || !wType || failed(require2D(ctx, inType)))
    return failure();
  if (wType.getRank() != 4)
    return ctx.error() << "filter must have rank 4, got " << wType.getRank();
  SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
  SmallVector<int64_t> declared = ctx.intsAttr("kernel_shape");
  if (!declared.empty() && declared != kernel)
    return ctx.error() << "kernel_shape does not match the filter's spatial shape";
  SmallVector<int64_t> strides = intsOr(ctx, "strides", {1, 1});
  SmallVector<int64_t> dilations = intsOr(ctx, "dilations", {1, 1});
  auto pads = windowPads(ctx, inType.getShape().drop_front(2), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  // Inputs are looked up in order, so parameters get arguments in the node's input order.
  Value input = ctx.input(0), filter = ctx.input(1);
  Value bias = ctx.hasInput(2) ? ctx.input(2) : Value();
  if (ctx.hasInput(2) && !bias)
    return failure();
  OpBuilder &b = ctx.builder();
  return ctx.setResult(ctx.createInferred<kiln::Conv2DOp>(
      input, filter, bias, b.getDenseI64ArrayAttr(strides),
      b.getDenseI64ArrayAttr(*pads), b.getDenseI64ArrayAttr(dilations),
      b.getI64IntegerAttr(ctx.intAttr("group", 1))));
}

LogicalResult importGemm(NodeContext &ctx) {
  Value a = ctx.input(0), bMatrix = ctx.input(1);
  Value c = ctx.hasInput(2) ? ctx.input(2) : Value();
  if (!a || !bMatrix || (ctx.hasInput(2) && !c))
    return failure();
  OpBuilder &b = ctx.builder();
  return ctx.setResult(ctx.createInferred<kiln::GemmOp>(
      a, bMatrix, c, b.getBoolAttr(ctx.intAttr("transA", 0)),
      b.getBoolAttr(ctx.intAttr("transB", 0)), b.getF64FloatAttr(ctx.floatAttr("alpha", 1.0f)),
      b.getF64FloatAttr(ctx.floatAttr("beta", 1.0f))));
}

LogicalResult importMatMul(NodeContext &ctx) {
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  if (!lhs || !rhs)
    return failure();
  return ctx.setResult(ctx.createInferred<kiln::MatMulOp>(lhs, rhs));
}

LogicalResult importBatchNorm(NodeContext &ctx) {
  if (ctx.intAttr("training_mode", 0) != 0)
    return ctx.error() << "unsupported attribute value training_mode=1 (training-mode batch "
                          "norm comes with kilnc --train)";
  if (ctx.hasAttr("spatial") && ctx.intAttr("spatial", 1) != 1)
    return ctx.error() << "unsupported attribute value spatial=0";
  Value x = ctx.input(0), scale = ctx.input(1), bias = ctx.input(2), mean = ctx.input(3),
        variance = ctx.input(4);
  if (!x || !scale || !bias || !mean || !variance)
    return failure();
  return ctx.setResult(ctx.create<kiln::BatchNormInferenceOp>(
      x.getType(), x, scale, bias, mean, variance,
      ctx.builder().getF64FloatAttr(ctx.floatAttr("epsilon", 1e-5f))));
}

template <bool IsMax> LogicalResult importPool(NodeContext &ctx) {
  RankedTensorType inType = ctx.inputType(0);
  if (!inType || failed(require2D(ctx, inType)))
    return failure();
  SmallVector<int64_t> kernel = ctx.intsAttr("kernel_shape");
  if (kernel.size() != 2)
    return ctx.error() << "kernel_shape must have 2 entries for 2-D pooling";
  SmallVector<int64_t> strides = intsOr(ctx, "strides", {1, 1});
  SmallVector<int64_t> dilations = intsOr(ctx, "dilations", {1, 1});
  if (!IsMax && dilations != SmallVector<int64_t>{1, 1})
    return ctx.error() << "unsupported attribute value: dilated average pooling";
  auto pads = windowPads(ctx, inType.getShape().drop_front(2), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  OpBuilder &b = ctx.builder();
  bool ceil = ctx.intAttr("ceil_mode", 0) != 0;
  FailureOr<Value> result;
  if (IsMax) {
    if (ctx.intAttr("storage_order", 0) != 0 && ctx.outputUsed(1))
      return ctx.error() << "unsupported attribute value storage_order=1";
    result = ctx.createInferred<kiln::MaxPool2DOp>(
        ctx.input(0), b.getDenseI64ArrayAttr(kernel), b.getDenseI64ArrayAttr(strides),
        b.getDenseI64ArrayAttr(*pads), b.getDenseI64ArrayAttr(dilations), b.getBoolAttr(ceil));
  } else {
    result = ctx.createInferred<kiln::AvgPool2DOp>(
        ctx.input(0), b.getDenseI64ArrayAttr(kernel), b.getDenseI64ArrayAttr(strides),
        b.getDenseI64ArrayAttr(*pads), b.getBoolAttr(ceil),
        b.getBoolAttr(ctx.intAttr("count_include_pad", 0) != 0));
  }
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}

template <typename OpTy> LogicalResult importGlobalPool(NodeContext &ctx) {
  return ctx.setResult(ctx.createInferred<OpTy>(ctx.input(0)));
}

/// Softmax before opset 13 flattens to 2-D at `axis` and normalises the trailing block;
/// from 13 on it normalises one axis.
template <typename OpTy> LogicalResult importSoftmax(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  bool legacy = ctx.opset() < 13;
  auto axis = ctx.normalizeAxis(ctx.intAttr("axis", legacy ? 1 : -1), type.getRank());
  if (failed(axis))
    return failure();
  OpBuilder &b = ctx.builder();
  if (!legacy || *axis == type.getRank() - 1) {
    return ctx.setResult(ctx.create<OpTy>(ctx.input(0), b.getI64IntegerAttr(*axis)));
  }
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < type.getRank(); ++d)
    (d < *axis ? outer : inner) *= type.getDimSize(d);
  auto flatType = RankedTensorType::get({outer, inner}, type.getElementType());
  auto flat = ctx.create<kiln::ReshapeOp>(flatType, ctx.input(0));
  if (failed(flat))
    return failure();
  auto normalised = ctx.create<OpTy>(*flat, b.getI64IntegerAttr(1));
  if (failed(normalised))
    return failure();
  return ctx.setResult(ctx.create<kiln::ReshapeOp>(type, *normalised));
}

LogicalResult importDropout(NodeContext &ctx) {
  double ratio = ctx.floatAttr("ratio", 0.5f);
  if (ctx.opset() >= 12) {
    if (ctx.hasInput(2)) {
      auto training = ctx.constantScalar(2);
      if (failed(training))
        return failure();
      if (*training != 0.0)
        return ctx.error() << "unsupported: training_mode=true (training-mode dropout comes "
                              "with kilnc --train)";
    }
    if (ctx.hasInput(1)) {
      auto r = ctx.constantScalar(1);
      if (failed(r))
        return failure();
      ratio = *r;
    }
  }
  Value x = ctx.input(0);
  if (!x)
    return failure();
  return ctx.setResult(ctx.create<kiln::DropoutOp>(x, ctx.builder().getF64FloatAttr(ratio)));
}

} // namespace

void kiln::onnx_import::registerNNOps(OpRegistry &registry) {
  registry.add("Conv", 1, importConv);
  registry.add("Gemm", 7, importGemm);
  registry.add("MatMul", 1, importMatMul);
  registry.add("BatchNormalization", 7, importBatchNorm);
  registry.add("MaxPool", 7, importPool<true>);
  registry.add("AveragePool", 7, importPool<false>);
  registry.add("GlobalAveragePool", 1, importGlobalPool<kiln::GlobalAvgPoolOp>);
  registry.add("GlobalMaxPool", 1, importGlobalPool<kiln::GlobalMaxPoolOp>);
  registry.add("Softmax", 1, importSoftmax<kiln::SoftmaxOp>);
  registry.add("LogSoftmax", 1, importSoftmax<kiln::LogSoftmaxOp>);
  registry.add("Dropout", 7, importDropout);
}
