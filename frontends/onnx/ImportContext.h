//===- ImportContext.h - state shared by the ONNX op importers ------------===//
//
// The graph importer owns the value map, the parameters and the function being built; a
// NodeContext gives one op importer typed access to its node's attributes, inputs and
// compile-time constants, builds kiln ops with checked type inference, and reports errors
// that name the node. Internal to frontends/onnx (it includes libonnx's protobuf classes).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H
#define KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H

#include <onnx/onnx_pb.h>

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <optional>
#include <string>

namespace kiln::onnx_import {

class GraphImporter;
class NodeContext;

/// Imports one node; sets its outputs through NodeContext::setOutput.
using OpImportFn = std::function<mlir::LogicalResult(NodeContext &)>;

/// Op importers keyed by (domain, op_type, since-version), as ONNX versions its operator
/// schemas: a model importing version V of a domain uses, for each op type, the entry with
/// the largest sinceVersion <= V. The default domain is "" (or its alias "ai.onnx").
class OpRegistry {
public:
  void add(llvm::StringRef opType, int64_t sinceVersion, OpImportFn import) {
    add("", opType, sinceVersion, std::move(import));
  }
  void add(llvm::StringRef domain, llvm::StringRef opType, int64_t sinceVersion,
           OpImportFn import);
  const OpImportFn *lookup(llvm::StringRef domain, llvm::StringRef opType,
                           int64_t version) const;

private:
  llvm::StringMap<std::vector<std::pair<int64_t, OpImportFn>>> entries;
};

/// The default domain is "" or "ai.onnx" in a node; both become "".
inline llvm::StringRef canonicalDomain(llvm::StringRef domain) {
  return domain == "ai.onnx" ? llvm::StringRef() : domain;
}

void registerNNOps(OpRegistry &registry);
void registerMathOps(OpRegistry &registry);
void registerTensorOps(OpRegistry &registry);
/// ai.onnx.preview.training: Gradient, Momentum, Adam, Adagrad.
void registerTrainingOps(OpRegistry &registry);

//===----------------------------------------------------------------------===//
// Types and tensors (OnnxTypes.cpp)
//===----------------------------------------------------------------------===//

/// The MLIR element type of an ONNX data type, or null if kiln does not support it.
mlir::Type elementTypeOf(int32_t onnxType, mlir::MLIRContext *context);
/// "FLOAT", "UINT8", ... for messages.
std::string onnxTypeName(int32_t onnxType);
/// The MLIR type of a fully static ONNX tensor type, or null (unsupported element type,
/// unknown rank or a dimension without a value).
mlir::RankedTensorType staticTensorType(const onnx::TypeProto &type, mlir::MLIRContext *context);
/// The value of an ONNX TensorProto as a dense attribute; fails with a message naming it.
mlir::FailureOr<mlir::DenseElementsAttr> tensorToAttr(const onnx::TensorProto &tensor,
                                                      mlir::MLIRContext *context,
                                                      std::string &error);

/// "node 'conv1' (Conv)", or "node 'Conv_3' (Conv)" for an unnamed node (its op type and its
/// index in the graph): how every message and location names a node.
std::string nodeName(const onnx::NodeProto &node, int index);
std::string describeNode(const onnx::NodeProto &node, int index);

//===----------------------------------------------------------------------===//
// NodeContext (NodeContext.cpp)
//===----------------------------------------------------------------------===//

class NodeContext {
public:
  NodeContext(GraphImporter &graph, const onnx::NodeProto &node, int index, int64_t opset);

  const onnx::NodeProto &node() const { return nodeProto; }
  /// The node's position in the graph (separates the random streams of nodes).
  int index() const { return nodeIndex; }
  int64_t opset() const { return opsetVersion; }
  /// NameLoc("<node name>", model.onnx:0:0): the location of every op built for the node.
  mlir::Location loc() const { return location; }
  mlir::OpBuilder &builder();
  mlir::MLIRContext *context();

  /// Attributes, with defaults for absent ones (ONNX's checker has checked their kinds).
  bool hasAttr(llvm::StringRef name) const;
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t defaultValue) const;
  double floatAttr(llvm::StringRef name, float defaultValue) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef defaultValue) const;
  /// The list, or `defaultValue` if the attribute is absent.
  llvm::SmallVector<int64_t> intsAttr(llvm::StringRef name,
                                      llvm::ArrayRef<int64_t> defaultValue = {}) const;

  /// Inputs: an absent optional input has an empty name.
  int numInputs() const { return nodeProto.input_size(); }
  bool hasInput(int i) const { return i < nodeProto.input_size() && !nodeProto.input(i).empty(); }
  /// The runtime value of input `i` (reports an error and returns null if there is none).
  mlir::Value input(int i);
  mlir::RankedTensorType inputType(int i);
  /// The runtime value of the tensor `name` that an attribute refers to (Gradient's `y`);
  /// reports an error naming `attribute` and returns null if no earlier node produces it.
  mlir::Value valueNamed(llvm::StringRef name, llvm::StringRef attribute);
  /// The compile-time value of input `i`: an initializer or a Constant node's output.
  mlir::FailureOr<mlir::DenseElementsAttr> constantInput(int i);
  /// Compile-time integer list (shape, axes, pads...) from input `i`.
  mlir::FailureOr<llvm::SmallVector<int64_t>> constantInts(int i);
  /// Compile-time scalar from input `i`.
  mlir::FailureOr<double> constantScalar(int i);

  /// Whether output `i` is read by a later node or is a graph output.
  bool outputUsed(int i) const;
  void setOutput(int i, mlir::Value value);
  /// Sets output 0 from a create() result; passes a failure on.
  mlir::LogicalResult setResult(mlir::FailureOr<mlir::Value> result) {
    if (mlir::failed(result))
      return mlir::failure();
    setOutput(0, *result);
    return mlir::success();
  }
  /// Records a compile-time value for output `i` (Constant nodes); it becomes a
  /// kiln.constant only where a node reads it as a tensor.
  void setConstantOutput(int i, mlir::DenseElementsAttr value);

  /// Creates a kiln op whose result type is given (or fixed by its traits) and verifies it.
  /// On failure the op is erased and the verifier's message reported, naming the node.
  template <typename OpTy, typename... Args> mlir::FailureOr<mlir::Value> create(Args &&...args) {
    auto op = builder().create<OpTy>(location, std::forward<Args>(args)...);
    return finish(op.getOperation());
  }
  /// Creates a kiln op that infers its result type. The generated builders without result
  /// types abort when inference fails, so the op is built with a placeholder type, which
  /// the inferred one replaces; an inference failure is reported, naming the node.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> createInferred(Args &&...args) {
    auto op = builder().create<OpTy>(location, mlir::NoneType::get(context()),
                                     std::forward<Args>(args)...);
    return finishInferred(op.getOperation());
  }

  /// An error that names the node: "model.onnx: node 'conv1' (Conv): ...".
  mlir::InFlightDiagnostic error();
  /// A warning that names the node, in the same form.
  mlir::InFlightDiagnostic warning();
  /// The usual refusal: "unsupported attribute value NAME=VALUE".
  mlir::InFlightDiagnostic unsupportedAttr(llvm::StringRef name, llvm::StringRef value);

  /// Normalises a possibly negative axis for `rank`; reports an error if out of range.
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);
  /// Normalises a list of axes for `rank` and sorts them; a repeated axis is an error.
  mlir::FailureOr<llvm::SmallVector<int64_t>> normalizeAxes(llvm::ArrayRef<int64_t> axes,
                                                            int64_t rank);

private:
  mlir::FailureOr<mlir::Value> finish(mlir::Operation *op);
  mlir::FailureOr<mlir::Value> finishInferred(mlir::Operation *op);

  GraphImporter &graph;
  const onnx::NodeProto &nodeProto;
  std::string label;
  int nodeIndex;
  int64_t opsetVersion;
  mlir::Location location;
};

//===----------------------------------------------------------------------===//
// GraphImporter (GraphImporter.cpp)
//===----------------------------------------------------------------------===//

class GraphImporter {
public:
  /// `versions` maps each operator domain the model imports ("" for the default one) to its
  /// version.
  GraphImporter(mlir::ModuleOp module, llvm::StringRef path,
                const llvm::StringMap<int64_t> &versions);

  /// Imports the whole graph into `func.func @forward`. Reports every error it can find in
  /// one go: all unsupported ops, then each failing node whose inputs were importable.
  mlir::LogicalResult importGraph(const onnx::GraphProto &graph, const OpRegistry &registry);

  mlir::OpBuilder &builder() { return bodyBuilder; }
  mlir::MLIRContext *context() { return module.getContext(); }
  /// model.onnx:0:0 (ONNX files have no lines).
  mlir::Location fileLoc() const { return fileLocation; }

  /// The runtime value of `name`: a graph input, a node output, or an initializer (which
  /// becomes a parameter when it holds floats, a kiln.constant otherwise) or a Constant
  /// node's value (a kiln.constant). Null if there is none; `error` says why if it exists
  /// but kiln cannot hold it.
  mlir::Value lookup(llvm::StringRef name, std::string &error);
  /// The compile-time value of `name` (initializer or Constant node); an error message if
  /// it is a tensor kiln cannot hold, nullopt if it is not a compile-time value.
  std::optional<mlir::DenseElementsAttr> lookupConstant(llvm::StringRef name,
                                                        std::string &error);
  void define(llvm::StringRef name, mlir::Value value) { values[name] = value; }
  void defineConstant(llvm::StringRef name, mlir::DenseElementsAttr value) {
    constants[name] = value;
  }
  /// Whether a node or the graph's outputs read `name`.
  bool isUsed(llvm::StringRef name) const { return usedNames.contains(name); }

private:
  mlir::LogicalResult importInputs(const onnx::GraphProto &graph);
  mlir::LogicalResult importNode(const onnx::NodeProto &node, int index,
                                 const OpImportFn &import);
  mlir::LogicalResult checkAgainstOnnx(llvm::StringRef label, llvm::StringRef name,
                                       mlir::Type type);
  mlir::LogicalResult importOutputs(const onnx::GraphProto &graph);
  mlir::Value materializeInitializer(llvm::StringRef name, mlir::DenseElementsAttr value);
  mlir::DictionaryAttr bufferAttrs(llvm::StringRef name, llvm::StringRef role);

  mlir::ModuleOp module;
  mlir::Location fileLocation;
  llvm::StringMap<int64_t> versions;
  mlir::OpBuilder bodyBuilder;
  mlir::func::FuncOp function;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<mlir::DenseElementsAttr> constants;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  /// What ONNX's shape inference says each value is, to check kiln's own shape rules.
  llvm::StringMap<const onnx::TypeProto *> onnxTypes;
  llvm::StringSet<> usedNames;
  /// Outputs of nodes that failed (or were not importable): readers are skipped quietly.
  llvm::StringSet<> poisoned;
  llvm::SmallVector<mlir::Attribute> argAttrs;
};

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H
