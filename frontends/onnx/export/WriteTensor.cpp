//===- WriteTensor.cpp - kiln constants and data movement as ONNX --------------===//
//
// The inverse of frontends/onnx/OpsTensor.cpp at opset 17: shapes, axes, pads and slice
// bounds, which kiln holds as attributes, become Constant inputs.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/export/ExportContext.h"

using namespace mlir;
using namespace kiln::onnx_export;

namespace {

/// A Constant node rather than an initializer: initializers are the model's parameters (the
/// importer turns float ones back into kiln.parameter, `kiln-run train --export` rewrites
/// them by name).
LogicalResult writeConstant(GraphWriter &w, Operation *op) {
  auto constant = cast<kiln::ConstantOp>(op);
  onnx::TensorProto value;
  if (failed(attrToTensor(constant.getValue(), "", value)))
    return w.error(op) << "its value of element type " << constant.getValue().getElementType()
                       << " is not a dense tensor ONNX can hold";
  onnx::NodeProto &node = w.addNode(op, "Constant", {});
  onnx::AttributeProto *attr = node.add_attribute();
  attr->set_name("value");
  attr->set_type(onnx::AttributeProto::TENSOR);
  *attr->mutable_t() = std::move(value);
  return success();
}

LogicalResult writeConcat(GraphWriter &w, Operation *op) {
  auto concat = cast<kiln::ConcatOp>(op);
  SmallVector<std::string> inputs;
  for (Value input : concat.getInputs())
    inputs.push_back(w.name(input));
  setInt(w.addNode(op, "Concat", inputs), "axis", concat.getAxis());
  return success();
}

/// The target shape is the result's. A leading dimension equal to the input's is written as
/// 0 (copy the input's), which keeps a symbolic batch symbolic; any other number pins it.
LogicalResult writeReshape(GraphWriter &w, Operation *op) {
  auto reshape = cast<kiln::ReshapeOp>(op);
  ArrayRef<int64_t> in = reshape.getInput().getType().getShape();
  SmallVector<int64_t> shape(reshape.getOutput().getType().getShape());
  // With a zero-sized dimension 0 must mean zero, which allowzero says.
  bool allowZero = llvm::is_contained(shape, 0);
  bool copyLeading = !allowZero && !in.empty() && !shape.empty() && in.front() == shape.front();
  if (copyLeading)
    shape.front() = 0;
  else if (w.batchIsSymbolic())
    w.notePinnedReshape(w.name(reshape.getInput()), op);
  std::string target = w.constantInts(op, shape);
  onnx::NodeProto &node = w.addNode(op, "Reshape", {w.name(reshape.getInput()), target});
  if (allowZero)
    setInt(node, "allowzero", 1);
  return success();
}

LogicalResult writeFlatten(GraphWriter &w, Operation *op) {
  auto flatten = cast<kiln::FlattenOp>(op);
  setInt(w.addNode(op, "Flatten", {w.name(flatten.getInput())}), "axis", flatten.getAxis());
  return success();
}

LogicalResult writeTranspose(GraphWriter &w, Operation *op) {
  auto transpose = cast<kiln::TransposeOp>(op);
  setInts(w.addNode(op, "Transpose", {w.name(transpose.getInput())}), "perm",
          transpose.getPerm());
  return success();
}

/// Squeeze-13 and Unsqueeze-13 take their axes as an input.
template <typename OpTy> OpWriteFn axesInput(StringRef opType) {
  return [opType = opType.str()](GraphWriter &w, Operation *op) {
    auto axesOp = cast<OpTy>(op);
    std::string axes = w.constantInts(op, axesOp.getAxes());
    w.addNode(op, opType, {w.name(axesOp.getInput()), axes});
    return success();
  };
}

/// Pad-13 in constant mode: pads (all begins, then all ends, as kiln) and the value are
/// inputs.
LogicalResult writePad(GraphWriter &w, Operation *op) {
  auto pad = cast<kiln::PadOp>(op);
  std::string pads = w.constantInts(op, pad.getPads());
  std::string value = w.constantScalar(op, pad.getInput().getType().getElementType(),
                                       pad.getValue().convertToDouble());
  if (value.empty())
    return failure();
  w.addNode(op, "Pad", {w.name(pad.getInput()), pads, value});
  return success();
}

/// Slice-13 over the dimensions kiln does not keep whole. kiln's end of -1 (a negative step
/// running through element 0) is ONNX's -size-1: a plain -1 would mean the last element.
LogicalResult writeSlice(GraphWriter &w, Operation *op) {
  auto slice = cast<kiln::SliceOp>(op);
  ArrayRef<int64_t> sizes = slice.getInput().getType().getShape();
  SmallVector<int64_t> starts, ends, axes, steps;
  for (auto [axis, size] : llvm::enumerate(sizes)) {
    int64_t start = slice.getStarts()[axis], end = slice.getEnds()[axis],
            step = slice.getSteps()[axis];
    if (start == 0 && end == size && step == 1)
      continue;
    starts.push_back(start);
    ends.push_back(end < 0 ? end - size : end);
    axes.push_back(axis);
    steps.push_back(step);
  }
  if (axes.empty()) {
    w.addNode(op, "Identity", {w.name(slice.getInput())});
    return success();
  }
  w.addNode(op, "Slice",
            {w.name(slice.getInput()), w.constantInts(op, starts), w.constantInts(op, ends),
             w.constantInts(op, axes), w.constantInts(op, steps)});
  return success();
}

} // namespace

void kiln::onnx_export::registerTensorWriters(WriterTable &table) {
  table["kiln.constant"] = writeConstant;
  table["kiln.concat"] = writeConcat;
  table["kiln.reshape"] = writeReshape;
  table["kiln.flatten"] = writeFlatten;
  table["kiln.transpose"] = writeTranspose;
  table["kiln.squeeze"] = axesInput<kiln::SqueezeOp>("Squeeze");
  table["kiln.unsqueeze"] = axesInput<kiln::UnsqueezeOp>("Unsqueeze");
  table["kiln.pad"] = writePad;
  table["kiln.slice"] = writeSlice;
}
