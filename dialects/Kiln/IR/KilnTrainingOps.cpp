//===- KilnTrainingOps.cpp - verifiers and shape rules of training ops ----===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/OpInference.h"
#include "dialects/Kiln/IR/ShapeRules.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace kiln;

namespace {

RankedTensorType rankedType(Value v) { return cast<RankedTensorType>(v.getType()); }


/// True if `from` broadcasts numpy-style to exactly `to`.
bool broadcastsTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  std::optional<SmallVector<int64_t>> shape = broadcastShapes(from, to);
  return shape && ArrayRef<int64_t>(*shape) == to;
}

/// Checks that a backward op's gradient operand has the type its forward op would produce.
LogicalResult checkForwardResult(Operation *op, ArrayRef<Type> forward, Value outputGrad) {
  if (forward.size() != 1 || forward[0] != outputGrad.getType())
    return op->emitOpError("output gradient ")
           << outputGrad.getType() << " does not match the forward result "
           << (forward.empty() ? Type() : forward[0]);
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Broadcasting, comparison and selection
//===----------------------------------------------------------------------===//

LogicalResult BroadcastToOp::verify() {
  RankedTensorType in = getInput().getType(), out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("changes the element type from ")
           << in.getElementType() << " to " << out.getElementType();
  if (!broadcastsTo(in.getShape(), out.getShape()))
    return emitOpError("cannot broadcast ")
           << shapeString(in.getShape()) << " to " << shapeString(out.getShape());
  return success();
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  return {};
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext *context, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType l = rankedType(adaptor.getLhs()), r = rankedType(adaptor.getRhs());
  if (l.getElementType() != r.getElementType())
    return emitOptionalError(loc, "operand element types differ: ", l.getElementType(), " vs ",
                             r.getElementType());
  StringRef predicate = adaptor.getPredicate();
  if (!llvm::is_contained({"eq", "ne", "lt", "le", "gt", "ge"}, predicate))
    return emitOptionalError(loc, "unknown predicate '", predicate,
                             "' (expected eq, ne, lt, le, gt or ge)");
  auto shape = broadcastShapes(l.getShape(), r.getShape());
  if (!shape)
    return emitOptionalError(loc, "shapes ", shapeString(l.getShape()), " and ",
                             shapeString(r.getShape()), " do not broadcast");
  out.push_back(RankedTensorType::get(*shape, IntegerType::get(context, 1)));
  return success();
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType c = rankedType(adaptor.getCondition());
  RankedTensorType t = rankedType(adaptor.getOnTrue()), f = rankedType(adaptor.getOnFalse());
  if (!c.getElementType().isInteger(1))
    return emitOptionalError(loc, "condition must be a tensor of i1, got ", c);
  if (t.getElementType() != f.getElementType())
    return emitOptionalError(loc, "on_true and on_false element types differ: ",
                             t.getElementType(), " vs ", f.getElementType());
  auto shape = broadcastShapes(t.getShape(), f.getShape());
  if (shape)
    shape = broadcastShapes(*shape, c.getShape());
  if (!shape)
    return emitOptionalError(loc, "shapes ", shapeString(c.getShape()), ", ",
                             shapeString(t.getShape()), " and ", shapeString(f.getShape()),
                             " do not broadcast");
  out.push_back(RankedTensorType::get(*shape, t.getElementType()));
  return success();
}

LogicalResult OneHotOp::verify() {
  RankedTensorType indices = getIndices().getType(), out = getOutput().getType();
  if (!isa<IntegerType>(indices.getElementType()))
    return emitOpError("indices must be integers, got ") << indices.getElementType();
  if (getDepth() < 1)
    return emitOpError("depth must be positive, got ") << getDepth();
  SmallVector<int64_t> shape(indices.getShape());
  shape.push_back(getDepth());
  if (out.getShape() != ArrayRef<int64_t>(shape))
    return emitOpError("result shape must be ") << shapeString(shape) << ", got "
                                                << shapeString(out.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

LogicalResult RandomUniformOp::verify() {
  // The lowering reads the seed as one scalar.
  auto seedType = dyn_cast<RankedTensorType>(getSeed().getType());
  if (!seedType || seedType.getRank() != 0)
    return emitOpError("seed must be a rank-0 tensor, got ") << getSeed().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Backward contractions and pools
//===----------------------------------------------------------------------===//

LogicalResult Conv2DBackwardDataOp::verify() {
  SmallVector<Type> forward;
  if (failed(inferConv2DType(getLoc(), getInputGrad().getType(), getFilter().getType(),
                             getGroups(), getStrides(), getPads(), getDilations(), forward)))
    return failure();
  return checkForwardResult(*this, forward, getOutputGrad());
}

LogicalResult Conv2DBackwardFilterOp::verify() {
  SmallVector<Type> forward;
  if (failed(inferConv2DType(getLoc(), getInput().getType(), getFilterGrad().getType(),
                             getGroups(), getStrides(), getPads(), getDilations(), forward)))
    return failure();
  return checkForwardResult(*this, forward, getOutputGrad());
}

LogicalResult MaxPool2DBackwardOp::verify() {
  SmallVector<Type> forward;
  if (failed(inferPool2D(getLoc(), getInput(), getKernel(), getStrides(), getPads(),
                         getDilations(), getCeilMode(), forward)))
    return failure();
  return checkForwardResult(*this, forward, getOutputGrad());
}

LogicalResult AvgPool2DBackwardOp::verify() {
  SmallVector<Type> forward;
  SmallVector<int64_t> noDilation = {1, 1};
  if (failed(inferPool2D(getLoc(), getInputGrad(), getKernel(), getStrides(), getPads(),
                         noDilation, getCeilMode(), forward)))
    return failure();
  return checkForwardResult(*this, forward, getOutputGrad());
}

LogicalResult SliceBackwardOp::verify() {
  RankedTensorType in = getInputGrad().getType(), out = getOutputGrad().getType();
  ArrayRef<int64_t> starts = getStarts(), steps = getSteps();
  if (in.getElementType() != out.getElementType() || in.getRank() != out.getRank())
    return emitOpError("result ") << in << " and gradient " << out << " differ in rank or type";
  if ((int64_t)starts.size() != in.getRank() || (int64_t)steps.size() != in.getRank())
    return emitOpError("needs one start and one step per dimension");
  for (int64_t d = 0; d < in.getRank(); ++d) {
    if (steps[d] < 1 || starts[d] < 0 ||
        starts[d] + (out.getDimSize(d) - 1) * steps[d] >= in.getDimSize(d))
      return emitOpError("dimension ")
             << d << ": " << out.getDimSize(d) << " elements from " << starts[d]
             << " by step " << steps[d] << " do not fit in " << in.getDimSize(d);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisation in training mode
//===----------------------------------------------------------------------===//

LogicalResult BatchNormTrainingOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                    Adaptor adaptor,
                                                    SmallVectorImpl<Type> &out) {
  RankedTensorType input = rankedType(adaptor.getInput());
  if (input.getRank() < 2)
    return emitOptionalError(loc, "expects N x C x ..., got rank ", input.getRank());
  auto channelType = RankedTensorType::get({input.getDimSize(1)}, input.getElementType());
  for (Value v : {adaptor.getScale(), adaptor.getBias()})
    if (v.getType() != channelType)
      return emitOptionalError(loc, "scale and bias must be ", channelType, ", got ",
                               v.getType());
  out.append({input, channelType, channelType});
  return success();
}
