//===- OpsTraining.cpp - ai.onnx.preview.training ops to the kiln dialect --===//
//
// ONNX's training domain: Gradient asks for reverse-mode gradients in the middle of a graph
// (vjp::reverseGradients, the core of kiln-autodiff), and the optimizer ops Momentum, Adam
// and Adagrad update N tensors at once. The optimizers are elementwise formulas of their
// inputs, written here as kiln arithmetic exactly as the ONNX operator specification states
// them (their bias corrections and regularisation differ from kilnc --train's optimizers,
// which follow the seeds' frameworks).
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/ReverseMode.h"
#include "dialects/Kiln/IR/VjpUtils.h"
#include "frontends/onnx/ImportContext.h"
#include "frontends/onnx/ModelLoader.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx_import;
using namespace kiln::vjp;

namespace {

/// The inputs common to the optimizers: R (learning rate), T (update count), then `groups`
/// lists of N tensors (X, G, and the optimizer's state), all of one float type per index.
struct OptimizerInputs {
  Value rate, count;
  int64_t tensors = 0;
  /// group g, tensor i: input 2 + g * N + i.
  SmallVector<SmallVector<Value>> groups;
};

FailureOr<OptimizerInputs> optimizerInputs(NodeContext &ctx, int64_t groups,
                                           int64_t outputsPerTensor) {
  int64_t lists = ctx.numInputs() - 2;
  if (lists <= 0 || lists % groups != 0)
    return ctx.error() << "expects R, T and " << groups << " lists of N tensors, got "
                       << ctx.numInputs() << " inputs";
  OptimizerInputs in;
  in.tensors = lists / groups;
  if (ctx.node().output_size() != outputsPerTensor * in.tensors)
    return ctx.error() << "expects " << outputsPerTensor * in.tensors << " outputs for "
                       << in.tensors << " tensors, got " << ctx.node().output_size();
  in.rate = ctx.input(0);
  in.count = ctx.input(1);
  if (!in.rate || !in.count)
    return failure();
  RankedTensorType rateType = typeOf(in.rate), countType = typeOf(in.count);
  if (rateType.getRank() != 0 || !isa<FloatType>(rateType.getElementType()))
    return ctx.error() << "R (the learning rate) must be a float scalar, got " << rateType;
  if (countType.getRank() != 0 || !isa<IntegerType>(countType.getElementType()))
    return ctx.error() << "T (the update count) must be an integer scalar, got " << countType;
  for (int64_t g = 0; g < groups; ++g) {
    in.groups.emplace_back();
    for (int64_t i = 0; i < in.tensors; ++i) {
      int index = static_cast<int>(2 + g * in.tensors + i);
      Value v = ctx.input(index);
      if (!v)
        return failure();
      Value x = g == 0 ? v : in.groups[0][i];
      if (v.getType() != x.getType())
        return ctx.error() << "input #" << index << " has type " << v.getType()
                           << ", but the tensor it belongs to (input #" << 2 + i
                           << ") has type " << x.getType();
      if (typeOf(v).getElementType() != rateType.getElementType())
        return ctx.error() << "input #" << index << " has element type "
                           << typeOf(v).getElementType() << ", but R has "
                           << rateType.getElementType();
      in.groups.back().push_back(v);
    }
  }
  return in;
}

/// Builds kiln arithmetic at the node's location; scalars are rank-0 constants of `like`'s
/// float type (R's, which every tensor of the node shares), and broadcast.
struct Arith {
  OpBuilder &b;
  Location loc;
  Value like;

  Arith(NodeContext &ctx, Value like) : b(ctx.builder()), loc(ctx.loc()), like(like) {}

  Value constant(double v) { return scalarLike(b, loc, like, v); }
  Value add(Value x, Value y) { return vjp::add(b, loc, x, y); }
  Value sub(Value x, Value y) { return vjp::sub(b, loc, x, y); }
  Value mul(Value x, Value y) { return vjp::mul(b, loc, x, y); }
  Value div(Value x, Value y) { return vjp::div(b, loc, x, y); }
  Value scale(Value x, double factor) { return vjp::scale(b, loc, x, factor); }
  Value sqrt(Value x) { return b.create<SqrtOp>(loc, x); }
  Value pow(Value x, Value y) { return b.create<PowOp>(loc, x, y); }
  Value toFloat(Value count) {
    return b.create<CastOp>(loc, RankedTensorType::get({}, typeOf(like).getElementType()),
                            count);
  }
  /// `ifPositive` where the integer scalar `count` is > 0, else `otherwise`.
  Value whenPositive(Value count, Value ifPositive, Value otherwise) {
    Value zero = splat(b, loc, typeOf(count), 0.0);
    Value positive = compare(b, loc, count, zero, "gt");
    return b.create<SelectOp>(loc, positive, ifPositive, otherwise);
  }
};

/// Momentum: v = alpha v + beta' (g + norm_coefficient x), where beta' is 1 on the first
/// update (T = 0); standard x -= R v, nesterov x -= R (g' + alpha v).
LogicalResult importMomentum(NodeContext &ctx) {
  for (StringRef name : {"alpha", "beta", "mode", "norm_coefficient"})
    if (!ctx.hasAttr(name))
      return ctx.error() << "missing attribute " << name;
  std::string mode = ctx.stringAttr("mode", "");
  if (mode != "standard" && mode != "nesterov")
    return ctx.unsupportedAttr("mode", mode) << " (expected standard or nesterov)";
  FailureOr<OptimizerInputs> in = optimizerInputs(ctx, 3, 2);
  if (failed(in))
    return failure();
  double alpha = ctx.floatAttr("alpha", 0), beta = ctx.floatAttr("beta", 0);
  double decay = ctx.floatAttr("norm_coefficient", 0);
  Arith a(ctx, in->rate);
  Value betaNow = a.whenPositive(in->count, a.constant(beta), a.constant(1.0));
  for (int64_t i = 0; i < in->tensors; ++i) {
    Value x = in->groups[0][i], g = in->groups[1][i], v = in->groups[2][i];
    Value regularized = a.add(g, a.scale(x, decay));
    Value velocity = a.add(a.scale(v, alpha), a.mul(betaNow, regularized));
    Value step = mode == "standard" ? velocity : a.add(regularized, a.scale(velocity, alpha));
    ctx.setOutput(static_cast<int>(i), a.sub(x, a.mul(in->rate, step)));
    ctx.setOutput(static_cast<int>(in->tensors + i), velocity);
  }
  return success();
}

/// Adam as ONNX states it: bias correction folded into the rate when T > 0, epsilon added
/// after the square root, and an optional decay applied after the update.
LogicalResult importAdam(NodeContext &ctx) {
  FailureOr<OptimizerInputs> in = optimizerInputs(ctx, 4, 3);
  if (failed(in))
    return failure();
  double alpha = ctx.floatAttr("alpha", 0.9f), beta = ctx.floatAttr("beta", 0.999f);
  double epsilon = ctx.floatAttr("epsilon", 1e-6f);
  double decay = ctx.floatAttr("norm_coefficient", 0.0f);
  double decayAfter = ctx.floatAttr("norm_coefficient_post", 0.0f);
  Arith a(ctx, in->rate);
  Value count = a.toFloat(in->count);
  Value corrected = a.div(a.mul(in->rate, a.sqrt(a.sub(a.constant(1.0),
                                                       a.pow(a.constant(beta), count)))),
                          a.sub(a.constant(1.0), a.pow(a.constant(alpha), count)));
  Value rate = a.whenPositive(in->count, corrected, in->rate);
  for (int64_t i = 0; i < in->tensors; ++i) {
    Value x = in->groups[0][i], g = in->groups[1][i], v = in->groups[2][i],
          h = in->groups[3][i];
    Value regularized = a.add(g, a.scale(x, decay));
    Value momentum = a.add(a.scale(v, alpha), a.scale(regularized, 1.0 - alpha));
    Value second =
        a.add(a.scale(h, beta), a.scale(a.mul(regularized, regularized), 1.0 - beta));
    Value denominator = a.add(a.sqrt(second), a.constant(epsilon));
    Value updated = a.sub(x, a.mul(rate, a.div(momentum, denominator)));
    ctx.setOutput(static_cast<int>(i), a.scale(updated, 1.0 - decayAfter));
    ctx.setOutput(static_cast<int>(in->tensors + i), momentum);
    ctx.setOutput(static_cast<int>(2 * in->tensors + i), second);
  }
  return success();
}

/// Adagrad: the rate decays as R / (1 + T decay_factor); h accumulates squared gradients.
LogicalResult importAdagrad(NodeContext &ctx) {
  FailureOr<OptimizerInputs> in = optimizerInputs(ctx, 3, 2);
  if (failed(in))
    return failure();
  double decayFactor = ctx.floatAttr("decay_factor", 0.0f);
  double epsilon = ctx.floatAttr("epsilon", 1e-6f);
  double decay = ctx.floatAttr("norm_coefficient", 0.0f);
  Arith a(ctx, in->rate);
  Value rate = a.div(in->rate, a.add(a.constant(1.0), a.scale(a.toFloat(in->count), decayFactor)));
  for (int64_t i = 0; i < in->tensors; ++i) {
    Value x = in->groups[0][i], g = in->groups[1][i], h = in->groups[2][i];
    Value regularized = a.add(g, a.scale(x, decay));
    Value accumulated = a.add(h, a.mul(regularized, regularized));
    Value denominator = a.add(a.sqrt(accumulated), a.constant(epsilon));
    ctx.setOutput(static_cast<int>(i), a.sub(x, a.div(a.mul(rate, regularized), denominator)));
    ctx.setOutput(static_cast<int>(in->tensors + i), accumulated);
  }
  return success();
}

/// Gradient: the gradients of `y` with respect to the tensors named in `xs`, built from the
/// graph imported so far. For a non-scalar `y` it is the gradient of the sum of its elements.
LogicalResult importGradient(NodeContext &ctx) {
  const onnx::AttributeProto *xsAttr = ctx.attr("xs");
  if (!xsAttr || xsAttr->strings_size() == 0)
    return ctx.error() << "missing attribute xs";
  if (const onnx::AttributeProto *zs = ctx.attr("zs"); zs && zs->strings_size() > 0)
    return ctx.error() << "attribute zs (inputs held constant) is not supported";
  std::string yName = ctx.stringAttr("y", "");
  if (yName.empty())
    return ctx.error() << "missing attribute y";
  if (ctx.numInputs() != xsAttr->strings_size())
    return ctx.error() << "expects one input per name in xs (" << xsAttr->strings_size()
                       << "), got " << ctx.numInputs();
  SmallVector<Value> wrt;
  for (int i = 0; i < xsAttr->strings_size(); ++i) {
    // Feeding other values into xs would mean re-running the graph on them.
    if (ctx.node().input(i) != xsAttr->strings(i))
      return ctx.error() << "input #" << i << " ('" << ctx.node().input(i)
                         << "') must be the tensor xs names ('" << xsAttr->strings(i) << "')";
    Value x = ctx.input(i);
    if (!x)
      return failure();
    if (!isDifferentiable(x))
      return ctx.error() << "cannot differentiate with respect to '" << xsAttr->strings(i)
                         << "' of type " << x.getType() << ": it is not a float tensor";
    wrt.push_back(x);
  }
  Value y = ctx.valueNamed(yName, "y");
  if (!y)
    return failure();
  if (!isDifferentiable(y))
    return ctx.error() << "y ('" << yName << "') of type " << y.getType()
                       << " is not a float tensor";

  OpBuilder &b = ctx.builder();
  SmallVector<Operation *> forwardOps;
  for (Operation &op : *b.getInsertionBlock())
    forwardOps.push_back(&op);
  Value seed = splat(b, ctx.loc(), typeOf(y), 1.0);
  FailureOr<SmallVector<Value>> gradients =
      reverseGradients(b, forwardOps, y, seed, wrt);
  if (failed(gradients))
    return ctx.error() << "cannot differentiate '" << yName << "' (see the error above)";
  for (auto [i, grad] : llvm::enumerate(*gradients))
    ctx.setOutput(static_cast<int>(i), grad ? grad : splat(b, ctx.loc(), typeOf(wrt[i]), 0.0));
  return success();
}

} // namespace

void kiln::onnx_import::registerTrainingOps(OpRegistry &registry) {
  registry.add(kTrainingDomain, "Gradient", 1, importGradient);
  registry.add(kTrainingDomain, "Momentum", 1, importMomentum);
  registry.add(kTrainingDomain, "Adam", 1, importAdam);
  registry.add(kTrainingDomain, "Adagrad", 1, importAdagrad);
}
