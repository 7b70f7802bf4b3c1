//===- OpsMath.cpp - ONNX elementwise math, casts and reductions ----------===//
//
// Importers keyed by (op type, since-opset); an op whose inputs or attributes changed in
// some opset has one importer per version.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/ImportContext.h"

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

FailureOr<Value> castTo(NodeContext &ctx, Value value, Type element) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == element)
    return value;
  return ctx.create<kiln::CastOp>(type.clone(element), value);
}

/// Pow's exponent may have another element type than its base (opset 12+); the result has
/// the base's type. ONNX's reference computes in the wider type and casts the result, so an
/// integer base with a float exponent is raised in floating point and truncated back.
LogicalResult importPow(NodeContext &ctx) {
  Value base = ctx.input(0), exponent = ctx.input(1);
  if (!base || !exponent)
    return failure();
  Type baseElement = cast<RankedTensorType>(base.getType()).getElementType();
  Type expElement = cast<RankedTensorType>(exponent.getType()).getElementType();
  if (baseElement == expElement || isa<FloatType>(baseElement) || !isa<FloatType>(expElement)) {
    FailureOr<Value> castExponent = castTo(ctx, exponent, baseElement);
    if (failed(castExponent))
      return failure();
    return ctx.setResult(ctx.createInferred<kiln::PowOp>(base, *castExponent));
  }
  FailureOr<Value> floatBase = castTo(ctx, base, expElement);
  if (failed(floatBase))
    return failure();
  FailureOr<Value> power = ctx.createInferred<kiln::PowOp>(*floatBase, exponent);
  if (failed(power))
    return failure();
  return ctx.setResult(castTo(ctx, *power, baseElement));
}

/// Max and Min take any number of inputs: a chain of binary ops.
template <typename OpTy> LogicalResult importVariadic(NodeContext &ctx) {
  Value acc = ctx.input(0);
  if (!acc)
    return failure();
  if (ctx.numInputs() == 1)
    return ctx.setResult(ctx.create<kiln::IdentityOp>(acc));
  for (int i = 1; i < ctx.numInputs(); ++i) {
    Value next = ctx.input(i);
    if (!next)
      return failure();
    FailureOr<Value> combined = ctx.createInferred<OpTy>(acc, next);
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

/// Clip-6: bounds are attributes; an absent one does not clamp.
LogicalResult importClipAttrs(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  OpBuilder &b = ctx.builder();
  FloatAttr min, max;
  if (ctx.hasAttr("min"))
    min = b.getF64FloatAttr(ctx.floatAttr("min", 0));
  if (ctx.hasAttr("max"))
    max = b.getF64FloatAttr(ctx.floatAttr("max", 0));
  return ctx.setResult(ctx.create<kiln::ClipOp>(x, min, max));
}

/// Clip-11: bounds are optional inputs, which must be constants.
LogicalResult importClipInputs(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  OpBuilder &b = ctx.builder();
  FloatAttr bounds[2];
  for (int i : {1, 2}) {
    if (!ctx.hasInput(i))
      continue;
    FailureOr<double> bound = ctx.constantScalar(i);
    if (failed(bound))
      return failure();
    bounds[i - 1] = b.getF64FloatAttr(*bound);
  }
  return ctx.setResult(ctx.create<kiln::ClipOp>(x, bounds[0], bounds[1]));
}

LogicalResult importCast(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  int64_t to = ctx.intAttr("to", 0);
  Type element = elementTypeOf(static_cast<int32_t>(to), ctx.context());
  if (!element)
    return ctx.unsupportedAttr("to", onnxTypeName(static_cast<int32_t>(to)));
  return ctx.setResult(castTo(ctx, x, element));
}

/// Builds a reduction over `axes` (ONNX's: possibly negative, empty meaning all of them
/// unless `noopWithEmptyAxes`).
template <typename OpTy>
LogicalResult buildReduce(NodeContext &ctx, ArrayRef<int64_t> onnxAxes, bool noopWithEmptyAxes) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  Value input = ctx.input(0);
  // Reducing nothing (or a scalar) leaves the input as it is.
  if ((onnxAxes.empty() && noopWithEmptyAxes) || type.getRank() == 0)
    return ctx.setResult(ctx.create<kiln::IdentityOp>(input));
  SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  FailureOr<SmallVector<int64_t>> axes =
      ctx.normalizeAxes(onnxAxes.empty() ? ArrayRef<int64_t>(all) : onnxAxes, type.getRank());
  if (failed(axes))
    return failure();
  OpBuilder &b = ctx.builder();
  return ctx.setResult(ctx.createInferred<OpTy>(input, b.getDenseI64ArrayAttr(*axes),
                                                b.getBoolAttr(ctx.intAttr("keepdims", 1) != 0)));
}

/// Reductions with an `axes` attribute (ReduceSum before 13, the others before 18).
template <typename OpTy> LogicalResult importReduceAttr(NodeContext &ctx) {
  return buildReduce<OpTy>(ctx, ctx.intsAttr("axes"), /*noopWithEmptyAxes=*/false);
}

/// ReduceSum-13: axes is an optional constant input.
LogicalResult importReduceSumInput(NodeContext &ctx) {
  SmallVector<int64_t> axes;
  if (ctx.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> values = ctx.constantInts(1);
    if (failed(values))
      return failure();
    axes = *values;
  }
  return buildReduce<kiln::ReduceSumOp>(ctx, axes, ctx.intAttr("noop_with_empty_axes", 0) != 0);
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
  registry.add("Clip", 6, importClipAttrs);
  registry.add("Clip", 11, importClipInputs);
  registry.add("Cast", 6, importCast);
  // Opset 7 made these broadcast numpy-style; kiln does not import older opsets.
  registry.add("Add", 7, importBinary<kiln::AddOp>);
  registry.add("Sub", 7, importBinary<kiln::SubOp>);
  registry.add("Mul", 7, importBinary<kiln::MulOp>);
  registry.add("Div", 7, importBinary<kiln::DivOp>);
  registry.add("Pow", 7, importPow);
  // Max and Min broadcast from opset 8; at opset 7 their inputs must share a shape, which
  // broadcasting covers as well.
  registry.add("Max", 6, importVariadic<kiln::MaxOp>);
  registry.add("Min", 6, importVariadic<kiln::MinOp>);
  registry.add("ReduceSum", 1, importReduceAttr<kiln::ReduceSumOp>);
  registry.add("ReduceSum", 13, importReduceSumInput);
  registry.add("ReduceMean", 1, importReduceAttr<kiln::ReduceMeanOp>);
  registry.add("ReduceMax", 1, importReduceAttr<kiln::ReduceMaxOp>);
}
