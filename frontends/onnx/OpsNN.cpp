//===- OpsNN.cpp - ONNX convolution, gemm, normalisation and pooling ------===//
//
// Importers keyed by (op type, since-opset); an op whose inputs or attributes changed in
// some opset has one importer per version.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/VjpUtils.h"
#include "frontends/onnx/ImportContext.h"

using namespace mlir;
using namespace kiln::onnx_import;
namespace vjp = kiln::vjp;

namespace {

/// Resolves ONNX's auto_pad (or explicit `pads`) into [top, left, bottom, right].
FailureOr<SmallVector<int64_t>> windowPads(NodeContext &ctx, ArrayRef<int64_t> inputSpatial,
                                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                           ArrayRef<int64_t> dilations) {
  for (auto [name, values] : {std::pair<StringRef, ArrayRef<int64_t>>{"strides", strides},
                              {"dilations", dilations}})
    if (values.size() != 2 || llvm::any_of(values, [](int64_t v) { return v < 1; }))
      return ctx.error() << name << " [" << values << "] must be 2 positive numbers for 2-D";
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    SmallVector<int64_t> pads = ctx.intsAttr("pads", {0, 0, 0, 0});
    if (pads.size() != 4)
      return ctx.error() << "pads has " << pads.size() << " entries, expected 4 for 2-D";
    return pads;
  }
  SmallVector<int64_t> pads(4, 0);
  if (autoPad == "VALID")
    return pads;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.unsupportedAttr("auto_pad", autoPad);
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
  SmallVector<int64_t> declared = ctx.intsAttr("kernel_shape", kernel);
  if (declared != kernel)
    return ctx.error() << "kernel_shape [" << declared
                       << "] does not match the filter's spatial shape " << wType;
  SmallVector<int64_t> strides = ctx.intsAttr("strides", {1, 1});
  SmallVector<int64_t> dilations = ctx.intsAttr("dilations", {1, 1});
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

/// BatchNormalization-14 with training_mode=1: normalises with the batch's statistics
/// (biased variance) and outputs the running statistics blended with them by `momentum`.
LogicalResult importBatchNormTraining(NodeContext &ctx) {
  Value x = ctx.input(0), scale = ctx.input(1), bias = ctx.input(2), mean = ctx.input(3),
        variance = ctx.input(4);
  if (!x || !scale || !bias || !mean || !variance)
    return failure();
  RankedTensorType xType = vjp::typeOf(x);
  if (xType.getRank() < 2)
    return ctx.error() << "expects N x C x ... input, got " << xType;
  auto channelType = RankedTensorType::get({xType.getDimSize(1)}, xType.getElementType());
  for (auto [index, v] : llvm::enumerate(ValueRange{scale, bias, mean, variance}))
    if (v.getType() != channelType)
      return ctx.error() << "input #" << index + 1 << " must be " << channelType << ", got "
                         << v.getType();
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  auto training = b.create<kiln::BatchNormTrainingOp>(
      loc, x, scale, bias, b.getF64FloatAttr(ctx.floatAttr("epsilon", 1e-5f)));
  double momentum = ctx.floatAttr("momentum", 0.9f);
  ctx.setOutput(0, training.getOutput());
  ctx.setOutput(1, vjp::blendRunning(b, loc, mean, training.getMean(), momentum));
  ctx.setOutput(2, vjp::blendRunning(b, loc, variance, training.getVariance(), momentum));
  return success();
}

/// BatchNormalization in its inference form; before opset 14 the statistics outputs
/// (training) are refused by the graph importer when a node reads them.
LogicalResult importBatchNorm(NodeContext &ctx) {
  if (ctx.intAttr("training_mode", 0) != 0)
    return importBatchNormTraining(ctx);
  // Before opset 14 the spec makes a node with statistics outputs a training-mode batch
  // norm (ONNX Runtime then normalises with the batch's statistics). Unread, they are
  // dropped, and the node normalises with its running statistics, as an exported eval-mode
  // model means; say so rather than differ silently.
  if (ctx.opset() < 14 && ctx.node().output_size() > 1)
    ctx.warning() << "statistics outputs make this a training-mode batch norm before opset "
                     "14; kiln imports the inference form, on running statistics (kilnc "
                     "--train switches to batch statistics itself)";
  if (ctx.intAttr("spatial", 1) != 1) // opsets 7 and 8
    return ctx.unsupportedAttr("spatial", "0");
  Value x = ctx.input(0), scale = ctx.input(1), bias = ctx.input(2), mean = ctx.input(3),
        variance = ctx.input(4);
  if (!x || !scale || !bias || !mean || !variance)
    return failure();
  return ctx.setResult(ctx.create<kiln::BatchNormInferenceOp>(
      x.getType(), x, scale, bias, mean, variance,
      ctx.builder().getF64FloatAttr(ctx.floatAttr("epsilon", 1e-5f))));
}

/// MaxPool and AveragePool over N x C x H x W. MaxPool's Indices output (and storage_order,
/// which only affects it) is refused by the graph importer when a node reads it.
template <bool IsMax> LogicalResult importPool(NodeContext &ctx) {
  RankedTensorType inType = ctx.inputType(0);
  if (!inType || failed(require2D(ctx, inType)))
    return failure();
  SmallVector<int64_t> kernel = ctx.intsAttr("kernel_shape");
  if (kernel.size() != 2)
    return ctx.error() << "kernel_shape must have 2 entries for 2-D pooling";
  SmallVector<int64_t> strides = ctx.intsAttr("strides", {1, 1});
  SmallVector<int64_t> dilations = ctx.intsAttr("dilations", {1, 1});
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(ctx, inType.getShape().drop_front(2), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  OpBuilder &b = ctx.builder();
  Value input = ctx.input(0);
  bool ceil = ctx.intAttr("ceil_mode", 0) != 0;
  if (IsMax)
    return ctx.setResult(ctx.createInferred<kiln::MaxPool2DOp>(
        input, b.getDenseI64ArrayAttr(kernel), b.getDenseI64ArrayAttr(strides),
        b.getDenseI64ArrayAttr(*pads), b.getDenseI64ArrayAttr(dilations), b.getBoolAttr(ceil)));
  return ctx.setResult(ctx.createInferred<kiln::AvgPool2DOp>(
      input, b.getDenseI64ArrayAttr(kernel), b.getDenseI64ArrayAttr(strides),
      b.getDenseI64ArrayAttr(*pads), b.getBoolAttr(ceil),
      b.getBoolAttr(ctx.intAttr("count_include_pad", 0) != 0)));
}

template <typename OpTy> LogicalResult importGlobalPool(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  return ctx.setResult(ctx.createInferred<OpTy>(x));
}

/// Softmax-1 and -11 coerce the input to 2-D at `axis` (default 1) and normalise each row:
/// a reshape around a softmax over axis 1, or one softmax when `axis` is the last axis.
template <typename OpTy> LogicalResult importSoftmaxCoerced(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  // axis == rank is valid for the coercion (an empty trailing block); kiln needs an axis.
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.intAttr("axis", 1), type.getRank());
  if (failed(axis))
    return failure();
  Value input = ctx.input(0);
  OpBuilder &b = ctx.builder();
  if (*axis == type.getRank() - 1)
    return ctx.setResult(ctx.create<OpTy>(input, b.getI64IntegerAttr(*axis)));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < type.getRank(); ++d)
    (d < *axis ? outer : inner) *= type.getDimSize(d);
  auto flatType = RankedTensorType::get({outer, inner}, type.getElementType());
  FailureOr<Value> flat = ctx.create<kiln::ReshapeOp>(flatType, input);
  if (failed(flat))
    return failure();
  FailureOr<Value> normalised = ctx.create<OpTy>(*flat, b.getI64IntegerAttr(1));
  if (failed(normalised))
    return failure();
  return ctx.setResult(ctx.create<kiln::ReshapeOp>(type, *normalised));
}

/// Softmax-13 normalises along one axis (default -1).
template <typename OpTy> LogicalResult importSoftmaxAxis(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.intAttr("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  return ctx.setResult(
      ctx.create<OpTy>(ctx.input(0), ctx.builder().getI64IntegerAttr(*axis)));
}

/// Inference dropout passes its input through; its mask output (Dropout-12) is all true.
LogicalResult buildDropout(NodeContext &ctx, double ratio) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  if (ctx.opset() >= 12 && ctx.outputUsed(1))
    ctx.setOutput(1, vjp::splat(ctx.builder(), ctx.loc(),
                                vjp::typeOf(x).clone(ctx.builder().getI1Type()), 1.0));
  return ctx.setResult(ctx.create<kiln::DropoutOp>(x, ctx.builder().getF64FloatAttr(ratio)));
}

/// Training-mode dropout (Dropout-12 with training_mode=true): keeps each element where a
/// uniform draw is >= ratio and scales it by 1 / (1 - ratio). The draws come from
/// kiln.random_uniform seeded by the node's `seed` attribute (0 if absent) with the node's
/// index as stream, so a compiled model draws the same mask on every run.
LogicalResult buildTrainingDropout(NodeContext &ctx, double ratio) {
  if (ratio < 0.0 || ratio >= 1.0)
    return ctx.error() << "ratio must be in [0, 1) in training mode, got " << ratio;
  if (ratio == 0.0)
    return buildDropout(ctx, ratio);
  Value x = ctx.input(0);
  if (!x)
    return failure();
  if (!vjp::isDifferentiable(x))
    return ctx.error() << "expects a float tensor, got " << x.getType();
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  auto seedType = RankedTensorType::get({}, b.getI64Type());
  Value seed = vjp::splat(b, loc, seedType, static_cast<double>(ctx.intAttr("seed", 0)));
  auto [output, keep] = vjp::trainingDropout(b, loc, x, seed, ctx.index(), ratio);
  ctx.setOutput(0, output);
  ctx.setOutput(1, keep);
  return success();
}

/// Dropout-7 and -10: the ratio is an attribute; inference passes the input through.
LogicalResult importDropoutAttr(NodeContext &ctx) {
  return buildDropout(ctx, ctx.floatAttr("ratio", 0.5f));
}

/// Dropout-12: ratio and training_mode are optional inputs, which must be constants.
LogicalResult importDropoutInputs(NodeContext &ctx) {
  bool training = false;
  if (ctx.hasInput(2)) {
    FailureOr<double> mode = ctx.constantScalar(2);
    if (failed(mode))
      return failure();
    training = *mode != 0.0;
  }
  double ratio = 0.5;
  if (ctx.hasInput(1)) {
    FailureOr<double> value = ctx.constantScalar(1);
    if (failed(value))
      return failure();
    ratio = *value;
  }
  return training ? buildTrainingDropout(ctx, ratio) : buildDropout(ctx, ratio);
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
  registry.add("Softmax", 1, importSoftmaxCoerced<kiln::SoftmaxOp>);
  registry.add("Softmax", 13, importSoftmaxAxis<kiln::SoftmaxOp>);
  registry.add("LogSoftmax", 1, importSoftmaxCoerced<kiln::LogSoftmaxOp>);
  registry.add("LogSoftmax", 13, importSoftmaxAxis<kiln::LogSoftmaxOp>);
  registry.add("Dropout", 7, importDropoutAttr);
  registry.add("Dropout", 12, importDropoutInputs);
}
