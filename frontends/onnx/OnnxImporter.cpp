//===- OnnxImporter.cpp - ONNX graphs into the kiln dialect ---------------===//
#include "frontends/onnx/OnnxImporter.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/ImportContext.h"
#include "frontends/onnx/ModelLoader.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace kiln::onnx_import;

//===----------------------------------------------------------------------===//
// OpRegistry
//===----------------------------------------------------------------------===//

void OpRegistry::add(StringRef opType, int64_t sinceVersion, OpImportFn import) {
  entries[opType].push_back({sinceVersion, std::move(import)});
}

const OpImporterEntry *OpRegistry::lookup(StringRef opType, int64_t opset) const {
  auto it = entries.find(opType);
  if (it == entries.end())
    return nullptr;
  const OpImporterEntry *best = nullptr;
  for (const OpImporterEntry &entry : it->second)
    if (entry.sinceVersion <= opset && (!best || entry.sinceVersion > best->sinceVersion))
      best = &entry;
  return best;
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &graph, const onnx::NodeProto &node, int64_t opset,
                         Location loc)
    : graph(graph), nodeProto(node), opsetVersion(opset), location(loc) {}

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

float NodeContext::floatAttr(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : defaultValue;
}

std::string NodeContext::stringAttr(StringRef name, StringRef defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : defaultValue.str();
}

SmallVector<int64_t> NodeContext::intsAttr(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return {};
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

InFlightDiagnostic NodeContext::error() { return emitError(location); }

Value NodeContext::input(int i) {
  if (!hasInput(i)) {
    error() << "missing input #" << i;
    return nullptr;
  }
  return graph.lookup(nodeProto.input(i), location, "input #" + std::to_string(i));
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
  std::optional<DenseElementsAttr> value = graph.lookupConstant(nodeProto.input(i));
  if (!value) {
    error() << "input #" << i << " ('" << nodeProto.input(i)
            << "') must be a constant (an initializer or a Constant node): kiln compiles "
               "static shapes";
    return failure();
  }
  return *value;
}

FailureOr<SmallVector<int64_t>> NodeContext::constantInts(int i) {
  FailureOr<DenseElementsAttr> value = constantInput(i);
  if (failed(value))
    return failure();
  if (!isa<IntegerType>(value->getElementType())) {
    error() << "input #" << i << " must hold integers";
    return failure();
  }
  SmallVector<int64_t> result;
  for (APInt v : value->getValues<APInt>())
    result.push_back(v.getSExtValue());
  return result;
}

FailureOr<double> NodeContext::constantScalar(int i) {
  FailureOr<DenseElementsAttr> value = constantInput(i);
  if (failed(value))
    return failure();
  if (value->getNumElements() != 1) {
    error() << "input #" << i << " must be a scalar";
    return failure();
  }
  if (isa<FloatType>(value->getElementType()))
    return (*value->getValues<APFloat>().begin()).convertToDouble();
  return static_cast<double>((*value->getValues<APInt>().begin()).getSExtValue());
}

bool NodeContext::outputUsed(int i) const {
  return i < nodeProto.output_size() && !nodeProto.output(i).empty();
}

void NodeContext::setOutput(int i, Value value) {
  if (outputUsed(i))
    graph.define(nodeProto.output(i), value);
}

void NodeContext::setConstantOutput(int i, DenseElementsAttr value) {
  if (outputUsed(i))
    graph.defineConstant(nodeProto.output(i), value);
}

FailureOr<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) {
    error() << "axis " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return normalized;
}

FailureOr<Value> NodeContext::finish(Operation *op) {
  if (failed(verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    return failure();
  }
  return op->getResult(0);
}

FailureOr<Value> NodeContext::finishInferred(Operation *op) {
  auto inference = cast<InferTypeOpInterface>(op);
  SmallVector<Type> types;
  if (failed(inference.inferReturnTypes(context(), location, op->getOperands(),
                                        op->getRawDictionaryAttrs(),
                                        op->getPropertiesStorage(), op->getRegions(), types))) {
    op->erase();
    return failure();
  }
  op->getResult(0).setType(types.front());
  return finish(op);
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

GraphImporter::GraphImporter(ModuleOp module, StringRef path, int64_t opset)
    : module(module), path(path.str()), opset(opset), bodyBuilder(module.getContext()) {}

Location GraphImporter::fileLoc() {
  return FileLineColLoc::get(StringAttr::get(context(), path), 0, 0);
}

std::optional<DenseElementsAttr> GraphImporter::lookupConstant(StringRef name) {
  auto it = constants.find(name);
  if (it != constants.end())
    return it->second;
  return std::nullopt;
}

Value GraphImporter::materializeInitializer(StringRef name, Location loc) {
  DenseElementsAttr value = constants.lookup(name);
  if (!isa<FloatType>(value.getElementType())) {
    // Integer initializers used as tensors (indices, shapes) are compile-time constants.
    OpBuilder::InsertionGuard guard(bodyBuilder);
    bodyBuilder.setInsertionPointToStart(&function.getBody().front());
    Value constant = bodyBuilder.create<kiln::ConstantOp>(loc, value);
    values[name] = constant;
    return constant;
  }
  // A weight: a module-level kiln.parameter and a new argument of the entry function.
  OpBuilder moduleBuilder(context());
  moduleBuilder.setInsertionPoint(function);
  moduleBuilder.create<kiln::ParameterOp>(fileLoc(), moduleBuilder.getStringAttr(name),
                                          TypeAttr::get(value.getType()), value);
  Block &body = function.getBody().front();
  Value argument = body.addArgument(value.getType(), fileLoc());
  argAttrs.push_back(bodyBuilder.getDictionaryAttr(
      {bodyBuilder.getNamedAttr(kiln::kBufferAttrName, bodyBuilder.getStringAttr(name)),
       bodyBuilder.getNamedAttr(kiln::kRoleAttrName, bodyBuilder.getStringAttr("parameter"))}));
  values[name] = argument;
  return argument;
}

Value GraphImporter::lookup(StringRef name, Location loc, StringRef who) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  if (initializers.count(name))
    return materializeInitializer(name, loc);
  if (constants.count(name)) { // a Constant node's output used as a tensor
    Value constant = bodyBuilder.create<kiln::ConstantOp>(loc, constants.lookup(name));
    values[name] = constant;
    return constant;
  }
  emitError(loc) << who << " '" << name << "' is not produced by any earlier node";
  return nullptr;
}

LogicalResult GraphImporter::checkSupportedOps(const onnx::GraphProto &graph,
                                               const OpRegistry &registry) {
  bool ok = true;
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    if (defaultDomain && registry.lookup(node.op_type(), opset))
      continue;
    std::string name = node.name().empty() ? node.op_type() + "_" + std::to_string(i)
                                           : node.name();
    auto diag = emitError(fileLoc()) << "node '" << name << "' (" << node.op_type()
                                     << "): unsupported op";
    if (!defaultDomain)
      diag << " (domain '" << node.domain() << "')";
    else
      diag << " at opset " << opset;
    ok = false;
  }
  return success(ok);
}

LogicalResult GraphImporter::importGraph(const onnx::GraphProto &graph,
                                         const OpRegistry &registry) {
  if (failed(checkSupportedOps(graph, registry)))
    return failure();
  MLIRContext *ctx = context();

  // Initializers are compile-time values until a node uses one as a runtime tensor.
  for (const onnx::TensorProto &init : graph.initializer()) {
    std::string error;
    FailureOr<DenseElementsAttr> value = tensorToAttr(init, ctx, error);
    if (failed(value))
      return emitError(fileLoc()) << error;
    initializers[init.name()] = &init;
    constants[init.name()] = *value;
  }

  // Graph inputs (those that are not initializers) become the first function arguments.
  SmallVector<Type> inputTypes;
  SmallVector<std::string> inputNames;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    const auto &tensorType = input.type().tensor_type();
    Type element = elementTypeOf(tensorType.elem_type(), ctx);
    if (!element)
      return emitError(fileLoc()) << "input '" << input.name()
                                  << "' has unsupported element type "
                                  << onnxTypeName(tensorType.elem_type());
    SmallVector<int64_t> shape;
    for (const auto &dim : tensorType.shape().dim())
      shape.push_back(dim.dim_value());
    inputTypes.push_back(RankedTensorType::get(shape, element));
    inputNames.push_back(input.name());
  }
  OpBuilder moduleBuilder(ctx);
  moduleBuilder.setInsertionPointToEnd(module.getBody());
  function = moduleBuilder.create<func::FuncOp>(fileLoc(), "forward",
                                                moduleBuilder.getFunctionType(inputTypes, {}));
  Block *body = function.addEntryBlock();
  bodyBuilder.setInsertionPointToEnd(body);
  for (auto [i, name] : llvm::enumerate(inputNames)) {
    values[name] = body->getArgument(i);
    argAttrs.push_back(bodyBuilder.getDictionaryAttr(
        {bodyBuilder.getNamedAttr(kiln::kBufferAttrName, bodyBuilder.getStringAttr(name)),
         bodyBuilder.getNamedAttr(kiln::kRoleAttrName, bodyBuilder.getStringAttr("input"))}));
  }
  numInputs = inputNames.size();

  // Nodes, in the graph's (topological) order.
  bool ok = true;
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    std::string name = node.name().empty() ? node.op_type() + "_" + std::to_string(i)
                                           : node.name();
    Location loc = NameLoc::get(
        StringAttr::get(ctx, "node '" + name + "' (" + node.op_type() + ")"), fileLoc());
    const OpImporterEntry *entry = registry.lookup(node.op_type(), opset);
    NodeContext nodeContext(*this, node, opset, loc);
    if (failed(entry->import(nodeContext))) {
      ok = false;
      break; // later nodes would only report follow-on errors
    }
    for (int o = 0; o < node.output_size(); ++o)
      if (nodeContext.outputUsed(o) && !values.count(node.output(o)) &&
          !constants.count(node.output(o))) {
        emitError(loc) << "output #" << o << " is not supported by kiln's import of "
                       << node.op_type();
        ok = false;
      }
    if (!ok)
      break;
  }
  if (!ok)
    return failure();

  SmallVector<Value> results;
  SmallVector<Attribute> resultAttrs;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = lookup(output.name(), fileLoc(), "graph output");
    if (!value)
      return failure();
    results.push_back(value);
    resultAttrs.push_back(bodyBuilder.getDictionaryAttr(
        {bodyBuilder.getNamedAttr(kiln::kBufferAttrName, bodyBuilder.getStringAttr(output.name())),
         bodyBuilder.getNamedAttr(kiln::kRoleAttrName, bodyBuilder.getStringAttr("output"))}));
  }
  bodyBuilder.create<func::ReturnOp>(fileLoc(), results);
  function.setType(FunctionType::get(ctx, body->getArgumentTypes(), ValueRange(results).getTypes()));
  function.setAllArgAttrs(argAttrs);
  function.setAllResultAttrs(resultAttrs);
  return success();
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> kiln::importOnnxFile(StringRef path, MLIRContext &context,
                                           const OnnxImportOptions &options) {
  context.getOrLoadDialect<kiln::KilnDialect>();
  context.getOrLoadDialect<func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(StringAttr::get(&context, path), 0, 0);

  LoadOptions loadOptions;
  loadOptions.batch = options.batch;
  for (const auto &dim : options.namedDims)
    loadOptions.namedDims[dim.getKey().str()] = dim.getValue();
  for (const auto &binding : options.bindings)
    loadOptions.bindings[binding.getKey().str()] = binding.getValue();
  onnx::ModelProto model;
  int64_t opset = 0;
  std::vector<std::string> errors;
  if (!loadModel(path.str(), loadOptions, model, opset, errors)) {
    for (const std::string &error : errors)
      emitError(fileLoc) << error;
    return nullptr;
  }

  static const OpRegistry registry = [] {
    OpRegistry r;
    registerNNOps(r);
    registerMathOps(r);
    registerTensorOps(r);
    return r;
  }();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  GraphImporter importer(*module, path, opset);
  if (failed(importer.importGraph(model.graph(), registry)))
    return nullptr;
  return module;
}
