//===- NodeContext.cpp - one ONNX node as its op importer sees it ---------===//
#include "frontends/onnx/ImportContext.h"
#include "dialects/Kiln/IR/DiagnosticCapture.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace kiln::onnx_import;

//===----------------------------------------------------------------------===//
// OpRegistry and node names
//===----------------------------------------------------------------------===//

static std::string registryKey(StringRef domain, StringRef opType) {
  StringRef canonical = canonicalDomain(domain);
  return canonical.empty() ? opType.str() : (canonical + "." + opType).str();
}

void OpRegistry::add(StringRef domain, StringRef opType, int64_t sinceVersion,
                     OpImportFn import) {
  entries[registryKey(domain, opType)].push_back({sinceVersion, std::move(import)});
}

const OpImportFn *OpRegistry::lookup(StringRef domain, StringRef opType, int64_t opset) const {
  auto it = entries.find(registryKey(domain, opType));
  if (it == entries.end())
    return nullptr;
  const std::pair<int64_t, OpImportFn> *best = nullptr;
  for (const auto &entry : it->second)
    if (entry.first <= opset && (!best || entry.first > best->first))
      best = &entry;
  return best ? &best->second : nullptr;
}

std::string kiln::onnx_import::nodeName(const onnx::NodeProto &node, int index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name();
}

std::string kiln::onnx_import::describeNode(const onnx::NodeProto &node, int index) {
  return "node '" + nodeName(node, index) + "' (" + node.op_type() + ")";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &graph, const onnx::NodeProto &node, int index,
                         int64_t opset)
    : graph(graph), nodeProto(node), label(describeNode(node, index)), nodeIndex(index),
      opsetVersion(opset),
      location(NameLoc::get(StringAttr::get(graph.context(), nodeName(node, index)),
                            graph.fileLoc())) {}

OpBuilder &NodeContext::builder() { return graph.builder(); }
MLIRContext *NodeContext::context() { return graph.context(); }

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &attribute : nodeProto.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

bool NodeContext::hasAttr(StringRef name) const { return attr(name) != nullptr; }

int64_t NodeContext::intAttr(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->i() : defaultValue;
}

/// Widens a float32 through its shortest decimal form that reads back as the same float, so
/// that epsilon=1e-5f becomes the double 1e-05 rather than 9.9999997473787516e-06.
static double widen(const APFloat &value) {
  if (&value.getSemantics() != &APFloat::IEEEsingle())
    return value.convertToDouble();
  float f = value.convertToFloat();
  for (int digits = 1; digits < 9; ++digits) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.*g", digits, f);
    double parsed = std::strtod(text, nullptr);
    if (static_cast<float>(parsed) == f)
      return parsed;
  }
  return f;
}

double NodeContext::floatAttr(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return widen(APFloat(a ? a->f() : defaultValue));
}

std::string NodeContext::stringAttr(StringRef name, StringRef defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : defaultValue.str();
}

SmallVector<int64_t> NodeContext::intsAttr(StringRef name, ArrayRef<int64_t> defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return SmallVector<int64_t>(defaultValue);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

//===----------------------------------------------------------------------===//
// Inputs and outputs
//===----------------------------------------------------------------------===//

Value NodeContext::input(int i) {
  if (!hasInput(i)) {
    error() << "missing input #" << i;
    return nullptr;
  }
  std::string problem;
  Value value = graph.lookup(nodeProto.input(i), problem);
  if (!value)
    error() << "input #" << i << " ('" << nodeProto.input(i) << "'): "
            << (problem.empty() ? "no earlier node produces it" : problem);
  return value;
}

Value NodeContext::valueNamed(StringRef name, StringRef attribute) {
  std::string problem;
  Value value = graph.lookup(name, problem);
  if (!value)
    error() << "attribute " << attribute << " names '" << name << "': "
            << (problem.empty() ? "no earlier node produces it" : problem);
  return value;
}

RankedTensorType NodeContext::inputType(int i) {
  Value v = input(i);
  return v ? cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

FailureOr<DenseElementsAttr> NodeContext::constantInput(int i) {
  if (!hasInput(i)) {
    error() << "missing input #" << i;
    return failure();
  }
  std::string problem;
  std::optional<DenseElementsAttr> value = graph.lookupConstant(nodeProto.input(i), problem);
  if (!problem.empty())
    return error() << problem;
  if (!value)
    return error() << "input #" << i << " ('" << nodeProto.input(i)
                   << "') must be a constant (an initializer or a Constant node): kiln "
                      "compiles static shapes";
  return *value;
}

FailureOr<SmallVector<int64_t>> NodeContext::constantInts(int i) {
  FailureOr<DenseElementsAttr> value = constantInput(i);
  if (failed(value))
    return failure();
  if (!isa<IntegerType>(value->getElementType()))
    return error() << "input #" << i << " must hold integers";
  SmallVector<int64_t> result;
  for (APInt v : value->getValues<APInt>())
    result.push_back(v.getSExtValue());
  return result;
}

FailureOr<double> NodeContext::constantScalar(int i) {
  FailureOr<DenseElementsAttr> value = constantInput(i);
  if (failed(value))
    return failure();
  if (value->getNumElements() != 1)
    return error() << "input #" << i << " must be a scalar";
  Type element = value->getElementType();
  if (isa<FloatType>(element))
    return widen(*value->getValues<APFloat>().begin());
  APInt v = *value->getValues<APInt>().begin();
  return element.isInteger(1) ? static_cast<double>(v.getZExtValue())
                              : static_cast<double>(v.getSExtValue());
}

bool NodeContext::outputUsed(int i) const {
  return i < nodeProto.output_size() && !nodeProto.output(i).empty() &&
         graph.isUsed(nodeProto.output(i));
}

void NodeContext::setOutput(int i, Value value) {
  if (i < nodeProto.output_size() && !nodeProto.output(i).empty())
    graph.define(nodeProto.output(i), value);
}

void NodeContext::setConstantOutput(int i, DenseElementsAttr value) {
  if (i < nodeProto.output_size() && !nodeProto.output(i).empty())
    graph.defineConstant(nodeProto.output(i), value);
}

//===----------------------------------------------------------------------===//
// Errors and axes
//===----------------------------------------------------------------------===//

InFlightDiagnostic NodeContext::error() {
  // At the file, not the node's NameLoc: the message itself names the node, and a printer
  // that shows NameLocs would name it twice.
  return emitError(graph.fileLoc()) << label << ": ";
}

InFlightDiagnostic NodeContext::warning() {
  return emitWarning(graph.fileLoc()) << label << ": ";
}

InFlightDiagnostic NodeContext::unsupportedAttr(StringRef name, StringRef value) {
  return error() << "unsupported attribute value " << name << "=" << value;
}

FailureOr<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank)
    return error() << "axis " << axis << " is out of range for rank " << rank;
  return normalized;
}

FailureOr<SmallVector<int64_t>> NodeContext::normalizeAxes(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    FailureOr<int64_t> normalized = normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    result.push_back(*normalized);
  }
  llvm::sort(result);
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    return error() << "axes name the same axis twice";
  return result;
}

//===----------------------------------------------------------------------===//
// Building ops
//===----------------------------------------------------------------------===//


FailureOr<Value> NodeContext::finish(Operation *op) {
  std::string messages;
  LogicalResult verified = success();
  {
    kiln::DiagnosticCapture capture(context());
    verified = verify(op, /*verifyRecursively=*/false);
    messages = capture.text();
  }
  if (failed(verified)) {
    op->erase();
    return error() << (messages.empty() ? "kiln rejects the op it would become" : messages);
  }
  return op->getResult(0);
}

FailureOr<Value> NodeContext::finishInferred(Operation *op) {
  auto inference = cast<InferTypeOpInterface>(op);
  SmallVector<Type> types;
  std::string messages;
  LogicalResult inferred = success();
  {
    kiln::DiagnosticCapture capture(context());
    inferred = inference.inferReturnTypes(context(), location, op->getOperands(),
                                          op->getRawDictionaryAttrs(),
                                          op->getPropertiesStorage(), op->getRegions(), types);
    messages = capture.text();
  }
  if (failed(inferred)) {
    op->erase();
    return error() << (messages.empty() ? "kiln cannot infer the result type" : messages);
  }
  op->getResult(0).setType(types.front());
  return finish(op);
}
