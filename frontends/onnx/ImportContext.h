//===- ImportContext.h - state shared by the ONNX op importers ------------===//
//
// The graph importer owns the value map, parameters and the function being built; a
// NodeContext gives one op importer typed access to its node's attributes, inputs and
// compile-time constants, builds kiln ops with checked type inference, and reports errors
// that name the node.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H
#define KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H

#include <onnx/onnx_pb.h>

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>
#include <string>

namespace kiln::onnx_import {

class GraphImporter;
class NodeContext;

/// Imports one node; sets its outputs through NodeContext::setOutput.
using OpImportFn = std::function<mlir::LogicalResult(NodeContext &)>;

struct OpImporterEntry {
  int64_t sinceVersion;
  OpImportFn import;
};

/// Op importers keyed by (op_type, since-opset); a model at opset V uses, for each op type,
/// the entry with the largest sinceVersion <= V.
class OpRegistry {
public:
  void add(llvm::StringRef opType, int64_t sinceVersion, OpImportFn import);
  const OpImporterEntry *lookup(llvm::StringRef opType, int64_t opset) const;

private:
  llvm::StringMap<std::vector<OpImporterEntry>> entries;
};

void registerNNOps(OpRegistry &registry);
void registerMathOps(OpRegistry &registry);
void registerTensorOps(OpRegistry &registry);

/// The MLIR element type of an ONNX data type, or null if kiln does not support it.
mlir::Type elementTypeOf(int32_t onnxType, mlir::MLIRContext *context);
/// "float32", "uint8", ... for messages.
std::string onnxTypeName(int32_t onnxType);
/// The value of an ONNX TensorProto as a dense attribute; fails with a message.
mlir::FailureOr<mlir::DenseElementsAttr> tensorToAttr(const onnx::TensorProto &tensor,
                                                      mlir::MLIRContext *context,
                                                      std::string &error);

class NodeContext {
public:
  NodeContext(GraphImporter &graph, const onnx::NodeProto &node, int64_t opset,
              mlir::Location loc);

  const onnx::NodeProto &node() const { return nodeProto; }
  int64_t opset() const { return opsetVersion; }
  mlir::Location loc() const { return location; }
  mlir::OpBuilder &builder();
  mlir::MLIRContext *context();

  /// Attributes, with defaults for absent ones.
  bool hasAttr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t defaultValue) const;
  float floatAttr(llvm::StringRef name, float defaultValue) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef defaultValue) const;
  llvm::SmallVector<int64_t> intsAttr(llvm::StringRef name) const;
  const onnx::AttributeProto *attr(llvm::StringRef name) const;

  /// Inputs: an absent optional input has an empty name.
  int numInputs() const { return nodeProto.input_size(); }
  bool hasInput(int i) const { return i < nodeProto.input_size() && !nodeProto.input(i).empty(); }
  /// The runtime value of input `i` (reports an error and returns null if unknown).
  mlir::Value input(int i);
  mlir::RankedTensorType inputType(int i);
  /// The compile-time value of input `i`: an initializer or a Constant node's output.
  mlir::FailureOr<mlir::DenseElementsAttr> constantInput(int i);
  /// Compile-time integer list (shape, axes, pads...) from input `i`.
  mlir::FailureOr<llvm::SmallVector<int64_t>> constantInts(int i);
  /// Compile-time scalar from input `i`.
  mlir::FailureOr<double> constantScalar(int i);

  /// Whether output `i` exists and is used by the graph (an empty name means unused).
  bool outputUsed(int i) const;
  void setOutput(int i, mlir::Value value);
  /// Sets output 0 from a create() result; passes a failure on.
  mlir::LogicalResult setResult(mlir::FailureOr<mlir::Value> result) {
    if (mlir::failed(result))
      return mlir::failure();
    setOutput(0, *result);
    return mlir::success();
  }
  /// Records a compile-time value for output `i` (Constant nodes), used by later nodes'
  /// constant inputs.
  void setConstantOutput(int i, mlir::DenseElementsAttr value);

  /// Creates a kiln op, infers its result type and verifies it; on failure the op is erased
  /// and the failure (with the node's name) has been reported.
  template <typename OpTy, typename... Args> mlir::FailureOr<mlir::Value> create(Args &&...args) {
    auto op = builder().create<OpTy>(location, std::forward<Args>(args)...);
    return finish(op.getOperation());
  }
  /// Like create, for ops whose result type is inferred: a placeholder result type is replaced
  /// by the inferred one before verification.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> createInferred(Args &&...args) {
    auto op = builder().create<OpTy>(location, mlir::NoneType::get(context()),
                                     std::forward<Args>(args)...);
    return finishInferred(op.getOperation());
  }

  /// An error that names the node: "node 'conv1' (Conv): ...".
  mlir::InFlightDiagnostic error();

  /// Normalises a possibly negative axis for `rank`; reports an error if out of range.
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

private:
  mlir::FailureOr<mlir::Value> finish(mlir::Operation *op);
  mlir::FailureOr<mlir::Value> finishInferred(mlir::Operation *op);

  GraphImporter &graph;
  const onnx::NodeProto &nodeProto;
  int64_t opsetVersion;
  mlir::Location location;
};

class GraphImporter {
public:
  GraphImporter(mlir::ModuleOp module, llvm::StringRef path, int64_t opset);

  /// Imports the whole graph into `func.func @forward`. Reports every error found.
  mlir::LogicalResult importGraph(const onnx::GraphProto &graph, const OpRegistry &registry);

  mlir::OpBuilder &builder() { return bodyBuilder; }
  mlir::MLIRContext *context() { return module.getContext(); }
  /// The runtime value of `name`: a graph input, a node output, or an initializer (which
  /// becomes a parameter when it is a float tensor, a constant otherwise). Initializers only
  /// read as compile-time values (shapes, axes, pads) never become parameters.
  mlir::Value lookup(llvm::StringRef name, mlir::Location loc, llvm::StringRef who);
  std::optional<mlir::DenseElementsAttr> lookupConstant(llvm::StringRef name);
  void define(llvm::StringRef name, mlir::Value value) { values[name] = value; }
  void defineConstant(llvm::StringRef name, mlir::DenseElementsAttr value) {
    constants[name] = value;
  }
  mlir::Location fileLoc();

private:
  mlir::Value materializeInitializer(llvm::StringRef name, mlir::Location loc);
  mlir::LogicalResult checkSupportedOps(const onnx::GraphProto &graph,
                                        const OpRegistry &registry);

  mlir::ModuleOp module;
  std::string path;
  int64_t opset;
  mlir::OpBuilder bodyBuilder;
  mlir::func::FuncOp function;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<mlir::DenseElementsAttr> constants;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::SmallVector<mlir::Attribute> argAttrs;
  unsigned numInputs = 0;
};

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H
