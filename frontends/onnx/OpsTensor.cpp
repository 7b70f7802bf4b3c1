//===- OpsTensor.cpp - ONNX shape, copy and constant ops ------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/ImportContext.h"

#include <limits>

using namespace mlir;
using namespace kiln::onnx_import;

namespace {

LogicalResult importConcat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (int i = 0; i < ctx.numInputs(); ++i) {
    Value v = ctx.input(i);
    if (!v)
      return failure();
    inputs.push_back(v);
  }
  if (inputs.empty())
    return ctx.error() << "needs at least one input";
  auto axis = ctx.normalizeAxis(ctx.intAttr("axis", 0),
                                cast<RankedTensorType>(inputs[0].getType()).getRank());
  if (failed(axis))
    return failure();
  return ctx.setResult(ctx.createInferred<kiln::ConcatOp>(
                            inputs, ctx.builder().getI64IntegerAttr(*axis)));
}

/// Reshape's target shape (attribute before opset 5, constant input after): 0 copies the
/// input dimension (unless allowzero), one -1 is inferred.
LogicalResult importReshape(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  SmallVector<int64_t> shape;
  if (ctx.opset() < 5) {
    shape = ctx.intsAttr("shape");
  } else {
    auto values = ctx.constantInts(1);
    if (failed(values))
      return failure();
    shape = *values;
  }
  bool allowZero = ctx.intAttr("allowzero", 0) != 0;
  int64_t known = 1, inferredAxis = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= type.getRank())
        return ctx.error() << "shape entry " << i << " is 0 but the input has rank "
                           << type.getRank();
      shape[i] = type.getDimSize(i);
    }
    if (shape[i] == -1) {
      if (inferredAxis >= 0)
        return ctx.error() << "shape has more than one -1";
      inferredAxis = i;
      continue;
    }
    if (shape[i] < 0)
      return ctx.error() << "shape entry " << shape[i] << " is invalid";
    known *= shape[i];
  }
  if (inferredAxis >= 0) {
    if (known == 0 || type.getNumElements() % known != 0)
      return ctx.error() << "cannot infer the -1 in the target shape from "
                         << type.getNumElements() << " elements";
    shape[inferredAxis] = type.getNumElements() / known;
  }
  return ctx.setResult(ctx.create<kiln::ReshapeOp>(type.clone(shape), ctx.input(0)));
}

LogicalResult importFlatten(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  int64_t axis = ctx.intAttr("axis", 1);
  if (axis < 0)
    axis += type.getRank();
  if (axis < 0 || axis > type.getRank())
    return ctx.error() << "axis " << ctx.intAttr("axis", 1) << " is out of range for rank "
                       << type.getRank();
  return ctx.setResult(ctx.createInferred<kiln::FlattenOp>(
                            ctx.input(0), ctx.builder().getI64IntegerAttr(axis)));
}

LogicalResult importTranspose(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  SmallVector<int64_t> perm = ctx.intsAttr("perm");
  if (!ctx.hasAttr("perm"))
    for (int64_t d = type.getRank() - 1; d >= 0; --d)
      perm.push_back(d);
  return ctx.setResult(ctx.createInferred<kiln::TransposeOp>(
                            ctx.input(0), ctx.builder().getDenseI64ArrayAttr(perm)));
}

/// Axes of Squeeze/Unsqueeze: attribute before opset 13, optional constant input after.
FailureOr<SmallVector<int64_t>> squeezeAxes(NodeContext &ctx, int64_t rank) {
  SmallVector<int64_t> axes;
  if (ctx.opset() < 13) {
    axes = ctx.intsAttr("axes");
  } else if (ctx.hasInput(1)) {
    auto values = ctx.constantInts(1);
    if (failed(values))
      return failure();
    axes = *values;
  }
  for (int64_t &axis : axes) {
    auto normalized = ctx.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) {
    ctx.error() << "axes repeat an axis";
    return failure();
  }
  return axes;
}

LogicalResult importSqueeze(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  auto axes = squeezeAxes(ctx, type.getRank());
  if (failed(axes))
    return failure();
  if (axes->empty()) // no axes: every size-1 dimension
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.getDimSize(d) == 1)
        axes->push_back(d);
  return ctx.setResult(ctx.createInferred<kiln::SqueezeOp>(
                            ctx.input(0), ctx.builder().getDenseI64ArrayAttr(*axes)));
}

LogicalResult importUnsqueeze(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  // Unsqueeze axes refer to the output, whose rank is the input's plus the number of axes.
  size_t count = ctx.opset() < 13 ? ctx.intsAttr("axes").size() : 0;
  if (ctx.opset() >= 13) {
    auto values = ctx.constantInts(1);
    if (failed(values))
      return failure();
    count = values->size();
  }
  auto axes = squeezeAxes(ctx, type.getRank() + count);
  if (failed(axes))
    return failure();
  return ctx.setResult(ctx.createInferred<kiln::UnsqueezeOp>(
                            ctx.input(0), ctx.builder().getDenseI64ArrayAttr(*axes)));
}

LogicalResult importPad(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  std::string mode = ctx.stringAttr("mode", "constant");
  if (mode != "constant")
    return ctx.error() << "unsupported attribute value mode=" << mode
                       << " (only constant padding)";
  SmallVector<int64_t> pads;
  double value = 0.0;
  if (ctx.opset() < 11) {
    pads = ctx.intsAttr("pads");
    value = ctx.floatAttr("value", 0.0f);
  } else {
    auto values = ctx.constantInts(1);
    if (failed(values))
      return failure();
    pads = *values;
    if (ctx.hasInput(2)) {
      auto constant = ctx.constantScalar(2);
      if (failed(constant))
        return failure();
      value = *constant;
    }
    if (ctx.hasInput(3))
      return ctx.error() << "the axes input is not supported";
  }
  if (static_cast<int64_t>(pads.size()) != 2 * type.getRank())
    return ctx.error() << "pads has " << pads.size() << " entries, expected "
                       << 2 * type.getRank();
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return ctx.error() << "unsupported attribute value: negative pads (cropping)";
  OpBuilder &b = ctx.builder();
  return ctx.setResult(ctx.createInferred<kiln::PadOp>(ctx.input(0), b.getDenseI64ArrayAttr(pads),
                                                        b.getF64FloatAttr(value)));
}

/// Slice: attributes before opset 10, constant inputs after; bounds clamped as ONNX says and
/// normalised to one start, end and step per dimension.
LogicalResult importSlice(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (ctx.opset() < 10) {
    starts = ctx.intsAttr("starts");
    ends = ctx.intsAttr("ends");
    axes = ctx.intsAttr("axes");
  } else {
    for (auto [index, target] : {std::pair<int, SmallVector<int64_t> *>{1, &starts},
                                 {2, &ends}, {3, &axes}, {4, &steps}}) {
      if (!ctx.hasInput(index))
        continue;
      auto values = ctx.constantInts(index);
      if (failed(values))
        return failure();
      *target = *values;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || starts.size() != axes.size() ||
      starts.size() != steps.size())
    return ctx.error() << "starts, ends, axes and steps must have the same length";
  SmallVector<int64_t> outStarts(rank, 0), outEnds(type.getShape()), outSteps(rank, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    auto axis = ctx.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    int64_t size = type.getDimSize(*axis), step = steps[i];
    if (step == 0)
      return ctx.error() << "step must not be 0";
    int64_t start = starts[i], end = ends[i];
    if (start < 0)
      start += size;
    if (end < 0)
      end += size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, size);
      end = std::clamp<int64_t>(end, 0, size);
    } else {
      start = std::clamp<int64_t>(start, 0, size - 1);
      end = std::clamp<int64_t>(end, -1, size - 1);
    }
    outStarts[*axis] = start;
    outEnds[*axis] = end;
    outSteps[*axis] = step;
  }
  OpBuilder &b = ctx.builder();
  return ctx.setResult(ctx.createInferred<kiln::SliceOp>(
                            ctx.input(0), b.getDenseI64ArrayAttr(outStarts),
                            b.getDenseI64ArrayAttr(outEnds), b.getDenseI64ArrayAttr(outSteps)));
}

/// Constant nodes define a compile-time value; it becomes a kiln.constant only where a node
/// reads it as a tensor.
LogicalResult importConstant(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  DenseElementsAttr value;
  if (const onnx::AttributeProto *a = ctx.attr("value")) {
    std::string error;
    auto converted = tensorToAttr(a->t(), ctx.context(), error);
    if (failed(converted))
      return ctx.error() << error;
    value = *converted;
  } else if (const onnx::AttributeProto *a = ctx.attr("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), a->f());
  } else if (const onnx::AttributeProto *a = ctx.attr("value_floats")) {
    SmallVector<float> values(a->floats().begin(), a->floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getF32Type()),
        ArrayRef<float>(values));
  } else if (const onnx::AttributeProto *a = ctx.attr("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   static_cast<int64_t>(a->i()));
  } else if (const onnx::AttributeProto *a = ctx.attr("value_ints")) {
    SmallVector<int64_t> values(a->ints().begin(), a->ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getI64Type()),
        ArrayRef<int64_t>(values));
  } else {
    return ctx.error() << "unsupported constant kind (sparse or string values)";
  }
  ctx.setConstantOutput(0, value);
  return success();
}

} // namespace

void kiln::onnx_import::registerTensorOps(OpRegistry &registry) {
  registry.add("Concat", 4, importConcat);
  registry.add("Reshape", 1, importReshape);
  registry.add("Flatten", 1, importFlatten);
  registry.add("Transpose", 1, importTranspose);
  registry.add("Squeeze", 1, importSqueeze);
  registry.add("Unsqueeze", 1, importUnsqueeze);
  registry.add("Pad", 2, importPad);
  registry.add("Slice", 1, importSlice);
  registry.add("Constant", 1, importConstant);
}
