//===- Optimizer.cpp - the apply_update entry point ----------------------===//
//
// Update rules, per trained parameter p with accumulated gradient buffer G:
//   g = grad_scale * G (+ l2 * p when decayed)
//   sgd:     v = momentum * v + g; d = nesterov ? g + momentum * v : v   (d = g without momentum)
//   adam:    m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
//            d = (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
//   rmsprop: s = alpha s + (1 - alpha) g^2; u = g / (sqrt(s) + eps);
//            d = momentum ? (b = momentum * b + u) : u
//   p = p - lr * (d + weight_decay * p when decayed);  G = 0
// These are PyTorch's rules (torch.optim.SGD, Adam, RMSprop), so a run can be checked against it;
// weight_decay here is the decoupled form (as AdamW / SGDW), l2 the coupled one.
//
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/EntryBuffers.h"
#include "compiler/Transforms/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/VjpUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNOPTIMIZERPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::vjp;

namespace {

constexpr StringLiteral kGradSuffix = "@grad";

struct Scalars {
  Value lr, step, gradScale;
};

/// Builds the update of one parameter; appends the new values and their buffers.
class UpdateBuilder {
public:
  UpdateBuilder(OpBuilder &b, func::FuncOp func, const Scalars &scalars,
                SmallVectorImpl<Value> &results, SmallVectorImpl<DictionaryAttr> &attrs)
      : b(b), func(func), scalars(scalars), results(results), attrs(attrs) {}

  /// A zero-initialised optimizer-state buffer `<param>@<slot>` and where its update goes.
  Value state(StringRef param, StringRef slot, Type type) {
    std::string name = (param + "@" + slot).str();
    return appendArgument(func, type, name, "optimizer_state");
  }
  void write(Value value, Value buffer) {
    results.push_back(value);
    auto arg = cast<BlockArgument>(buffer);
    attrs.push_back(bufferAttrs(func.getContext(), argBuffer(func, arg.getArgNumber()),
                                argRole(func, arg.getArgNumber())));
  }

  OpBuilder &b;
  func::FuncOp func;
  const Scalars &scalars;
  SmallVectorImpl<Value> &results;
  SmallVectorImpl<DictionaryAttr> &attrs;
};

struct KilnOptimizerPass : kiln::impl::KilnOptimizerPassBase<KilnOptimizerPass> {
  using KilnOptimizerPassBase::KilnOptimizerPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fwdBwd = module.lookupSymbol<func::FuncOp>("fwd_bwd");
    if (!fwdBwd) {
      module.emitError("kiln-optimizer needs the 'fwd_bwd' entry (run kiln-autodiff first)");
      return signalPassFailure();
    }
    if (module.lookupSymbol("apply_update")) {
      module.emitError("the module already has an 'apply_update' symbol");
      return signalPassFailure();
    }
    if (optimizer != "sgd" && optimizer != "adam" && optimizer != "rmsprop") {
      module.emitError("unknown optimizer '") << optimizer
                                              << "' (expected sgd, adam or rmsprop)";
      return signalPassFailure();
    }
    if (nesterov && (optimizer != "sgd" || momentum == 0.0)) {
      module.emitError("Nesterov momentum needs --optimizer sgd and a non-zero momentum");
      return signalPassFailure();
    }

    MLIRContext *context = &getContext();
    OpBuilder moduleBuilder(context);
    moduleBuilder.setInsertionPointAfter(fwdBwd);
    Location loc = fwdBwd.getLoc();
    auto func = moduleBuilder.create<func::FuncOp>(loc, "apply_update",
                                                    FunctionType::get(context, {}, {}));
    Block *body = func.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockEnd(body);
    b.create<func::ReturnOp>(loc);
    b.setInsertionPointToStart(body);

    Type f32 = b.getF32Type();
    auto scalarF32 = RankedTensorType::get({}, f32);
    Scalars scalars;
    scalars.lr = appendArgument(func, scalarF32, "lr", "scalar_input");
    scalars.step = appendArgument(func, RankedTensorType::get({}, b.getI64Type()), "step",
                                  "scalar_input");
    scalars.gradScale = appendArgument(func, scalarF32, "grad_scale", "scalar_input");

    SmallVector<Value> results;
    SmallVector<DictionaryAttr> attrs;
    UpdateBuilder update(b, func, scalars, results, attrs);
    for (unsigned i = 0; i < fwdBwd.getNumResults(); ++i) {
      if (resultRole(fwdBwd, i) != "gradient")
        continue;
      StringRef gradName = resultBuffer(fwdBwd, i);
      if (!gradName.ends_with(kGradSuffix))
        continue;
      StringRef paramName = gradName.drop_back(kGradSuffix.size());
      auto type = cast<RankedTensorType>(fwdBwd.getResultTypes()[i]);
      if (failed(updateParameter(update, paramName, gradName, type)))
        return signalPassFailure();
    }
    setResults(func, results, attrs);
  }

  /// Casts a runtime scalar to the parameter's element type (an f64 model trains in f64).
  Value asElement(OpBuilder &b, Location loc, Value scalar, Type element) {
    auto type = RankedTensorType::get({}, element);
    if (scalar.getType() == type)
      return scalar;
    return b.create<CastOp>(loc, type, scalar);
  }

  LogicalResult updateParameter(UpdateBuilder &u, StringRef paramName, StringRef gradName,
                                RankedTensorType type) {
    OpBuilder &b = u.b;
    Location loc = u.func.getLoc();
    Type element = type.getElementType();
    Value param = appendArgument(u.func, type, paramName, "parameter");
    Value grad = appendArgument(u.func, type, gradName, "gradient");
    Value lr = asElement(b, loc, u.scalars.lr, element);
    bool decayed = decayAll || type.getRank() > 1;

    Value g = mul(b, loc, grad, asElement(b, loc, u.scalars.gradScale, element));
    if (decayed && l2 != 0.0)
      g = add(b, loc, g, scale(b, loc, param, l2));

    Value direction;
    if (optimizer == "sgd") {
      direction = g;
      if (momentum != 0.0) {
        Value velocity = u.state(paramName, "momentum", type);
        Value newVelocity = add(b, loc, scale(b, loc, velocity, momentum), g);
        u.write(newVelocity, velocity);
        direction = nesterov ? add(b, loc, g, scale(b, loc, newVelocity, momentum))
                             : newVelocity;
      }
    } else if (optimizer == "adam") {
      Value m = u.state(paramName, "m", type), v = u.state(paramName, "v", type);
      Value newM = add(b, loc, scale(b, loc, m, beta1), scale(b, loc, g, 1.0 - beta1));
      Value newV = add(b, loc, scale(b, loc, v, beta2), scale(b, loc, mul(b, loc, g, g), 1.0 - beta2));
      u.write(newM, m);
      u.write(newV, v);
      Value t = b.create<CastOp>(loc, RankedTensorType::get({}, element), u.scalars.step);
      auto correction = [&](double beta) {
        Value power = b.create<PowOp>(loc, scalarLike(b, loc, t, beta), t);
        return sub(b, loc, scalarLike(b, loc, t, 1.0), power);
      };
      Value mHat = div(b, loc, newM, correction(beta1));
      Value vHat = div(b, loc, newV, correction(beta2));
      Value denominator = add(b, loc, b.create<SqrtOp>(loc, vHat), scalarLike(b, loc, t, epsilon));
      direction = div(b, loc, mHat, denominator);
    } else {
      Value square = u.state(paramName, "square_avg", type);
      Value newSquare =
          add(b, loc, scale(b, loc, square, alpha), scale(b, loc, mul(b, loc, g, g), 1.0 - alpha));
      u.write(newSquare, square);
      Value denominator =
          add(b, loc, b.create<SqrtOp>(loc, newSquare), scalarLike(b, loc, newSquare, epsilon));
      direction = div(b, loc, g, denominator);
      if (momentum != 0.0) {
        Value buffer = u.state(paramName, "momentum", type);
        Value newBuffer = add(b, loc, scale(b, loc, buffer, momentum), direction);
        u.write(newBuffer, buffer);
        direction = newBuffer;
      }
    }
    if (decayed && weightDecay != 0.0)
      direction = add(b, loc, direction, scale(b, loc, param, weightDecay));
    u.write(sub(b, loc, param, mul(b, loc, direction, lr)), param);
    u.write(splat(b, loc, type, 0.0), grad);
    return success();
  }
};

} // namespace
