//===- VjpElementwise.cpp - gradients of elementwise kiln ops -------------===//
//
// dy is the gradient of the op's result. Broadcasting binary ops sum their operand
// gradients back to the operand shapes (sumToShape).
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/VjpUtils.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::vjp;

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

LogicalResult ReluOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value positive = compare(b, loc, getOutput(), scalarLike(b, loc, getOutput(), 0.0), "gt");
  dxs.push_back(maskWhere(b, loc, positive, dys[0]));
  return success();
}

LogicalResult SigmoidOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                  SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value y = getOutput();
  Value oneMinusY = sub(b, loc, scalarLike(b, loc, y, 1.0), y);
  dxs.push_back(mul(b, loc, dys[0], mul(b, loc, y, oneMinusY)));
  return success();
}

LogicalResult TanhOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value y = getOutput();
  Value oneMinusY2 = sub(b, loc, scalarLike(b, loc, y, 1.0), mul(b, loc, y, y));
  dxs.push_back(mul(b, loc, dys[0], oneMinusY2));
  return success();
}

LogicalResult ExpOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  dxs.push_back(mul(b, getLoc(), dys[0], getOutput()));
  return success();
}

LogicalResult LogOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  dxs.push_back(div(b, getLoc(), dys[0], getInput()));
  return success();
}

LogicalResult SqrtOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  dxs.push_back(div(b, loc, scale(b, loc, dys[0], 0.5), getOutput()));
  return success();
}

LogicalResult NegOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  dxs.push_back(b.create<NegOp>(getLoc(), dys[0]));
  return success();
}

LogicalResult ReciprocalOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                     SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value y = getOutput();
  dxs.push_back(b.create<NegOp>(loc, mul(b, loc, dys[0], mul(b, loc, y, y))));
  return success();
}

LogicalResult AbsOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value x = getInput(), zero = scalarLike(b, loc, x, 0.0);
  // d|x|/dx is the sign of x, and 0 at 0 (as PyTorch).
  Value positive = maskWhere(b, loc, compare(b, loc, x, zero, "gt"), dys[0]);
  Value negative = maskWhere(b, loc, compare(b, loc, x, zero, "lt"), dys[0]);
  dxs.push_back(sub(b, loc, positive, negative));
  return success();
}

LogicalResult IdentityOp::buildVjp(OpBuilder &, ArrayRef<Value> dys,
                                   SmallVectorImpl<Value> &dxs) {
  dxs.push_back(dys[0]);
  return success();
}

LogicalResult LeakyReluOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                    SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value x = getInput();
  Value negative = compare(b, loc, x, scalarLike(b, loc, x, 0.0), "lt");
  Value scaled = scale(b, loc, dys[0], getAlpha().convertToDouble());
  dxs.push_back(b.create<SelectOp>(loc, negative, scaled, dys[0]));
  return success();
}

LogicalResult ClipOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value x = getInput(), dx = dys[0];
  if (!isDifferentiable(x)) {
    dxs.push_back(nullptr);
    return success();
  }
  // The gradient passes where the bound did not bite (bounds included, as PyTorch's clamp).
  if (std::optional<APFloat> min = getMin())
    dx = maskUnless(b, loc, compare(b, loc, x, scalarLike(b, loc, x, min->convertToDouble()), "lt"),
                    dx);
  if (std::optional<APFloat> max = getMax())
    dx = maskUnless(b, loc, compare(b, loc, x, scalarLike(b, loc, x, max->convertToDouble()), "gt"),
                    dx);
  dxs.push_back(dx);
  return success();
}

LogicalResult DropoutOp::buildVjp(OpBuilder &, ArrayRef<Value> dys,
                                  SmallVectorImpl<Value> &dxs) {
  // The inference form is the identity; training graphs replace dropout by its masked form
  // (random_uniform, compare, select) before differentiating.
  dxs.push_back(dys[0]);
  return success();
}

LogicalResult CastOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  if (!isDifferentiable(getInput()) || !isDifferentiable(getOutput())) {
    dxs.push_back(nullptr);
    return success();
  }
  dxs.push_back(b.create<CastOp>(getLoc(), getInput().getType(), dys[0]));
  return success();
}

LogicalResult BroadcastToOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                      SmallVectorImpl<Value> &dxs) {
  dxs.push_back(sumToShape(b, getLoc(), dys[0], getInput().getType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Binary with broadcasting
//===----------------------------------------------------------------------===//

namespace {

/// Appends the gradients of a binary op's operands, each summed back to its operand's shape.
LogicalResult pushBinary(OpBuilder &b, Location loc, Value lhs, Value rhs, Value dLhs,
                         Value dRhs, SmallVectorImpl<Value> &dxs) {
  dxs.push_back(dLhs && isDifferentiable(lhs) ? sumToShape(b, loc, dLhs, typeOf(lhs)) : nullptr);
  dxs.push_back(dRhs && isDifferentiable(rhs) ? sumToShape(b, loc, dRhs, typeOf(rhs)) : nullptr);
  return success();
}

} // namespace

LogicalResult AddOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  return pushBinary(b, getLoc(), getLhs(), getRhs(), dys[0], dys[0], dxs);
}

LogicalResult SubOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Value negated = b.create<NegOp>(getLoc(), dys[0]);
  return pushBinary(b, getLoc(), getLhs(), getRhs(), dys[0], negated, dxs);
}

LogicalResult MulOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  return pushBinary(b, loc, getLhs(), getRhs(), mul(b, loc, dys[0], getRhs()),
                    mul(b, loc, dys[0], getLhs()), dxs);
}

LogicalResult DivOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value dLhs = div(b, loc, dys[0], getRhs());
  // d(a/b)/db = -(a/b)/b.
  Value dRhs = b.create<NegOp>(loc, div(b, loc, mul(b, loc, dys[0], getOutput()), getRhs()));
  return pushBinary(b, loc, getLhs(), getRhs(), dLhs, dRhs, dxs);
}

LogicalResult MaxOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  // Ties send the gradient to the left operand only, so it is never counted twice.
  Value lhsWins = compare(b, loc, getLhs(), getRhs(), "ge");
  return pushBinary(b, loc, getLhs(), getRhs(), maskWhere(b, loc, lhsWins, dys[0]),
                    maskUnless(b, loc, lhsWins, dys[0]), dxs);
}

LogicalResult MinOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value lhsWins = compare(b, loc, getLhs(), getRhs(), "le");
  return pushBinary(b, loc, getLhs(), getRhs(), maskWhere(b, loc, lhsWins, dys[0]),
                    maskUnless(b, loc, lhsWins, dys[0]), dxs);
}

LogicalResult PowOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value x = getLhs(), p = getRhs(), y = getOutput();
  if (!isDifferentiable(x))
    return pushBinary(b, loc, x, p, nullptr, nullptr, dxs);
  // d(x^p)/dx = p * x^(p-1); d(x^p)/dp = x^p * log(x) (defined for x > 0).
  Value pMinusOne = sub(b, loc, p, scalarLike(b, loc, p, 1.0));
  Value dLhs = mul(b, loc, dys[0], mul(b, loc, p, b.create<PowOp>(loc, x, pMinusOne)));
  Value dRhs = mul(b, loc, dys[0], mul(b, loc, y, b.create<LogOp>(loc, x)));
  return pushBinary(b, loc, x, p, dLhs, dRhs, dxs);
}

LogicalResult SelectOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                 SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value dy = dys[0];
  dxs.push_back(nullptr);
  return pushBinary(b, loc, getOnTrue(), getOnFalse(), maskWhere(b, loc, getCondition(), dy),
                    maskUnless(b, loc, getCondition(), dy), dxs);
}
