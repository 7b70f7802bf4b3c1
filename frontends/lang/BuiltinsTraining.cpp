//===- BuiltinsTraining.cpp - the training graph's ops as functions --------===//
//
// The ops kilnc's training passes build (gradients of convolutions, pools and slices, batch
// norm on batch statistics, random numbers) are functions too, so that a model file can
// write a hand-made backward pass or a custom layer's gradient. Each takes the forward op's
// attributes under the forward function's argument names, plus the shape the gradient has
// when it cannot be read off an operand.
//
//===----------------------------------------------------------------------===//
#include "frontends/lang/Builtins.h"

#include "dialects/Kiln/IR/KilnOps.h"

using namespace mlir;
using namespace kiln::lang;
using llvm::StringRef;

namespace {

Datum none;
Datum integer(int64_t v) { return Datum::integer(v); }

/// The forward input's type for a gradient that cannot read it off an operand: `name` must
/// list the forward input's N x C x H x W sizes; the element type is the gradient's.
FailureOr<RankedTensorType> forwardImageType(const Arguments &args, StringRef name,
                                             Value outputGrad) {
  FailureOr<SmallVector<int64_t>> shape = shapeArgument(args, name);
  if (failed(shape))
    return failure();
  if (shape->size() != 4)
    return args.mismatch(name, "the forward input's 4 sizes (N, C, H, W)");
  return RankedTensorType::get(*shape,
                               cast<RankedTensorType>(outputGrad.getType()).getElementType());
}

/// stride, padding and dilation of a convolution whose input has type `input`.
struct ConvolutionGeometry {
  SmallVector<int64_t> strides, pads, dilations;
};
FailureOr<ConvolutionGeometry> convolutionGeometry(const Arguments &args, RankedTensorType input,
                                                   ArrayRef<int64_t> kernel) {
  FailureOr<SmallVector<int64_t>> strides = args.pair("stride"), dilations = args.pair("dilation");
  if (failed(strides) || failed(dilations))
    return failure();
  FailureOr<SmallVector<int64_t>> pads =
      resolvePads(args, "padding", input, kernel, *strides, *dilations);
  if (failed(pads))
    return failure();
  return ConvolutionGeometry{*strides, *pads, *dilations};
}

/// conv_backward_data(dy, w, input_shape, ...): the gradient of conv's input.
FailureOr<Datum> convBackwardData(Evaluator &evaluator, Arguments &args) {
  FailureOr<RankedTensorType> gradType = imageType(evaluator, args, "dy");
  FailureOr<Value> filter = args.tensor("w");
  FailureOr<int64_t> groups = args.integer("groups");
  if (failed(gradType) || failed(filter) || failed(groups))
    return failure();
  Value outputGrad = args.get("dy").getTensor();
  FailureOr<RankedTensorType> inputType = forwardImageType(args, "input_shape", outputGrad);
  if (failed(inputType))
    return failure();
  auto filterType = cast<RankedTensorType>(filter->getType());
  if (filterType.getRank() != 4)
    return evaluator.error(args.loc("w"), args.name() + ": the filter must be F x C x KH x KW");
  SmallVector<int64_t> kernel = {filterType.getDimSize(2), filterType.getDimSize(3)};
  FailureOr<ConvolutionGeometry> geometry = convolutionGeometry(args, *inputType, kernel);
  if (failed(geometry))
    return failure();
  return asDatum(evaluator.typed<kiln::Conv2DBackwardDataOp>(
      args.call(), args.name(), *inputType, outputGrad, *filter,
      ArrayRef<int64_t>(geometry->strides), ArrayRef<int64_t>(geometry->pads),
      ArrayRef<int64_t>(geometry->dilations), uint64_t(*groups)));
}

/// conv_backward_filter(x, dy, kernel, ...): the gradient of conv's filter.
FailureOr<Datum> convBackwardFilter(Evaluator &evaluator, Arguments &args) {
  FailureOr<RankedTensorType> inputType = imageType(evaluator, args, "x");
  FailureOr<RankedTensorType> gradType = imageType(evaluator, args, "dy");
  FailureOr<SmallVector<int64_t>> kernel = args.pair("kernel");
  FailureOr<int64_t> groups = args.integer("groups");
  if (failed(inputType) || failed(gradType) || failed(kernel) || failed(groups))
    return failure();
  int64_t channels = inputType->getDimSize(1);
  if (*groups < 1 || channels % *groups)
    return evaluator.error(args.loc("groups"), args.name() + ": groups (" +
                                                   std::to_string(*groups) +
                                                   ") must divide the input channels (" +
                                                   std::to_string(channels) + ")");
  FailureOr<ConvolutionGeometry> geometry = convolutionGeometry(args, *inputType, *kernel);
  if (failed(geometry))
    return failure();
  auto filterType = RankedTensorType::get(
      {gradType->getDimSize(1), channels / *groups, (*kernel)[0], (*kernel)[1]},
      inputType->getElementType());
  return asDatum(evaluator.typed<kiln::Conv2DBackwardFilterOp>(
      args.call(), args.name(), filterType, args.get("x").getTensor(), args.get("dy").getTensor(),
      ArrayRef<int64_t>(geometry->strides), ArrayRef<int64_t>(geometry->pads),
      ArrayRef<int64_t>(geometry->dilations), uint64_t(*groups)));
}

/// max_pool_backward(x, dy, kernel, ...): each window's gradient to its first maximum in x.
FailureOr<Datum> maxPoolBackward(Evaluator &evaluator, Arguments &args) {
  FailureOr<RankedTensorType> inputType = imageType(evaluator, args, "x");
  FailureOr<Value> outputGrad = args.tensor("dy");
  if (failed(inputType) || failed(outputGrad))
    return failure();
  FailureOr<PoolWindow> window = poolWindow(args, *inputType, /*withDilation=*/true);
  FailureOr<bool> ceil = args.boolean("ceil_mode");
  if (failed(window) || failed(ceil))
    return failure();
  return asDatum(evaluator.typed<kiln::MaxPool2DBackwardOp>(
      args.call(), args.name(), *inputType, args.get("x").getTensor(), *outputGrad,
      ArrayRef<int64_t>(window->kernel), ArrayRef<int64_t>(window->strides),
      ArrayRef<int64_t>(window->pads), ArrayRef<int64_t>(window->dilations), *ceil));
}

/// avg_pool_backward(dy, input_shape, kernel, ...): each window's gradient spread evenly.
FailureOr<Datum> avgPoolBackward(Evaluator &evaluator, Arguments &args) {
  FailureOr<RankedTensorType> gradType = imageType(evaluator, args, "dy");
  if (failed(gradType))
    return failure();
  Value outputGrad = args.get("dy").getTensor();
  FailureOr<RankedTensorType> inputType = forwardImageType(args, "input_shape", outputGrad);
  if (failed(inputType))
    return failure();
  FailureOr<PoolWindow> window = poolWindow(args, *inputType, /*withDilation=*/false);
  FailureOr<bool> ceil = args.boolean("ceil_mode"), countPad = args.boolean("count_include_pad");
  if (failed(window) || failed(ceil) || failed(countPad))
    return failure();
  return asDatum(evaluator.typed<kiln::AvgPool2DBackwardOp>(
      args.call(), args.name(), *inputType, outputGrad, ArrayRef<int64_t>(window->kernel),
      ArrayRef<int64_t>(window->strides), ArrayRef<int64_t>(window->pads), *ceil, *countPad));
}

/// slice_backward(dy, shape, starts, steps = 1): dy placed into zeros of `shape`.
FailureOr<Datum> sliceBackward(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> outputGrad = args.tensor("dy");
  FailureOr<SmallVector<int64_t>> shape = shapeArgument(args, "shape");
  FailureOr<SmallVector<int64_t>> starts = args.integers("starts"), steps = args.integers("steps");
  if (failed(outputGrad) || failed(shape) || failed(starts) || failed(steps))
    return failure();
  auto gradType = cast<RankedTensorType>(outputGrad->getType());
  // One step for every dimension, like an integer stride.
  if (steps->size() == 1)
    steps->resize(gradType.getRank(), steps->front());
  return asDatum(evaluator.typed<kiln::SliceBackwardOp>(
      args.call(), args.name(), gradType.clone(*shape), *outputGrad, ArrayRef<int64_t>(*starts),
      ArrayRef<int64_t>(*steps)));
}

/// batch_norm_training(x, scale, bias, epsilon): [y, mean, variance] of the batch.
FailureOr<Datum> batchNormTraining(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> x = args.tensor("x"), scale = args.tensor("scale"), bias = args.tensor("bias");
  FailureOr<double> epsilon = args.number("epsilon");
  if (failed(x) || failed(scale) || failed(bias) || failed(epsilon))
    return failure();
  if (*epsilon <= 0)
    return args.mismatch("epsilon", "positive");
  FailureOr<Operation *> op = evaluator.inferredOp<kiln::BatchNormTrainingOp>(
      args.call(), args.name(), /*numResults=*/3, *x, *scale, *bias, evaluator.builder().getF64FloatAttr(*epsilon));
  if (failed(op))
    return failure();
  std::vector<Datum> results;
  for (Value result : (*op)->getResults())
    results.push_back(Datum::tensor(result));
  return Datum::list(std::move(results));
}

/// random_uniform(seed, shape, stream = 0, dtype = "f32"): numbers in [0, 1) that depend on
/// the seed (an integer, or a rank-0 i64 tensor such as a model input) and the stream only.
FailureOr<Datum> randomUniform(Evaluator &evaluator, Arguments &args) {
  FailureOr<SmallVector<int64_t>> shape = shapeArgument(args, "shape");
  FailureOr<int64_t> stream = args.integer("stream");
  FailureOr<std::string> dtype = args.string("dtype");
  if (failed(shape) || failed(stream) || failed(dtype))
    return failure();
  OpBuilder &b = evaluator.builder();
  Type element = elementTypeNamed(b, *dtype);
  if (!isa_and_nonnull<FloatType>(element))
    return args.mismatch("dtype", "\"f32\" or \"f64\"");
  const Datum &given = args.get("seed");
  auto isScalarSeed = [](Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    return type.getRank() == 0 && type.getElementType().isInteger(64);
  };
  Value seed;
  if (given.is(Datum::Kind::Int)) {
    // Built here, not by Evaluator::scalar: a seed needs all 64 bits, not a double's 53.
    auto type = RankedTensorType::get({}, b.getI64Type());
    seed = b.create<kiln::ConstantOp>(evaluator.loc(args.loc("seed")),
                                      DenseElementsAttr::get(type, given.getInt()));
  }
  else if (given.is(Datum::Kind::Tensor) && isScalarSeed(given.getTensor()))
    seed = given.getTensor();
  else
    return args.mismatch("seed", "an integer or an i64 tensor of rank 0");
  return asDatum(evaluator.typed<kiln::RandomUniformOp>(
      args.call(), args.name(), RankedTensorType::get(*shape, element), seed,
      b.getI64IntegerAttr(*stream)));
}

} // namespace

void kiln::lang::registerTrainingBuiltins(BuiltinTable &table) {
  Datum f32 = Datum::string("f32");
  table["conv_backward_data"] = {{{"dy", {}},
                                  {"w", {}},
                                  {"input_shape", {}},
                                  {"stride", integer(1)},
                                  {"padding", integer(0)},
                                  {"dilation", integer(1)},
                                  {"groups", integer(1)}},
                                 convBackwardData};
  table["conv_backward_filter"] = {{{"x", {}},
                                    {"dy", {}},
                                    {"kernel", {}},
                                    {"stride", integer(1)},
                                    {"padding", integer(0)},
                                    {"dilation", integer(1)},
                                    {"groups", integer(1)}},
                                   convBackwardFilter};
  table["max_pool_backward"] = {{{"x", {}},
                                 {"dy", {}},
                                 {"kernel", {}},
                                 {"stride", none},
                                 {"padding", integer(0)},
                                 {"dilation", integer(1)},
                                 {"ceil_mode", Datum::boolean(false)}},
                                maxPoolBackward};
  table["avg_pool_backward"] = {{{"dy", {}},
                                 {"input_shape", {}},
                                 {"kernel", {}},
                                 {"stride", none},
                                 {"padding", integer(0)},
                                 {"ceil_mode", Datum::boolean(false)},
                                 {"count_include_pad", Datum::boolean(false)}},
                                avgPoolBackward};
  table["slice_backward"] = {{{"dy", {}}, {"shape", {}}, {"starts", {}}, {"steps", integer(1)}},
                             sliceBackward};
  table["batch_norm_training"] = {
      {{"x", {}}, {"scale", {}}, {"bias", {}}, {"epsilon", Datum::number(1e-5)}},
      batchNormTraining};
  table["random_uniform"] = {
      {{"seed", {}}, {"shape", {}}, {"stream", integer(0)}, {"dtype", f32}}, randomUniform};
}
