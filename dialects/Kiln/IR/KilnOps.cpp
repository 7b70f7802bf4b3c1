//===- KilnOps.cpp - verifiers, shape inference and folders of kiln ops ---===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/OpInference.h"
#include "dialects/Kiln/IR/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace kiln;

namespace {

RankedTensorType rankedType(Value v) { return cast<RankedTensorType>(v.getType()); }

LogicalResult inferred(SmallVectorImpl<Type> &out, ArrayRef<int64_t> shape, Type element) {
  out.push_back(RankedTensorType::get(shape, element));
  return success();
}


/// Checks a list of spatial attributes has `count` entries, all at least `minimum`.
LogicalResult checkSpatial(std::optional<Location> loc, StringRef name, ArrayRef<int64_t> values,
                           size_t count, int64_t minimum) {
  if (values.size() != count)
    return emitOptionalError(loc, "'", name, "' must have ", count, " entries, got ",
                             values.size());
  for (int64_t v : values)
    if (v < minimum)
      return emitOptionalError(loc, "'", name, "' entries must be >= ", minimum, ", got ",
                               shapeString(values));
  return success();
}

LogicalResult checkAxes(std::optional<Location> loc, ArrayRef<int64_t> axes, int64_t rank,
                        bool sortedUnique) {
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= rank)
      return emitOptionalError(loc, "axis ", axes[i], " is out of range for rank ", rank);
    if (sortedUnique && i > 0 && axes[i] <= axes[i - 1])
      return emitOptionalError(loc, "axes must be sorted and unique, got ", shapeString(axes));
  }
  return success();
}

LogicalResult inferBroadcast(std::optional<Location> loc, Value lhs, Value rhs,
                             SmallVectorImpl<Type> &out) {
  RankedTensorType l = rankedType(lhs), r = rankedType(rhs);
  if (l.getElementType() != r.getElementType())
    return emitOptionalError(loc, "operand element types differ: ", l.getElementType(), " vs ",
                             r.getElementType());
  auto shape = broadcastShapes(l.getShape(), r.getShape());
  if (!shape)
    return emitOptionalError(loc, "shapes ", shapeString(l.getShape()), " and ",
                             shapeString(r.getShape()), " do not broadcast");
  return inferred(out, *shape, l.getElementType());
}

LogicalResult inferReduce(std::optional<Location> loc, Value input, ArrayRef<int64_t> axes,
                          bool keepdims, SmallVectorImpl<Type> &out) {
  RankedTensorType type = rankedType(input);
  if (failed(checkAxes(loc, axes, type.getRank(), /*sortedUnique=*/true)))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    bool reduced = llvm::is_contained(axes, d);
    if (!reduced)
      shape.push_back(type.getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  }
  return inferred(out, shape, type.getElementType());
}

} // namespace

std::string kiln::shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(shape, os);
  os << "]";
  return s;
}

/// Shared by both 2-D pools and their gradients: NCHW input, window attributes, ceil mode.
LogicalResult kiln::inferPool2D(std::optional<Location> loc, Value input, ArrayRef<int64_t> kernel,
                          ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                          ArrayRef<int64_t> dilations, bool ceilMode,
                          SmallVectorImpl<Type> &out) {
  RankedTensorType type = rankedType(input);
  if (type.getRank() != 4)
    return emitOptionalError(loc, "expects a rank-4 NCHW input, got rank ", type.getRank());
  if (failed(checkSpatial(loc, "kernel", kernel, 2, 1)) ||
      failed(checkSpatial(loc, "strides", strides, 2, 1)) ||
      failed(checkSpatial(loc, "pads", pads, 4, 0)) ||
      failed(checkSpatial(loc, "dilations", dilations, 2, 1)))
    return failure();
  SmallVector<int64_t> shape(type.getShape().take_front(2));
  for (int i = 0; i < 2; ++i) {
    if (pads[i] >= kernel[i] * dilations[i] || pads[i + 2] >= kernel[i] * dilations[i])
      return emitOptionalError(loc, "padding ", shapeString(pads),
                               " must be smaller than the window ", shapeString(kernel));
    int64_t size = slidingWindowOutputSize(type.getDimSize(2 + i), kernel[i], strides[i],
                                           pads[i], pads[i + 2], dilations[i], ceilMode);
    if (size <= 0)
      return emitOptionalError(loc, "window ", shapeString(kernel), " does not fit input ",
                               shapeString(type.getShape()));
    shape.push_back(size);
  }
  return inferred(out, shape, type.getElementType());
}

namespace {

LogicalResult inferGlobalPool(std::optional<Location> loc, Value input,
                              SmallVectorImpl<Type> &out) {
  RankedTensorType type = rankedType(input);
  if (type.getRank() < 3)
    return emitOptionalError(loc, "expects N x C x spatial..., got rank ", type.getRank());
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t d = 2; d < type.getRank(); ++d)
    shape[d] = 1;
  return inferred(out, shape, type.getElementType());
}

} // namespace

//===----------------------------------------------------------------------===//
// Model state
//===----------------------------------------------------------------------===//

LogicalResult ParameterOp::verify() {
  auto valueType = cast<ShapedType>(getInitialValue().getType());
  if (valueType.getShape() != getType().getShape() ||
      valueType.getElementType() != getType().getElementType())
    return emitOpError("initial value of type ")
           << valueType << " does not match parameter type " << getType();
  return success();
}

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &out) {
  auto type = dyn_cast<RankedTensorType>(adaptor.getValue().getType());
  if (!type || !type.hasStaticShape())
    return emitOptionalError(loc, "value must be a statically shaped tensor");
  out.push_back(type);
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

LogicalResult kiln::inferConv2DType(std::optional<Location> loc, RankedTensorType input,
                                    RankedTensorType filter, int64_t groups,
                                    ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                                    ArrayRef<int64_t> dilations, SmallVectorImpl<Type> &out) {
  if (input.getRank() != 4 || filter.getRank() != 4)
    return emitOptionalError(loc, "expects rank-4 NCHW input and FCHW filter, got ",
                             shapeString(input.getShape()), " and ",
                             shapeString(filter.getShape()));
  if (input.getElementType() != filter.getElementType())
    return emitOptionalError(loc, "input and filter element types differ");
  int64_t channels = input.getDimSize(1), features = filter.getDimSize(0);
  if (groups < 1 || channels % groups != 0 || features % groups != 0)
    return emitOptionalError(loc, "groups = ", groups, " must divide input channels (",
                             channels, ") and filters (", features, ")");
  if (filter.getDimSize(1) * groups != channels)
    return emitOptionalError(loc, "filter ", shapeString(filter.getShape()), " expects ",
                             filter.getDimSize(1) * groups, " input channels with groups = ",
                             groups, ", input ", shapeString(input.getShape()), " has ",
                             channels);
  if (failed(checkSpatial(loc, "strides", strides, 2, 1)) ||
      failed(checkSpatial(loc, "pads", pads, 4, 0)) ||
      failed(checkSpatial(loc, "dilations", dilations, 2, 1)))
    return failure();
  SmallVector<int64_t> shape = {input.getDimSize(0), features};
  for (int i = 0; i < 2; ++i) {
    int64_t size = slidingWindowOutputSize(input.getDimSize(2 + i), filter.getDimSize(2 + i),
                                           strides[i], pads[i], pads[i + 2], dilations[i],
                                           /*ceilMode=*/false);
    if (size <= 0)
      return emitOptionalError(loc, "filter ", shapeString(filter.getShape()),
                               " does not fit padded input ", shapeString(input.getShape()));
    shape.push_back(size);
  }
  return inferred(out, shape, input.getElementType());
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType filter = rankedType(adaptor.getFilter());
  if (Value bias = adaptor.getBias()) {
    RankedTensorType biasType = rankedType(bias);
    if (biasType.getRank() != 1 || filter.getRank() < 1 ||
        biasType.getDimSize(0) != filter.getDimSize(0))
      return emitOptionalError(loc, "bias ", shapeString(biasType.getShape()),
                               " must have one element per filter (", filter.getDimSize(0),
                               ")");
  }
  return inferConv2DType(loc, rankedType(adaptor.getInput()), filter, adaptor.getGroups(),
                         adaptor.getStrides(), adaptor.getPads(), adaptor.getDilations(), out);
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType a = rankedType(adaptor.getA()), b = rankedType(adaptor.getB());
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOptionalError(loc, "expects rank-2 operands, got ", shapeString(a.getShape()),
                             " and ", shapeString(b.getShape()));
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "operand element types differ");
  int64_t m = a.getDimSize(adaptor.getTransA() ? 1 : 0);
  int64_t ka = a.getDimSize(adaptor.getTransA() ? 0 : 1);
  int64_t kb = b.getDimSize(adaptor.getTransB() ? 1 : 0);
  int64_t n = b.getDimSize(adaptor.getTransB() ? 0 : 1);
  if (ka != kb)
    return emitOptionalError(loc, "inner dimensions differ: ", shapeString(a.getShape()),
                             adaptor.getTransA() ? "^T" : "", " x ", shapeString(b.getShape()),
                             adaptor.getTransB() ? "^T" : "");
  if (Value c = adaptor.getC()) {
    auto shape = broadcastShapes(rankedType(c).getShape(), {m, n});
    if (!shape || *shape != SmallVector<int64_t>{m, n})
      return emitOptionalError(loc, "C ", shapeString(rankedType(c).getShape()),
                               " does not broadcast to the ", m, "x", n, " result");
  }
  return inferred(out, {m, n}, a.getElementType());
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType l = rankedType(adaptor.getLhs()), r = rankedType(adaptor.getRhs());
  if (l.getRank() < 1 || r.getRank() < 1)
    return emitOptionalError(loc, "operands must have rank >= 1");
  if (l.getElementType() != r.getElementType())
    return emitOptionalError(loc, "operand element types differ");
  // Numpy: a 1-D lhs gains a leading 1, a 1-D rhs a trailing 1; both are dropped again.
  SmallVector<int64_t> ls(l.getShape()), rs(r.getShape());
  if (ls.size() == 1)
    ls.insert(ls.begin(), 1);
  if (rs.size() == 1)
    rs.push_back(1);
  if (ls.back() != rs[rs.size() - 2])
    return emitOptionalError(loc, "inner dimensions differ: ", shapeString(l.getShape()),
                             " x ", shapeString(r.getShape()));
  auto batch = broadcastShapes(ArrayRef(ls).drop_back(2), ArrayRef(rs).drop_back(2));
  if (!batch)
    return emitOptionalError(loc, "batch dimensions of ", shapeString(l.getShape()), " and ",
                             shapeString(r.getShape()), " do not broadcast");
  SmallVector<int64_t> shape(*batch);
  if (l.getRank() > 1)
    shape.push_back(ls[ls.size() - 2]);
  if (r.getRank() > 1)
    shape.push_back(rs.back());
  return inferred(out, shape, l.getElementType());
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

LogicalResult BatchNormInferenceOp::verify() {
  RankedTensorType input = getInput().getType(), stats = getScale().getType();
  if (input.getRank() < 2)
    return emitOpError("expects N x C x ... input, got rank ") << input.getRank();
  if (stats.getRank() != 1 || stats.getDimSize(0) != input.getDimSize(1))
    return emitOpError("statistics of shape ")
           << shapeString(stats.getShape()) << " must have one element per channel ("
           << input.getDimSize(1) << ")";
  if (stats.getElementType() != input.getElementType())
    return emitOpError("statistics and input element types differ");
  return success();
}

template <typename AxisOp> static LogicalResult verifyAxis(AxisOp op) {
  int64_t rank = op.getInput().getType().getRank();
  if (static_cast<int64_t>(op.getAxis()) < 0 || static_cast<int64_t>(op.getAxis()) >= rank)
    return op.emitOpError("axis ") << static_cast<int64_t>(op.getAxis())
                                   << " is out of range for rank " << rank;
  return success();
}
LogicalResult SoftmaxOp::verify() { return verifyAxis(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifyAxis(*this); }

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

OpFoldResult IdentityOp::fold(FoldAdaptor) { return getInput(); }

LogicalResult DropoutOp::verify() {
  double ratio = getRatio().convertToDouble();
  if (ratio < 0.0 || ratio >= 1.0)
    return emitOpError("ratio must be in [0, 1), got ") << ratio;
  return success();
}

#define KILN_BROADCAST_INFERENCE(OP)                                                        \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc,           \
                                     Adaptor adaptor, SmallVectorImpl<Type> &out) {        \
    return inferBroadcast(loc, adaptor.getLhs(), adaptor.getRhs(), out);                   \
  }
KILN_BROADCAST_INFERENCE(AddOp)
KILN_BROADCAST_INFERENCE(SubOp)
KILN_BROADCAST_INFERENCE(MulOp)
KILN_BROADCAST_INFERENCE(DivOp)
KILN_BROADCAST_INFERENCE(MaxOp)
KILN_BROADCAST_INFERENCE(MinOp)
KILN_BROADCAST_INFERENCE(PowOp)
#undef KILN_BROADCAST_INFERENCE

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &out) {
  return inferPool2D(loc, adaptor.getInput(), adaptor.getKernel(), adaptor.getStrides(),
                     adaptor.getPads(), adaptor.getDilations(), adaptor.getCeilMode(), out);
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &out) {
  int64_t unitDilations[] = {1, 1};
  return inferPool2D(loc, adaptor.getInput(), adaptor.getKernel(), adaptor.getStrides(),
                     adaptor.getPads(), unitDilations, adaptor.getCeilMode(), out);
}

LogicalResult GlobalAvgPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor, SmallVectorImpl<Type> &out) {
  return inferGlobalPool(loc, adaptor.getInput(), out);
}

LogicalResult GlobalMaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor, SmallVectorImpl<Type> &out) {
  return inferGlobalPool(loc, adaptor.getInput(), out);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

#define KILN_REDUCE_INFERENCE(OP)                                                           \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc,           \
                                     Adaptor adaptor, SmallVectorImpl<Type> &out) {        \
    return inferReduce(loc, adaptor.getInput(), adaptor.getAxes(), adaptor.getKeepdims(),  \
                       out);                                                                \
  }                                                                                         \
  LogicalResult OP::verify() {                                                              \
    if (getAxes().empty())                                                                  \
      return emitOpError("needs at least one axis");                                        \
    return success();                                                                       \
  }
KILN_REDUCE_INFERENCE(ReduceSumOp)
KILN_REDUCE_INFERENCE(ReduceMeanOp)
KILN_REDUCE_INFERENCE(ReduceMaxOp)
#undef KILN_REDUCE_INFERENCE

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &out) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "needs at least one input");
  RankedTensorType first = rankedType(adaptor.getInputs().front());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                             first.getRank());
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value v : adaptor.getInputs()) {
    RankedTensorType type = rankedType(v);
    if (type.getElementType() != first.getElementType() || type.getRank() != first.getRank())
      return emitOptionalError(loc, "inputs must share element type and rank");
    for (int64_t d = 0; d < first.getRank(); ++d)
      if (d != axis && type.getDimSize(d) != first.getDimSize(d))
        return emitOptionalError(loc, "input ", shapeString(type.getShape()),
                                 " differs from ", shapeString(first.getShape()),
                                 " outside axis ", axis);
    shape[axis] += type.getDimSize(axis);
  }
  return inferred(out, shape, first.getElementType());
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), result = getOutput().getType();
  if (in.getElementType() != result.getElementType())
    return emitOpError("element type changes from ")
           << in.getElementType() << " to " << result.getElementType();
  if (numElements(in.getShape()) != numElements(result.getShape()))
    return emitOpError("cannot reshape ")
           << shapeString(in.getShape()) << " (" << numElements(in.getShape())
           << " elements) to " << shapeString(result.getShape()) << " ("
           << numElements(result.getShape()) << " elements)";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  // reshape(reshape(x)) is one reshape.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getOutput().getType());
  return {};
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType type = rankedType(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis > type.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range for rank ", type.getRank());
  int64_t outer = numElements(type.getShape().take_front(axis));
  int64_t inner = numElements(type.getShape().drop_front(axis));
  return inferred(out, {outer, inner}, type.getElementType());
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType type = rankedType(adaptor.getInput());
  if (failed(checkAxes(loc, adaptor.getAxes(), type.getRank(), /*sortedUnique=*/true)))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!llvm::is_contained(adaptor.getAxes(), d)) {
      shape.push_back(type.getDimSize(d));
      continue;
    }
    if (type.getDimSize(d) != 1)
      return emitOptionalError(loc, "cannot squeeze axis ", d, " of size ",
                               type.getDimSize(d));
  }
  return inferred(out, shape, type.getElementType());
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType type = rankedType(adaptor.getInput());
  int64_t rank = type.getRank() + adaptor.getAxes().size();
  if (failed(checkAxes(loc, adaptor.getAxes(), rank, /*sortedUnique=*/true)))
    return failure();
  SmallVector<int64_t> shape;
  auto next = type.getShape().begin();
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(llvm::is_contained(adaptor.getAxes(), d) ? 1 : *next++);
  return inferred(out, shape, type.getElementType());
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType type = rankedType(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (static_cast<int64_t>(perm.size()) != type.getRank())
    return emitOptionalError(loc, "perm ", shapeString(perm), " does not match rank ",
                             type.getRank());
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= type.getRank() || seen[p])
      return emitOptionalError(loc, "perm ", shapeString(perm), " is not a permutation");
    seen[p] = true;
    shape.push_back(type.getDimSize(p));
  }
  return inferred(out, shape, type.getElementType());
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType type = rankedType(adaptor.getInput());
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (failed(checkSpatial(loc, "pads", pads, 2 * type.getRank(), 0)))
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t d = 0; d < type.getRank(); ++d)
    shape[d] += pads[d] + pads[d + type.getRank()];
  return inferred(out, shape, type.getElementType());
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &out) {
  RankedTensorType type = rankedType(adaptor.getInput());
  ArrayRef<int64_t> starts = adaptor.getStarts(), ends = adaptor.getEnds(),
                    steps = adaptor.getSteps();
  size_t rank = type.getRank();
  if (starts.size() != rank || ends.size() != rank || steps.size() != rank)
    return emitOptionalError(loc, "starts, ends and steps need one entry per dimension (",
                             rank, ")");
  SmallVector<int64_t> shape;
  for (size_t d = 0; d < rank; ++d) {
    int64_t size = type.getDimSize(d);
    int64_t length = steps[d] == 0 ? -1 : sliceLength(starts[d], ends[d], steps[d]);
    bool inRange = steps[d] > 0 ? (starts[d] >= 0 && ends[d] <= size)
                                : (starts[d] < size && ends[d] >= -1);
    if (length < 0 || (length > 0 && !inRange))
      return emitOptionalError(loc, "slice [", starts[d], ":", ends[d], ":", steps[d],
                               "] of dimension ", d, " (size ", size, ") is not normalised");
    shape.push_back(length);
  }
  return inferred(out, shape, type.getElementType());
}

#define GET_OP_CLASSES
#include "dialects/Kiln/IR/KilnOps.cpp.inc"
