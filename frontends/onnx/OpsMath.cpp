//===- OpsMath.cpp - ONNX elementwise math, casts and reductions ----------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/ImportContext.h"

#include <limits>

using namespace mlir;
using namespace kiln::onnx_import;

namespace {

template <typename OpTy> LogicalResult importUnary(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  return ctx.setResult(ctx.create<OpTy>(x));
}

template <typename OpTy> LogicalResult importBinary(NodeContext &ctx) {
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  if (!lhs || !rhs)
    return failure();
  return ctx.setResult(ctx.createInferred<OpTy>(lhs, rhs));
}

/// Pow's exponent may have another element type than its base (opset 12+); the result has
/// the base's type, so the exponent is cast first.
LogicalResult importPow(NodeContext &ctx) {
  Value base = ctx.input(0), exponent = ctx.input(1);
  if (!base || !exponent)
    return failure();
  auto baseType = cast<RankedTensorType>(base.getType());
  auto expType = cast<RankedTensorType>(exponent.getType());
  if (baseType.getElementType() != expType.getElementType()) {
    auto cast = ctx.create<kiln::CastOp>(expType.clone(baseType.getElementType()), exponent);
    if (failed(cast))
      return failure();
    exponent = *cast;
  }
  return ctx.setResult(ctx.createInferred<kiln::PowOp>(base, exponent));
}

/// Max and Min take any number of inputs: a chain of binary ops.
template <typename OpTy> LogicalResult importVariadic(NodeContext &ctx) {
  Value acc = ctx.input(0);
  if (!acc)
    return failure();
  if (ctx.numInputs() == 1) {
    auto identity = ctx.create<kiln::IdentityOp>(acc);
    if (failed(identity))
      return failure();
    acc = *identity;
  }
  for (int i = 1; i < ctx.numInputs(); ++i) {
    Value next = ctx.input(i);
    if (!next)
      return failure();
    auto combined = ctx.createInferred<OpTy>(acc, next);
    if (failed(combined))
      return failure();
    acc = *combined;
  }
  ctx.setOutput(0, acc);
  return success();
}

LogicalResult importLeakyRelu(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  return ctx.setResult(ctx.create<kiln::LeakyReluOp>(
      x, ctx.builder().getF64FloatAttr(ctx.floatAttr("alpha", 0.01f))));
}

/// Clip bounds are attributes before opset 11 and optional constant inputs from 11 on.
LogicalResult importClip(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  FloatAttr min, max;
  OpBuilder &b = ctx.builder();
  if (ctx.opset() < 11) {
    if (ctx.hasAttr("min"))
      min = b.getF64FloatAttr(ctx.floatAttr("min", 0));
    if (ctx.hasAttr("max"))
      max = b.getF64FloatAttr(ctx.floatAttr("max", 0));
  } else {
    for (int i : {1, 2}) {
      if (!ctx.hasInput(i))
        continue;
      auto bound = ctx.constantScalar(i);
      if (failed(bound))
        return failure();
      (i == 1 ? min : max) = b.getF64FloatAttr(*bound);
    }
  }
  return ctx.setResult(ctx.create<kiln::ClipOp>(x, min, max));
}

LogicalResult importCast(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  int64_t to = ctx.intAttr("to", 0);
  Type element = elementTypeOf(static_cast<int32_t>(to), ctx.context());
  if (!element)
    return ctx.error() << "unsupported attribute value to=" << onnxTypeName(to);
  auto type = cast<RankedTensorType>(x.getType());
  return ctx.setResult(ctx.create<kiln::CastOp>(type.clone(element), x));
}

/// Reductions: axes from the attribute, or (ReduceSum from opset 13) an optional constant
/// input; no axes means all of them unless noop_with_empty_axes says to do nothing.
template <typename OpTy> LogicalResult importReduce(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  SmallVector<int64_t> axes;
  bool axesFromInput = std::is_same_v<OpTy, kiln::ReduceSumOp> && ctx.opset() >= 13;
  if (axesFromInput) {
    if (ctx.hasInput(1)) {
      auto values = ctx.constantInts(1);
      if (failed(values))
        return failure();
      axes = *values;
    }
  } else {
    axes = ctx.intsAttr("axes");
  }
  if (axes.empty() && ctx.intAttr("noop_with_empty_axes", 0)) {
    return ctx.setResult(ctx.create<kiln::IdentityOp>(ctx.input(0)));
  }
  if (axes.empty())
    for (int64_t d = 0; d < type.getRank(); ++d)
      axes.push_back(d);
  for (int64_t &axis : axes) {
    auto normalized = ctx.normalizeAxis(axis, type.getRank());
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  OpBuilder &b = ctx.builder();
  FailureOr<Value> result;
  if (type.getRank() == 0) // reducing a scalar leaves it as it is
    result = ctx.create<kiln::IdentityOp>(ctx.input(0));
  else
    result = ctx.createInferred<OpTy>(ctx.input(0), b.getDenseI64ArrayAttr(axes),
                                      b.getBoolAttr(ctx.intAttr("keepdims", 1) != 0));
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}

} // namespace

void kiln::onnx_import::registerMathOps(OpRegistry &registry) {
  registry.add("Relu", 1, importUnary<kiln::ReluOp>);
  registry.add("Sigmoid", 1, importUnary<kiln::SigmoidOp>);
  registry.add("Tanh", 1, importUnary<kiln::TanhOp>);
  registry.add("Exp", 1, importUnary<kiln::ExpOp>);
  registry.add("Log", 1, importUnary<kiln::LogOp>);
  registry.add("Sqrt", 1, importUnary<kiln::SqrtOp>);
  registry.add("Neg", 1, importUnary<kiln::NegOp>);
  registry.add("Reciprocal", 1, importUnary<kiln::ReciprocalOp>);
  registry.add("Abs", 1, importUnary<kiln::AbsOp>);
  registry.add("Identity", 1, importUnary<kiln::IdentityOp>);
  registry.add("LeakyRelu", 1, importLeakyRelu);
  registry.add("Clip", 1, importClip);
  registry.add("Cast", 1, importCast);
  // Opset 7 made these broadcast numpy-style; kiln does not import older opsets.
  registry.add("Add", 7, importBinary<kiln::AddOp>);
  registry.add("Sub", 7, importBinary<kiln::SubOp>);
  registry.add("Mul", 7, importBinary<kiln::MulOp>);
  registry.add("Div", 7, importBinary<kiln::DivOp>);
  registry.add("Pow", 7, importPow);
  // Max and Min broadcast from opset 8; at opset 7 their inputs must share a shape, which
  // broadcasting handles as well.
  registry.add("Max", 6, importVariadic<kiln::MaxOp>);
  registry.add("Min", 6, importVariadic<kiln::MinOp>);
  registry.add("ReduceSum", 1, importReduce<kiln::ReduceSumOp>);
  registry.add("ReduceMean", 1, importReduce<kiln::ReduceMeanOp>);
  registry.add("ReduceMax", 1, importReduce<kiln::ReduceMaxOp>);
}
