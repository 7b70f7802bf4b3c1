//===- VjpNormPool.cpp - gradients of normalisation, pooling, reductions --===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/ShapeRules.h"
#include "dialects/Kiln/IR/VjpUtils.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::vjp;

namespace {

/// Every axis of a rank-`rank` tensor except the channel axis 1.
SmallVector<int64_t> nonChannelAxes(int64_t rank) {
  SmallVector<int64_t> axes = {0};
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  return axes;
}

/// A per-channel vector [C] viewed as [C, 1, ..., 1] so it broadcasts against N x C x ....
Value channelView(OpBuilder &b, Location loc, Value perChannel, int64_t rank) {
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = typeOf(perChannel).getDimSize(0);
  return reshape(b, loc, perChannel,
                 RankedTensorType::get(shape, typeOf(perChannel).getElementType()));
}

/// Sum over the non-channel axes, as a [C] vector.
Value channelSum(OpBuilder &b, Location loc, Value x) {
  return reduceSum(b, loc, x, nonChannelAxes(typeOf(x).getRank()), /*keepdims=*/false);
}

Value inverseStd(OpBuilder &b, Location loc, Value variance, double epsilon) {
  Value shifted = add(b, loc, variance, scalarLike(b, loc, variance, epsilon));
  return b.create<ReciprocalOp>(loc, b.create<SqrtOp>(loc, shifted));
}

/// The reduced result `y` (or its gradient) reshaped to keep the reduced axes as size 1 and
/// broadcast back over the input.
Value expandReduced(OpBuilder &b, Location loc, Value reduced, RankedTensorType inputType,
                    ArrayRef<int64_t> axes) {
  SmallVector<int64_t> kept(inputType.getShape());
  for (int64_t axis : axes)
    kept[axis] = 1;
  Type element = typeOf(reduced).getElementType();
  Value withOnes = reshape(b, loc, reduced, RankedTensorType::get(kept, element));
  return broadcastTo(b, loc, withOnes, RankedTensorType::get(inputType.getShape(), element));
}

/// Gradient of a max over `axes`: split evenly between the elements that reach the maximum.
Value maxReductionGrad(OpBuilder &b, Location loc, Value x, Value y, Value dy,
                       ArrayRef<int64_t> axes) {
  RankedTensorType xType = typeOf(x);
  Value isMax = compare(b, loc, x, expandReduced(b, loc, y, xType, axes), "eq");
  Value ones = b.create<SelectOp>(loc, isMax, scalarLike(b, loc, x, 1.0),
                                  scalarLike(b, loc, x, 0.0));
  Value ties = reduceSum(b, loc, ones, axes, /*keepdims=*/true);
  Value share = div(b, loc, expandReduced(b, loc, dy, xType, axes),
                    broadcastTo(b, loc, ties, xType));
  return maskWhere(b, loc, isMax, share);
}

int64_t countOver(RankedTensorType type, ArrayRef<int64_t> axes) {
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  return count;
}

} // namespace

//===----------------------------------------------------------------------===//
// Batch normalisation
//===----------------------------------------------------------------------===//

LogicalResult BatchNormInferenceOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                             SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value x = getInput(), dy = dys[0];
  int64_t rank = typeOf(x).getRank();
  Value invStd = inverseStd(b, loc, getVariance(), getEpsilon().convertToDouble());
  Value centered = sub(b, loc, x, channelView(b, loc, getMean(), rank));
  Value xHat = mul(b, loc, centered, channelView(b, loc, invStd, rank));
  Value scaleInvStd = mul(b, loc, getScale(), invStd);
  Value dySum = channelSum(b, loc, dy);
  dxs.push_back(mul(b, loc, dy, channelView(b, loc, scaleInvStd, rank)));
  dxs.push_back(channelSum(b, loc, mul(b, loc, dy, xHat)));
  dxs.push_back(dySum);
  // The statistics are constants of the inference form, but a graph may still ask.
  dxs.push_back(b.create<NegOp>(loc, mul(b, loc, dySum, scaleInvStd)));
  Value invStd3 = mul(b, loc, invStd, mul(b, loc, invStd, invStd));
  Value dyCentered = channelSum(b, loc, mul(b, loc, dy, centered));
  dxs.push_back(scale(b, loc, mul(b, loc, dyCentered, mul(b, loc, getScale(), invStd3)), -0.5));
  return success();
}

LogicalResult BatchNormTrainingOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                            SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  if (dys[1] || dys[2])
    return emitOpError("the gradient through the batch statistics results is not supported; "
                       "only the normalised output may feed the objective");
  Value x = getInput();
  RankedTensorType xType = typeOf(x);
  int64_t rank = xType.getRank();
  Value dy = dys[0] ? dys[0] : splat(b, loc, xType, 0.0);
  double count = static_cast<double>(countOver(xType, nonChannelAxes(rank)));
  Value invStd = inverseStd(b, loc, getVariance(), getEpsilon().convertToDouble());
  Value xHat = mul(b, loc, sub(b, loc, x, channelView(b, loc, getMean(), rank)),
                   channelView(b, loc, invStd, rank));
  Value dBias = channelSum(b, loc, dy);
  Value dScale = channelSum(b, loc, mul(b, loc, dy, xHat));
  // dx = scale * invstd / M * (M * dy - sum(dy) - xhat * sum(dy * xhat)).
  Value inner = sub(b, loc, scale(b, loc, dy, count), channelView(b, loc, dBias, rank));
  inner = sub(b, loc, inner, mul(b, loc, xHat, channelView(b, loc, dScale, rank)));
  Value factor = scale(b, loc, mul(b, loc, getScale(), invStd), 1.0 / count);
  dxs.push_back(mul(b, loc, inner, channelView(b, loc, factor, rank)));
  dxs.push_back(dScale);
  dxs.push_back(dBias);
  return success();
}

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                  SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value y = getOutput(), dy = dys[0];
  int64_t axis = getAxis();
  Value dot = reduceSum(b, loc, mul(b, loc, dy, y), {axis}, /*keepdims=*/true);
  dxs.push_back(mul(b, loc, y, sub(b, loc, dy, dot)));
  return success();
}

LogicalResult LogSoftmaxOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                     SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value y = getOutput(), dy = dys[0];
  Value total = reduceSum(b, loc, dy, {static_cast<int64_t>(getAxis())}, /*keepdims=*/true);
  dxs.push_back(sub(b, loc, dy, mul(b, loc, b.create<ExpOp>(loc, y), total)));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

LogicalResult ReduceSumOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                    SmallVectorImpl<Value> &dxs) {
  if (!isDifferentiable(getInput())) {
    dxs.push_back(nullptr);
    return success();
  }
  dxs.push_back(expandReduced(b, getLoc(), dys[0], typeOf(getInput()), getAxes()));
  return success();
}

LogicalResult ReduceMeanOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                     SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  RankedTensorType xType = typeOf(getInput());
  Value spread = expandReduced(b, loc, dys[0], xType, getAxes());
  dxs.push_back(scale(b, loc, spread, 1.0 / countOver(xType, getAxes())));
  return success();
}

LogicalResult ReduceMaxOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                    SmallVectorImpl<Value> &dxs) {
  if (!isDifferentiable(getInput())) {
    dxs.push_back(nullptr);
    return success();
  }
  dxs.push_back(maxReductionGrad(b, getLoc(), getInput(), getOutput(), dys[0], getAxes()));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPool2DOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                    SmallVectorImpl<Value> &dxs) {
  if (!isDifferentiable(getInput())) {
    dxs.push_back(nullptr);
    return success();
  }
  dxs.push_back(b.create<MaxPool2DBackwardOp>(getLoc(), getInput().getType(), getInput(), dys[0],
                                              getKernelAttr(), getStridesAttr(), getPadsAttr(),
                                              getDilationsAttr(), getCeilModeAttr()));
  return success();
}

LogicalResult AvgPool2DOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                    SmallVectorImpl<Value> &dxs) {
  dxs.push_back(b.create<AvgPool2DBackwardOp>(getLoc(), getInput().getType(), dys[0],
                                              getKernelAttr(), getStridesAttr(), getPadsAttr(),
                                              getCeilModeAttr(), getCountIncludePadAttr()));
  return success();
}

LogicalResult GlobalAvgPoolOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                        SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  RankedTensorType xType = typeOf(getInput());
  SmallVector<int64_t> spatial = llvm::to_vector(llvm::seq<int64_t>(2, xType.getRank()));
  Value spread = broadcastTo(b, loc, dys[0], xType);
  dxs.push_back(scale(b, loc, spread, 1.0 / countOver(xType, spatial)));
  return success();
}

LogicalResult GlobalMaxPoolOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                        SmallVectorImpl<Value> &dxs) {
  if (!isDifferentiable(getInput())) {
    dxs.push_back(nullptr);
    return success();
  }
  RankedTensorType xType = typeOf(getInput());
  SmallVector<int64_t> spatial = llvm::to_vector(llvm::seq<int64_t>(2, xType.getRank()));
  dxs.push_back(maxReductionGrad(b, getLoc(), getInput(), getOutput(), dys[0], spatial));
  return success();
}
