//===- OpsTensor.cpp - ONNX shape, copy and constant ops ------------------===//
//
// Importers keyed by (op type, since-opset); an op whose inputs or attributes changed in
// some opset has one importer per version. Shapes, axes, pads and slice bounds given as
// inputs must be compile-time constants: kiln compiles static shapes.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/ImportContext.h"

#include <algorithm>

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

/// Reshape-5 and later: the target shape is a constant input; 0 copies the input dimension
/// (unless allowzero, opset 14), one -1 is inferred. (Reshape-1's attribute predates opset 7.)
LogicalResult importReshape(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  FailureOr<SmallVector<int64_t>> target = ctx.constantInts(1);
  if (failed(target))
    return failure();
  SmallVector<int64_t> shape = *target;
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

/// Axes of Squeeze and Unsqueeze: an attribute before opset 13, an optional constant input
/// from 13 on.
FailureOr<SmallVector<int64_t>> squeezeAxes(NodeContext &ctx) {
  if (ctx.opset() < 13)
    return ctx.intsAttr("axes");
  if (!ctx.hasInput(1))
    return SmallVector<int64_t>();
  return ctx.constantInts(1);
}

/// Squeeze-1 and -13: no axes means every size-1 dimension.
LogicalResult importSqueeze(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  FailureOr<SmallVector<int64_t>> onnxAxes = squeezeAxes(ctx);
  if (failed(onnxAxes))
    return failure();
  FailureOr<SmallVector<int64_t>> axes = ctx.normalizeAxes(*onnxAxes, type.getRank());
  if (failed(axes))
    return failure();
  if (onnxAxes->empty())
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.getDimSize(d) == 1)
        axes->push_back(d);
  return ctx.setResult(ctx.createInferred<kiln::SqueezeOp>(
      ctx.input(0), ctx.builder().getDenseI64ArrayAttr(*axes)));
}

/// Unsqueeze-1 and -13: axes refer to the output, whose rank is the input's plus their number.
LogicalResult importUnsqueeze(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  FailureOr<SmallVector<int64_t>> onnxAxes = squeezeAxes(ctx);
  if (failed(onnxAxes))
    return failure();
  FailureOr<SmallVector<int64_t>> axes =
      ctx.normalizeAxes(*onnxAxes, type.getRank() + onnxAxes->size());
  if (failed(axes))
    return failure();
  return ctx.setResult(ctx.createInferred<kiln::UnsqueezeOp>(
      ctx.input(0), ctx.builder().getDenseI64ArrayAttr(*axes)));
}

LogicalResult checkPadMode(NodeContext &ctx) {
  std::string mode = ctx.stringAttr("mode", "constant");
  if (mode != "constant")
    return ctx.unsupportedAttr("mode", mode) << " (only constant padding)";
  return success();
}

LogicalResult buildPad(NodeContext &ctx, ArrayRef<int64_t> pads, double value) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  if (static_cast<int64_t>(pads.size()) != 2 * type.getRank())
    return ctx.error() << "pads has " << pads.size() << " entries, expected "
                       << 2 * type.getRank();
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return ctx.error() << "unsupported pads [" << pads << "]: negative pads (cropping)";
  OpBuilder &b = ctx.builder();
  return ctx.setResult(ctx.createInferred<kiln::PadOp>(
      ctx.input(0), b.getDenseI64ArrayAttr(pads), b.getF64FloatAttr(value)));
}

/// Pad-2: pads and value are attributes.
LogicalResult importPadAttrs(NodeContext &ctx) {
  if (failed(checkPadMode(ctx)))
    return failure();
  return buildPad(ctx, ctx.intsAttr("pads"), ctx.floatAttr("value", 0.0f));
}

/// Pad-11 and -13: pads and the optional value are constant inputs.
LogicalResult importPadInputs(NodeContext &ctx) {
  if (failed(checkPadMode(ctx)))
    return failure();
  FailureOr<SmallVector<int64_t>> pads = ctx.constantInts(1);
  if (failed(pads))
    return failure();
  double value = 0.0;
  if (ctx.hasInput(2)) {
    FailureOr<double> constant = ctx.constantScalar(2);
    if (failed(constant))
      return failure();
    value = *constant;
  }
  return buildPad(ctx, *pads, value);
}

/// Clamps ONNX slice bounds as the spec says and normalises them to kiln's form: for a
/// positive step 0 <= start <= end <= size, for a negative one -1 <= end <= start < size.
void normaliseSlice(int64_t size, int64_t &start, int64_t &end, int64_t step) {
  if (size == 0) {
    start = end = 0;
    return;
  }
  if (start < 0)
    start += size;
  if (end < 0)
    end += size;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, size);
    end = std::clamp<int64_t>(end, start, size); // end < start: an empty slice
  } else {
    start = std::clamp<int64_t>(start, 0, size - 1);
    end = std::clamp<int64_t>(end, -1, start); // end > start: an empty slice
  }
}

/// Slice over `axes` (all leading axes if empty) with `steps` (all 1 if empty); the other
/// dimensions are kept whole.
LogicalResult buildSlice(NodeContext &ctx, ArrayRef<int64_t> starts, ArrayRef<int64_t> ends,
                         SmallVector<int64_t> axes, SmallVector<int64_t> steps) {
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return ctx.error() << "starts, ends, axes and steps must have the same length, got "
                       << starts.size() << ", " << ends.size() << ", " << axes.size() << ", "
                       << steps.size();
  SmallVector<int64_t> outStarts(rank, 0), outEnds(type.getShape()), outSteps(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = ctx.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return ctx.error() << "axes name axis " << *axis << " twice";
    seen[*axis] = true;
    if (steps[i] == 0)
      return ctx.error() << "steps must not be 0";
    int64_t start = starts[i], end = ends[i];
    normaliseSlice(type.getDimSize(*axis), start, end, steps[i]);
    outStarts[*axis] = start;
    outEnds[*axis] = end;
    outSteps[*axis] = steps[i];
  }
  OpBuilder &b = ctx.builder();
  return ctx.setResult(ctx.createInferred<kiln::SliceOp>(
      ctx.input(0), b.getDenseI64ArrayAttr(outStarts), b.getDenseI64ArrayAttr(outEnds),
      b.getDenseI64ArrayAttr(outSteps)));
}

/// Slice-1: starts, ends and axes are attributes; steps are 1.
LogicalResult importSliceAttrs(NodeContext &ctx) {
  return buildSlice(ctx, ctx.intsAttr("starts"), ctx.intsAttr("ends"), ctx.intsAttr("axes"),
                    {});
}

/// Slice-10 and -13: starts, ends and the optional axes and steps are constant inputs.
LogicalResult importSliceInputs(NodeContext &ctx) {
  SmallVector<int64_t> bounds[4]; // starts, ends, axes, steps
  for (int i = 0; i < 4; ++i) {
    if (i >= 2 && !ctx.hasInput(i + 1))
      continue;
    FailureOr<SmallVector<int64_t>> values = ctx.constantInts(i + 1);
    if (failed(values))
      return failure();
    bounds[i] = *values;
  }
  return buildSlice(ctx, bounds[0], bounds[1], bounds[2], bounds[3]);
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
    std::string kind = ctx.node().attribute_size() ? ctx.node().attribute(0).name() : "none";
    return ctx.error() << "unsupported constant kind " << kind
                       << " (kiln holds dense numeric tensors)";
  }
  ctx.setConstantOutput(0, value);
  return success();
}

} // namespace

void kiln::onnx_import::registerTensorOps(OpRegistry &registry) {
  registry.add("Concat", 4, importConcat);
  registry.add("Reshape", 5, importReshape);
  registry.add("Flatten", 1, importFlatten);
  registry.add("Transpose", 1, importTranspose);
  registry.add("Squeeze", 1, importSqueeze);
  registry.add("Unsqueeze", 1, importUnsqueeze);
  registry.add("Pad", 2, importPadAttrs);
  registry.add("Pad", 11, importPadInputs);
  registry.add("Slice", 1, importSliceAttrs);
  registry.add("Slice", 10, importSliceInputs);
  registry.add("Constant", 1, importConstant);
}
