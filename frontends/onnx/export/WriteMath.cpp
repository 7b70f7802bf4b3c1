//===- WriteMath.cpp - kiln elementwise math, casts and reductions as ONNX ------===//
//
// The inverse of frontends/onnx/OpsMath.cpp at opset 17.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/export/ExportContext.h"

using namespace mlir;
using namespace kiln::onnx_export;

namespace {

LogicalResult writeLeakyRelu(GraphWriter &w, Operation *op) {
  auto leaky = cast<kiln::LeakyReluOp>(op);
  setFloat(w.addNode(op, "LeakyRelu", {w.name(leaky.getInput())}), "alpha",
           leaky.getAlpha().convertToDouble());
  return success();
}

/// Clip-13: the bounds are optional scalar inputs of the input's element type.
LogicalResult writeClip(GraphWriter &w, Operation *op) {
  auto clip = cast<kiln::ClipOp>(op);
  Type element = clip.getInput().getType().getElementType();
  SmallVector<std::string> inputs{w.name(clip.getInput())};
  for (std::optional<APFloat> bound : {clip.getMin(), clip.getMax()}) {
    std::string name;
    if (bound) {
      name = w.constantScalar(op, element, bound->convertToDouble());
      if (name.empty())
        return failure();
    }
    inputs.push_back(name); // "" leaves an optional input out
  }
  while (inputs.back().empty())
    inputs.pop_back();
  w.addNode(op, "Clip", inputs);
  return success();
}

LogicalResult writeCast(GraphWriter &w, Operation *op) {
  auto castOp = cast<kiln::CastOp>(op);
  Type to = castOp.getOutput().getType().getElementType();
  int32_t dataType = onnxDataType(to);
  if (dataType == onnx::TensorProto::UNDEFINED)
    return w.error(op) << "ONNX has no element type for " << to;
  setInt(w.addNode(op, "Cast", {w.name(castOp.getInput())}), "to", dataType);
  return success();
}

/// ReduceSum-13 takes its axes as an input; ReduceMean-13 and ReduceMax-13 as an attribute.
template <typename OpTy> OpWriteFn reduce(StringRef opType, bool axesAsInput) {
  return [opType = opType.str(), axesAsInput](GraphWriter &w, Operation *op) {
    auto reduceOp = cast<OpTy>(op);
    SmallVector<std::string> inputs{w.name(reduceOp.getInput())};
    ArrayRef<int64_t> axes = reduceOp.getAxes();
    // Empty ONNX axes would mean all of them; kiln's mean none.
    if (axes.empty()) {
      w.addNode(op, "Identity", inputs);
      return success();
    }
    if (axesAsInput)
      inputs.push_back(w.constantInts(op, axes));
    onnx::NodeProto &node = w.addNode(op, opType, inputs);
    if (!axesAsInput)
      setInts(node, "axes", axes);
    setInt(node, "keepdims", reduceOp.getKeepdims() ? 1 : 0);
    return success();
  };
}

} // namespace

void kiln::onnx_export::registerMathWriters(WriterTable &table) {
  for (auto [kilnOp, onnxOp] : std::initializer_list<std::pair<StringRef, StringRef>>{
           {"kiln.relu", "Relu"},     {"kiln.sigmoid", "Sigmoid"},
           {"kiln.tanh", "Tanh"},     {"kiln.exp", "Exp"},
           {"kiln.log", "Log"},       {"kiln.sqrt", "Sqrt"},
           {"kiln.neg", "Neg"},       {"kiln.reciprocal", "Reciprocal"},
           {"kiln.abs", "Abs"},       {"kiln.identity", "Identity"},
           {"kiln.add", "Add"},       {"kiln.sub", "Sub"},
           {"kiln.mul", "Mul"},       {"kiln.div", "Div"},
           {"kiln.max", "Max"},       {"kiln.min", "Min"},
           {"kiln.pow", "Pow"},       {"kiln.matmul", "MatMul"}})
    table[kilnOp] = sameOperands(onnxOp);
  table["kiln.leaky_relu"] = writeLeakyRelu;
  table["kiln.clip"] = writeClip;
  table["kiln.cast"] = writeCast;
  table["kiln.reduce_sum"] = reduce<kiln::ReduceSumOp>("ReduceSum", /*axesAsInput=*/true);
  table["kiln.reduce_mean"] = reduce<kiln::ReduceMeanOp>("ReduceMean", false);
  table["kiln.reduce_max"] = reduce<kiln::ReduceMaxOp>("ReduceMax", false);
}
