//===- ExportContext.h - state shared by the ONNX op writers ---------------===//
//
// The graph writer owns the GraphProto being built and the ONNX name of every kiln value;
// an op writer turns one kiln op into nodes through it. Internal to frontends/onnx/export
// (it includes libonnx's protobuf classes).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_ONNX_EXPORT_EXPORTCONTEXT_H
#define KILN_FRONTENDS_ONNX_EXPORT_EXPORTCONTEXT_H

#include <onnx/onnx_pb.h>

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <string>
#include <vector>

namespace kiln::onnx_export {

/// The one default-domain opset the exporter writes: the newest the importer reads, whose
/// schemas (Reduce* axes as attributes, Squeeze/Unsqueeze/Slice/Pad/Clip bounds as inputs)
/// every op writer follows.
constexpr int64_t kExportOpset = 17;
/// ONNX's IR version that goes with opset 17.
constexpr int64_t kExportIrVersion = 8;

class GraphWriter;

/// Writes one kiln op as ONNX nodes; reports through GraphWriter::error on failure.
using OpWriteFn = std::function<mlir::LogicalResult(GraphWriter &, mlir::Operation *)>;
/// Op writers keyed by the kiln op's name ("kiln.conv2d").
using WriterTable = llvm::StringMap<OpWriteFn>;

/// A writer for ops whose operands map one to one onto the inputs of an ONNX node of
/// `opType` without attributes (Relu, Add, MatMul, GlobalAveragePool, ...).
OpWriteFn sameOperands(llvm::StringRef opType);

void registerMathWriters(WriterTable &table);
void registerNNWriters(WriterTable &table);
void registerTensorWriters(WriterTable &table);

/// The ONNX data type of an MLIR element type, or 0 (UNDEFINED) if ONNX has none for it.
int32_t onnxDataType(mlir::Type element);
/// `value` as an ONNX tensor named `name`; fails for element types without an ONNX type.
mlir::LogicalResult attrToTensor(mlir::ElementsAttr value, llvm::StringRef name,
                                 onnx::TensorProto &tensor);

/// Attribute setters for a node under construction.
void setInt(onnx::NodeProto &node, llvm::StringRef name, int64_t value);
void setFloat(onnx::NodeProto &node, llvm::StringRef name, double value);
void setInts(onnx::NodeProto &node, llvm::StringRef name, llvm::ArrayRef<int64_t> values);

/// A Reshape whose leading target dimension was written as a number: with a symbolic batch
/// it is only right if its input's leading dimension is not the batch (checked after shape
/// inference).
struct PinnedReshape {
  std::string input;
  mlir::Operation *op;
};

class GraphWriter {
public:
  GraphWriter(onnx::GraphProto &graph, const WriterTable &writers)
      : graph(graph), writers(writers) {}

  /// Writes the module's parameters as initializers and `forward` as the graph: inputs,
  /// nodes, outputs. With `symbolicBatch`, the inputs named in `symbolicInputs` (input name
  /// -> dimension name) get a symbolic leading dimension and outputs leave theirs open.
  /// Reports every op without a writer and every failing writer before it fails.
  mlir::LogicalResult writeFunction(mlir::ModuleOp module, mlir::func::FuncOp forward,
                                    mlir::DictionaryAttr symbolicInputs);

  /// The ONNX name of a kiln value (an input, parameter or earlier op result).
  const std::string &name(mlir::Value value);
  /// Adds a node of `opType` for `op` reading `inputs`; its outputs are named after `op`'s
  /// results. The node's name comes from the op's location.
  onnx::NodeProto &addNode(mlir::Operation *op, llvm::StringRef opType,
                           llvm::ArrayRef<std::string> inputs);
  /// A Constant node holding a 1-D int64 tensor (shapes, axes, pads, slice bounds); returns
  /// the name of its output.
  std::string constantInts(mlir::Operation *op, llvm::ArrayRef<int64_t> values);
  /// A Constant node holding a scalar of `element`'s type (clip bounds, pad values, dropout
  /// ratios); returns the name of its output, or "" after an error.
  std::string constantScalar(mlir::Operation *op, mlir::Type element, double value);
  /// A Constant node holding `value`; returns the name of its output, or "" after an error.
  std::string constantTensor(mlir::Operation *op, mlir::ElementsAttr value);

  /// An error at the op's location, naming the op: "'kiln.conv2d' op ...".
  mlir::InFlightDiagnostic error(mlir::Operation *op);
  /// Whether the batch is written symbolic (op writers then avoid baking it into shapes).
  bool batchIsSymbolic() const { return symbolicBatch; }
  void notePinnedReshape(std::string input, mlir::Operation *op) {
    pinnedReshapes.push_back({std::move(input), op});
  }
  const std::vector<PinnedReshape> &getPinnedReshapes() const { return pinnedReshapes; }

private:
  std::string uniqueValueName(llvm::StringRef base);
  /// A unique node name: the op's location name, or `opType`_<count>, then `suffix`.
  std::string nodeName(mlir::Operation *op, llvm::StringRef opType,
                       llvm::StringRef suffix = "");
  void writeValueInfo(onnx::ValueInfoProto &info, llvm::StringRef name, mlir::Type type,
                      bool symbolicLeading, llvm::StringRef dimName);

  onnx::GraphProto &graph;
  const WriterTable &writers;
  bool symbolicBatch = false;
  llvm::DenseMap<mlir::Value, std::string> names;
  llvm::StringSet<> usedValueNames, usedNodeNames;
  int nodeCount = 0;
  std::vector<PinnedReshape> pinnedReshapes;
};

} // namespace kiln::onnx_export

#endif // KILN_FRONTENDS_ONNX_EXPORT_EXPORTCONTEXT_H
