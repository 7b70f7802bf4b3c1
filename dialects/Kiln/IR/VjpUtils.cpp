//===- VjpUtils.cpp - kiln-op building blocks for vector-Jacobian products ===//
#include "dialects/Kiln/IR/VjpUtils.h"
#include "dialects/Kiln/IR/KilnOps.h"

using namespace mlir;

namespace kiln::vjp {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value splat(OpBuilder &b, Location loc, RankedTensorType type, double value) {
  Type element = type.getElementType();
  Attribute scalar = isa<FloatType>(element)
                         ? Attribute(b.getFloatAttr(element, value))
                         : Attribute(b.getIntegerAttr(element, static_cast<int64_t>(value)));
  return b.create<ConstantOp>(loc, DenseElementsAttr::get(type, scalar));
}

Value scalarLike(OpBuilder &b, Location loc, Value v, double value) {
  return splat(b, loc, RankedTensorType::get({}, typeOf(v).getElementType()), value);
}

Value add(OpBuilder &b, Location loc, Value x, Value y) { return b.create<AddOp>(loc, x, y); }
Value sub(OpBuilder &b, Location loc, Value x, Value y) { return b.create<SubOp>(loc, x, y); }
Value mul(OpBuilder &b, Location loc, Value x, Value y) { return b.create<MulOp>(loc, x, y); }
Value div(OpBuilder &b, Location loc, Value x, Value y) { return b.create<DivOp>(loc, x, y); }

Value scale(OpBuilder &b, Location loc, Value x, double factor) {
  if (factor == 1.0)
    return x;
  return mul(b, loc, x, scalarLike(b, loc, x, factor));
}

Value compare(OpBuilder &b, Location loc, Value x, Value y, StringRef predicate) {
  return b.create<CompareOp>(loc, x, y, b.getStringAttr(predicate));
}

Value maskWhere(OpBuilder &b, Location loc, Value condition, Value value) {
  Value zero = scalarLike(b, loc, value, 0.0);
  Value selected = b.create<SelectOp>(loc, condition, value, zero);
  return broadcastTo(b, loc, selected, typeOf(value));
}

Value maskUnless(OpBuilder &b, Location loc, Value condition, Value value) {
  Value zero = scalarLike(b, loc, value, 0.0);
  Value selected = b.create<SelectOp>(loc, condition, zero, value);
  return broadcastTo(b, loc, selected, typeOf(value));
}

Value reshape(OpBuilder &b, Location loc, Value x, RankedTensorType type) {
  if (x.getType() == type)
    return x;
  return b.create<ReshapeOp>(loc, type, x);
}

Value broadcastTo(OpBuilder &b, Location loc, Value x, RankedTensorType type) {
  if (x.getType() == type)
    return x;
  return b.create<BroadcastToOp>(loc, type, x);
}

Value reduceSum(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes, bool keepdims) {
  if (axes.empty())
    return x;
  return b.create<ReduceSumOp>(loc, x, axes, keepdims);
}

Value sumToShape(OpBuilder &b, Location loc, Value grad, RankedTensorType operandType) {
  RankedTensorType gradType = typeOf(grad);
  if (gradType.getShape() == operandType.getShape())
    return grad;
  int64_t lead = gradType.getRank() - operandType.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < gradType.getRank(); ++d)
    if (d < lead || (operandType.getDimSize(d - lead) == 1 && gradType.getDimSize(d) != 1))
      axes.push_back(d);
  Value summed = reduceSum(b, loc, grad, axes, /*keepdims=*/true);
  return reshape(b, loc, summed,
                 RankedTensorType::get(operandType.getShape(), gradType.getElementType()));
}

Value blendRunning(OpBuilder &b, Location loc, Value running, Value batch, double momentum,
                   double batchScale) {
  return add(b, loc, scale(b, loc, running, momentum),
             scale(b, loc, batch, (1.0 - momentum) * batchScale));
}

std::pair<Value, Value> trainingDropout(OpBuilder &b, Location loc, Value x, Value seed,
                                        int64_t stream, double ratio) {
  Value uniform = b.create<RandomUniformOp>(loc, typeOf(x), seed, b.getI64IntegerAttr(stream));
  Value keep = compare(b, loc, uniform, scalarLike(b, loc, x, ratio), "ge");
  return {maskWhere(b, loc, keep, scale(b, loc, x, 1.0 / (1.0 - ratio))), keep};
}

bool isDifferentiable(Value v) { return isa<FloatType>(typeOf(v).getElementType()); }

} // namespace kiln::vjp
