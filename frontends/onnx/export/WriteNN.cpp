//===- WriteNN.cpp - kiln convolution, gemm, normalisation and pooling as ONNX --===//
//
// The inverse of frontends/onnx/OpsNN.cpp at opset 17. kiln's windows are 2-D with pads in
// ONNX's order ([top, left, bottom, right]), so attributes carry over unchanged.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/export/ExportContext.h"

using namespace mlir;
using namespace kiln::onnx_export;

namespace {

LogicalResult writeConv(GraphWriter &w, Operation *op) {
  auto conv = cast<kiln::Conv2DOp>(op);
  SmallVector<std::string> inputs{w.name(conv.getInput()), w.name(conv.getFilter())};
  if (conv.getBias())
    inputs.push_back(w.name(conv.getBias()));
  onnx::NodeProto &node = w.addNode(op, "Conv", inputs);
  setInts(node, "kernel_shape", conv.getFilter().getType().getShape().drop_front(2));
  setInts(node, "strides", conv.getStrides());
  setInts(node, "pads", conv.getPads());
  setInts(node, "dilations", conv.getDilations());
  setInt(node, "group", conv.getGroups());
  return success();
}

LogicalResult writeGemm(GraphWriter &w, Operation *op) {
  auto gemm = cast<kiln::GemmOp>(op);
  SmallVector<std::string> inputs{w.name(gemm.getA()), w.name(gemm.getB())};
  if (gemm.getC())
    inputs.push_back(w.name(gemm.getC()));
  onnx::NodeProto &node = w.addNode(op, "Gemm", inputs);
  setFloat(node, "alpha", gemm.getAlpha().convertToDouble());
  setFloat(node, "beta", gemm.getBeta().convertToDouble());
  setInt(node, "transA", gemm.getTransA() ? 1 : 0);
  setInt(node, "transB", gemm.getTransB() ? 1 : 0);
  return success();
}

/// BatchNormalization-15 in inference mode (one output, running statistics).
LogicalResult writeBatchNorm(GraphWriter &w, Operation *op) {
  auto bn = cast<kiln::BatchNormInferenceOp>(op);
  onnx::NodeProto &node =
      w.addNode(op, "BatchNormalization",
                {w.name(bn.getInput()), w.name(bn.getScale()), w.name(bn.getBias()),
                 w.name(bn.getMean()), w.name(bn.getVariance())});
  setFloat(node, "epsilon", bn.getEpsilon().convertToDouble());
  return success();
}

/// A pooling node with the window attributes both pools share.
template <typename OpTy>
onnx::NodeProto &addPool(GraphWriter &w, OpTy pool, StringRef opType) {
  onnx::NodeProto &node = w.addNode(pool, opType, {w.name(pool.getInput())});
  setInts(node, "kernel_shape", pool.getKernel());
  setInts(node, "strides", pool.getStrides());
  setInts(node, "pads", pool.getPads());
  setInt(node, "ceil_mode", pool.getCeilMode() ? 1 : 0);
  return node;
}

LogicalResult writeMaxPool(GraphWriter &w, Operation *op) {
  auto pool = cast<kiln::MaxPool2DOp>(op);
  setInts(addPool(w, pool, "MaxPool"), "dilations", pool.getDilations());
  return success();
}

/// AveragePool-11 has no dilations, and kiln's average pooling has none either.
LogicalResult writeAvgPool(GraphWriter &w, Operation *op) {
  auto pool = cast<kiln::AvgPool2DOp>(op);
  setInt(addPool(w, pool, "AveragePool"), "count_include_pad",
         pool.getCountIncludePad() ? 1 : 0);
  return success();
}

template <typename OpTy> OpWriteFn axisNorm(StringRef opType) {
  return [opType = opType.str()](GraphWriter &w, Operation *op) {
    auto norm = cast<OpTy>(op);
    setInt(w.addNode(op, opType, {w.name(norm.getInput())}), "axis", norm.getAxis());
    return success();
  };
}

/// Dropout-13 at inference passes its input through; the ratio stays for readers and for
/// training elsewhere.
LogicalResult writeDropout(GraphWriter &w, Operation *op) {
  auto dropout = cast<kiln::DropoutOp>(op);
  Type element = dropout.getInput().getType().getElementType();
  if (!isa<FloatType>(element)) // Dropout's ratio has the input's float type
    return w.error(op) << "ONNX's Dropout takes float tensors, got " << element;
  std::string ratio = w.constantScalar(op, element, dropout.getRatio().convertToDouble());
  if (ratio.empty())
    return failure();
  w.addNode(op, "Dropout", {w.name(dropout.getInput()), ratio});
  return success();
}

} // namespace

void kiln::onnx_export::registerNNWriters(WriterTable &table) {
  table["kiln.conv2d"] = writeConv;
  table["kiln.gemm"] = writeGemm;
  table["kiln.batch_norm_inference"] = writeBatchNorm;
  table["kiln.max_pool2d"] = writeMaxPool;
  table["kiln.avg_pool2d"] = writeAvgPool;
  table["kiln.global_avg_pool"] = sameOperands("GlobalAveragePool");
  table["kiln.global_max_pool"] = sameOperands("GlobalMaxPool");
  table["kiln.softmax"] = axisNorm<kiln::SoftmaxOp>("Softmax");
  table["kiln.log_softmax"] = axisNorm<kiln::LogSoftmaxOp>("LogSoftmax");
  table["kiln.dropout"] = writeDropout;
}
