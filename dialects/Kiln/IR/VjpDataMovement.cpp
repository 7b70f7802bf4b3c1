//===- VjpDataMovement.cpp - gradients of shape and data-movement ops -----===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/VjpUtils.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::vjp;

namespace {

/// Ops that only rename elements: the gradient is the result gradient reshaped back.
LogicalResult reshapeBack(OpBuilder &b, Operation *op, Value input, Value dy,
                          SmallVectorImpl<Value> &dxs) {
  dxs.push_back(reshape(b, op->getLoc(), dy, typeOf(input)));
  return success();
}

Value sliceOf(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> starts,
              ArrayRef<int64_t> ends) {
  SmallVector<int64_t> steps(starts.size(), 1);
  return b.create<SliceOp>(loc, x, starts, ends, steps);
}

} // namespace

LogicalResult ReshapeOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                  SmallVectorImpl<Value> &dxs) {
  return reshapeBack(b, *this, getInput(), dys[0], dxs);
}
LogicalResult FlattenOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                  SmallVectorImpl<Value> &dxs) {
  return reshapeBack(b, *this, getInput(), dys[0], dxs);
}
LogicalResult SqueezeOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                  SmallVectorImpl<Value> &dxs) {
  return reshapeBack(b, *this, getInput(), dys[0], dxs);
}
LogicalResult UnsqueezeOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                    SmallVectorImpl<Value> &dxs) {
  return reshapeBack(b, *this, getInput(), dys[0], dxs);
}

LogicalResult TransposeOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                    SmallVectorImpl<Value> &dxs) {
  ArrayRef<int64_t> perm = getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[perm[i]] = i;
  dxs.push_back(b.create<TransposeOp>(getLoc(), dys[0], inverse));
  return success();
}

LogicalResult ConcatOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                 SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  int64_t axis = getAxis(), offset = 0;
  RankedTensorType dyType = typeOf(dys[0]);
  for (Value input : getInputs()) {
    SmallVector<int64_t> starts(dyType.getRank(), 0);
    SmallVector<int64_t> ends(dyType.getShape());
    int64_t size = typeOf(input).getDimSize(axis);
    starts[axis] = offset;
    ends[axis] = offset + size;
    offset += size;
    dxs.push_back(isDifferentiable(input) ? sliceOf(b, loc, dys[0], starts, ends) : nullptr);
  }
  return success();
}

LogicalResult PadOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  RankedTensorType inType = typeOf(getInput());
  ArrayRef<int64_t> pads = getPads();
  int64_t rank = inType.getRank();
  SmallVector<int64_t> starts, ends;
  for (int64_t d = 0; d < rank; ++d) {
    if (pads[d] < 0 || pads[d + rank] < 0)
      return emitOpError("gradient of a pad that crops (negative pads) is not supported");
    starts.push_back(pads[d]);
    ends.push_back(pads[d] + inType.getDimSize(d));
  }
  dxs.push_back(sliceOf(b, getLoc(), dys[0], starts, ends));
  return success();
}

LogicalResult SliceOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                SmallVectorImpl<Value> &dxs) {
  if (llvm::any_of(getSteps(), [](int64_t step) { return step < 1; }))
    return emitOpError("gradient of a slice with a negative step is not supported");
  dxs.push_back(b.create<SliceBackwardOp>(getLoc(), getInput().getType(), dys[0],
                                          getStartsAttr(), getStepsAttr()));
  return success();
}
