//===- BuiltinsLayers.cpp - layers: ops that own parameters ----------------===//
//
// conv2d, dense and batch_norm create their parameters under the layer's name, with
// PyTorch's keys and layouts (`<name>.weight` as [out, in, kh, kw] or [out, in], `.bias`,
// batch norm's `.running_mean` and `.running_var`), so a kiln checkpoint and a torchvision
// state_dict name the same tensors alike.
//
//===----------------------------------------------------------------------===//
#include "frontends/lang/Builtins.h"

#include "dialects/Kiln/IR/KilnOps.h"

using namespace mlir;
using namespace kiln::lang;
using llvm::StringRef;

namespace {

InitSpec glorotUniform() {
  InitSpec spec;
  spec.kind = InitSpec::Kind::GlorotUniform;
  return spec;
}
InitSpec filled(InitSpec::Kind kind) {
  InitSpec spec;
  spec.kind = kind;
  return spec;
}

/// The layer's name: required, because it is the stable part of its parameters' keys.
FailureOr<std::string> layerName(Evaluator &evaluator, const Arguments &args) {
  if (args.isNone("name"))
    return evaluator.error(args.call(), args.name() + " needs name = \"...\": its parameters' "
                                                      "checkpoint keys are built from it");
  FailureOr<std::string> name = args.string("name");
  if (failed(name))
    return failure();
  if (name->empty())
    return evaluator.error(args.loc("name"), args.name() + ": the name is empty");
  return evaluator.scoped(*name);
}

FailureOr<Datum> conv2d(Evaluator &evaluator, Arguments &args) {
  FailureOr<RankedTensorType> input = imageType(evaluator, args, "x");
  FailureOr<int64_t> filters = args.integer("filters"), groups = args.integer("groups");
  FailureOr<SmallVector<int64_t>> kernel = args.pair("kernel");
  FailureOr<bool> useBias = args.boolean("bias");
  FailureOr<InitSpec> kernelInit = args.init("kernel_init"), biasInit = args.init("bias_init");
  FailureOr<std::string> name = layerName(evaluator, args);
  if (failed(input) || failed(filters) || failed(groups) || failed(kernel) ||
      failed(useBias) || failed(kernelInit) || failed(biasInit) || failed(name))
    return failure();
  int64_t channels = input->getDimSize(1);
  if (*filters <= 0)
    return evaluator.error(args.loc("filters"), "conv2d: filters must be positive");
  if (*groups <= 0 || channels % *groups || *filters % *groups)
    return evaluator.error(args.loc("groups"),
                           "conv2d: groups (" + std::to_string(*groups) +
                               ") must divide the input channels (" + std::to_string(channels) +
                               ") and the filters (" + std::to_string(*filters) + ")");
  Type element = input->getElementType();
  auto weightType =
      RankedTensorType::get({*filters, channels / *groups, (*kernel)[0], (*kernel)[1]}, element);
  FailureOr<Value> weight =
      evaluator.addParameter(args.call(), *name + ".weight", weightType, *kernelInit);
  if (failed(weight))
    return failure();
  Value bias;
  if (*useBias) {
    FailureOr<Value> b = evaluator.addParameter(args.call(), *name + ".bias",
                                                RankedTensorType::get({*filters}, element),
                                                *biasInit);
    if (failed(b))
      return failure();
    bias = *b;
  }
  return asDatum(buildConvolution(evaluator, args, args.get("x").getTensor(), *weight, bias));
}

FailureOr<Datum> dense(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> x = args.tensor("x");
  FailureOr<int64_t> units = args.integer("units");
  FailureOr<bool> useBias = args.boolean("bias");
  FailureOr<InitSpec> kernelInit = args.init("kernel_init"), biasInit = args.init("bias_init");
  FailureOr<std::string> name = layerName(evaluator, args);
  if (failed(x) || failed(units) || failed(useBias) || failed(kernelInit) || failed(biasInit) ||
      failed(name))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  if (type.getRank() != 2)
    return evaluator.error(args.loc("x"), "dense needs a batch x features (rank 2) input, got " +
                                              args.get("x").describe() + "; flatten it first");
  if (*units <= 0)
    return evaluator.error(args.loc("units"), "dense: units must be positive");
  Type element = type.getElementType();
  // [out, in] as in PyTorch's nn.Linear; gemm reads it transposed.
  FailureOr<Value> weight = evaluator.addParameter(
      args.call(), *name + ".weight", RankedTensorType::get({*units, type.getDimSize(1)}, element),
      *kernelInit);
  if (failed(weight))
    return failure();
  Value bias;
  if (*useBias) {
    FailureOr<Value> b = evaluator.addParameter(
        args.call(), *name + ".bias", RankedTensorType::get({*units}, element), *biasInit);
    if (failed(b))
      return failure();
    bias = *b;
  }
  OpBuilder &b = evaluator.builder();
  return asDatum(evaluator.inferred<kiln::GemmOp>(
      args.call(), "dense", *x, *weight, bias, b.getBoolAttr(false), b.getBoolAttr(true),
      b.getF64FloatAttr(1.0), b.getF64FloatAttr(1.0)));
}

FailureOr<Datum> batchNorm(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> x = args.tensor("x");
  FailureOr<double> epsilon = args.number("epsilon");
  FailureOr<InitSpec> gammaInit = args.init("gamma_init"), betaInit = args.init("beta_init");
  FailureOr<std::string> name = layerName(evaluator, args);
  if (failed(x) || failed(epsilon) || failed(gammaInit) || failed(betaInit) || failed(name))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  if (type.getRank() < 2)
    return evaluator.error(args.loc("x"), "batch_norm needs channels in dimension 1, got " +
                                              args.get("x").describe());
  if (*epsilon <= 0)
    return evaluator.error(args.loc("epsilon"), "batch_norm: epsilon must be positive");
  auto channelType = RankedTensorType::get({type.getDimSize(1)}, type.getElementType());
  SmallVector<Value> operands;
  for (auto [suffix, init] :
       {std::pair<StringRef, InitSpec>{".weight", *gammaInit}, {".bias", *betaInit},
        {".running_mean", filled(InitSpec::Kind::Zeros)},
        {".running_var", filled(InitSpec::Kind::Ones)}}) {
    FailureOr<Value> parameter =
        evaluator.addParameter(args.call(), *name + suffix.str(), channelType, init);
    if (failed(parameter))
      return failure();
    operands.push_back(*parameter);
  }
  return asDatum(evaluator.typed<kiln::BatchNormInferenceOp>(
      args.call(), "batch_norm", type, *x, operands[0], operands[1], operands[2], operands[3],
      evaluator.builder().getF64FloatAttr(*epsilon)));
}

} // namespace

void kiln::lang::registerLayerBuiltins(BuiltinTable &table) {
  Datum none;
  table["conv2d"] = {{{"x", {}},
                      {"filters", {}},
                      {"kernel", {}},
                      {"stride", Datum::integer(1)},
                      {"padding", Datum::integer(0)},
                      {"dilation", Datum::integer(1)},
                      {"groups", Datum::integer(1)},
                      {"bias", Datum::boolean(true)},
                      {"kernel_init", Datum::init(glorotUniform())},
                      {"bias_init", Datum::init(filled(InitSpec::Kind::Zeros))},
                      {"name", none}},
                     conv2d};
  table["dense"] = {{{"x", {}},
                     {"units", {}},
                     {"bias", Datum::boolean(true)},
                     {"kernel_init", Datum::init(glorotUniform())},
                     {"bias_init", Datum::init(filled(InitSpec::Kind::Zeros))},
                     {"name", none}},
                    dense};
  table["batch_norm"] = {{{"x", {}},
                          {"epsilon", Datum::number(1e-5)},
                          {"gamma_init", Datum::init(filled(InitSpec::Kind::Ones))},
                          {"beta_init", Datum::init(filled(InitSpec::Kind::Zeros))},
                          {"name", none}},
                         batchNorm};
}
