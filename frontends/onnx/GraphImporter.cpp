//===- GraphImporter.cpp - an ONNX graph as func.func @forward ------------===//
//
// Graph inputs become the first arguments, float initializers that a node reads as a tensor
// become kiln.parameter ops with one argument each (in order of first use), nodes become
// kiln ops in graph order, graph outputs become results. Every argument and result carries
// kiln.buffer (the ONNX name) and kiln.role.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/ImportContext.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace kiln::onnx_import;

GraphImporter::GraphImporter(ModuleOp module, StringRef path,
                             const llvm::StringMap<int64_t> &versions)
    : module(module),
      fileLocation(FileLineColLoc::get(StringAttr::get(module.getContext(), path), 0, 0)),
      versions(versions), bodyBuilder(module.getContext()) {}

DictionaryAttr GraphImporter::bufferAttrs(StringRef name, StringRef role) {
  return bodyBuilder.getDictionaryAttr(
      {bodyBuilder.getNamedAttr(kiln::kBufferAttrName, bodyBuilder.getStringAttr(name)),
       bodyBuilder.getNamedAttr(kiln::kRoleAttrName, bodyBuilder.getStringAttr(role))});
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

std::optional<DenseElementsAttr> GraphImporter::lookupConstant(StringRef name,
                                                               std::string &error) {
  auto it = constants.find(name);
  if (it != constants.end())
    return it->second;
  // Initializers are converted when first read, so that one kiln cannot hold is reported
  // only if the graph uses it, and by the node that does.
  auto init = initializers.find(name);
  if (init == initializers.end())
    return std::nullopt;
  FailureOr<DenseElementsAttr> value = tensorToAttr(*init->second, context(), error);
  if (failed(value))
    return std::nullopt;
  constants[name] = *value;
  return *value;
}

Value GraphImporter::materializeInitializer(StringRef name, DenseElementsAttr value) {
  Location loc = NameLoc::get(StringAttr::get(context(), name), fileLocation);
  if (!isa<FloatType>(value.getElementType())) {
    // Integer and boolean initializers used as tensors (indices, masks) are constants.
    OpBuilder::InsertionGuard guard(bodyBuilder);
    bodyBuilder.setInsertionPointToStart(&function.getBody().front());
    return bodyBuilder.create<kiln::ConstantOp>(loc, value);
  }
  // A weight: a module-level kiln.parameter (before @forward, so parameters keep the order
  // of their arguments) and a new argument of the entry function.
  OpBuilder moduleBuilder(context());
  moduleBuilder.setInsertionPoint(function);
  moduleBuilder.create<kiln::ParameterOp>(loc, moduleBuilder.getStringAttr(name),
                                          TypeAttr::get(value.getType()), value);
  argAttrs.push_back(bufferAttrs(name, "parameter"));
  return function.getBody().front().addArgument(value.getType(), loc);
}

Value GraphImporter::lookup(StringRef name, std::string &error) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  std::optional<DenseElementsAttr> constant = lookupConstant(name, error);
  if (!constant)
    return nullptr;
  Value value;
  if (initializers.count(name)) {
    value = materializeInitializer(name, *constant);
  } else { // a Constant node's output read as a tensor
    Location loc = NameLoc::get(StringAttr::get(context(), name), fileLocation);
    value = bodyBuilder.create<kiln::ConstantOp>(loc, *constant);
  }
  values[name] = value;
  return value;
}

//===----------------------------------------------------------------------===//
// The graph
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::importInputs(const onnx::GraphProto &graph) {
  SmallVector<Type> types;
  SmallVector<std::string> names;
  bool ok = true;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    const onnx::TypeProto &type = input.type();
    RankedTensorType tensorType = staticTensorType(type, context());
    if (!tensorType) {
      auto diag = emitError(fileLocation) << "input '" << input.name() << "' ";
      if (!type.has_tensor_type())
        diag << "is not a tensor (sequence, map and optional inputs are not supported)";
      else if (!elementTypeOf(type.tensor_type().elem_type(), context()))
        diag << "has unsupported element type "
             << onnxTypeName(type.tensor_type().elem_type());
      else
        diag << "has no static shape";
      ok = false;
      continue;
    }
    types.push_back(tensorType);
    names.push_back(input.name());
  }
  if (!ok)
    return failure();
  OpBuilder moduleBuilder(context());
  moduleBuilder.setInsertionPointToEnd(module.getBody());
  function = moduleBuilder.create<func::FuncOp>(fileLocation, "forward",
                                                moduleBuilder.getFunctionType(types, {}));
  Block *body = function.addEntryBlock();
  bodyBuilder.setInsertionPointToEnd(body);
  for (auto [i, name] : llvm::enumerate(names)) {
    values[name] = body->getArgument(i);
    body->getArgument(i).setLoc(NameLoc::get(StringAttr::get(context(), name), fileLocation));
    argAttrs.push_back(bufferAttrs(name, "input"));
  }
  return success();
}

LogicalResult GraphImporter::checkAgainstOnnx(StringRef label, StringRef name, Type type) {
  auto it = onnxTypes.find(name);
  if (it == onnxTypes.end())
    return success();
  RankedTensorType expected = staticTensorType(*it->second, context());
  if (!expected || expected == type)
    return success();
  return emitError(fileLocation) << label << ": kiln's result type " << type << " for '" << name
                                 << "' differs from ONNX shape inference's " << expected
                                 << " (an importer bug: please report it)";
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node, int index,
                                        const OpImportFn &import) {
  NodeContext nodeContext(*this, node, index, versions.lookup(canonicalDomain(node.domain())));
  if (failed(import(nodeContext)))
    return failure();
  std::string label = describeNode(node, index);
  bool ok = true;
  for (int o = 0; o < node.output_size(); ++o) {
    const std::string &name = node.output(o);
    if (name.empty())
      continue;
    if (Value value = values.lookup(name)) {
      ok &= succeeded(checkAgainstOnnx(label, name, value.getType()));
    } else if (DenseElementsAttr constant = constants.lookup(name)) {
      ok &= succeeded(checkAgainstOnnx(label, name, constant.getType()));
    } else if (isUsed(name)) {
      emitError(fileLocation) << label << ": output #" << o << " ('" << name
                              << "') is used, but kiln imports only "
                              << (o == 1 ? "the first output" : "the first outputs") << " of "
                              << node.op_type();
      ok = false;
    }
  }
  return success(ok);
}

LogicalResult GraphImporter::importOutputs(const onnx::GraphProto &graph) {
  SmallVector<Value> results;
  SmallVector<Attribute> resultAttrs;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    std::string error;
    Value value = lookup(output.name(), error);
    if (!value)
      return emitError(fileLocation)
             << "graph output '" << output.name() << "': "
             << (error.empty() ? "no node produces it" : error);
    results.push_back(value);
    resultAttrs.push_back(bufferAttrs(output.name(), "output"));
  }
  bodyBuilder.create<func::ReturnOp>(fileLocation, results);
  Block &body = function.getBody().front();
  function.setType(
      FunctionType::get(context(), body.getArgumentTypes(), ValueRange(results).getTypes()));
  function.setAllArgAttrs(argAttrs);
  function.setAllResultAttrs(resultAttrs);
  return success();
}

LogicalResult GraphImporter::importGraph(const onnx::GraphProto &graph,
                                         const OpRegistry &registry) {
  for (const onnx::TensorProto &init : graph.initializer())
    initializers[init.name()] = &init;
  // PyTorch's exporter shares equal initializers through Identity nodes (a batch norm's
  // zero running mean becomes `Identity(bias)`). Each name is its own tensor in the model
  // being trained, so such an output becomes a parameter of its own, initialised with the
  // same value; `kiln-run train --export` writes it back as an initializer.
  llvm::DenseSet<int> aliasNodes;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    if (node.op_type() != "Identity" || node.input_size() != 1 || node.output_size() != 1)
      continue;
    auto source = initializers.find(node.input(0));
    if (source == initializers.end() || initializers.count(node.output(0)))
      continue;
    initializers[node.output(0)] = source->second;
    aliasNodes.insert(index);
  }
  for (const onnx::ValueInfoProto &info : graph.value_info())
    onnxTypes[info.name()] = &info.type();
  for (const onnx::ValueInfoProto &info : graph.output())
    onnxTypes[info.name()] = &info.type();
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &input : node.input())
      usedNames.insert(input);
  for (const onnx::ValueInfoProto &output : graph.output())
    usedNames.insert(output.name());

  // Every node whose op kiln does not import, all in one report.
  bool ok = true;
  SmallVector<const OpImportFn *> importers;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    if (aliasNodes.contains(index)) {
      importers.push_back(nullptr);
      continue;
    }
    StringRef domain = canonicalDomain(node.domain());
    int64_t version = versions.lookup(domain);
    const OpImportFn *import = registry.lookup(domain, node.op_type(), version);
    importers.push_back(import);
    if (import)
      continue;
    auto diag = emitError(fileLocation) << describeNode(node, index) << ": unsupported op";
    if (domain.empty())
      diag << " at opset " << version;
    else if (versions.count(domain))
      diag << " (domain '" << node.domain() << "' version " << version << ")";
    else
      diag << " (domain '" << node.domain() << "', which kiln does not import)";
    ok = false;
  }

  if (failed(importInputs(graph)))
    return failure();

  // Nodes in the graph's (topological) order. A failed node poisons its outputs, and nodes
  // that read poisoned values are skipped, so each independent problem is reported once.
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    if (aliasNodes.contains(index))
      continue;
    bool importable = importers[index] &&
                      llvm::none_of(node.input(), [&](const std::string &input) {
                        return poisoned.contains(input);
                      });
    if (importable && succeeded(importNode(node, index, *importers[index])))
      continue;
    ok = false;
    for (const std::string &output : node.output())
      poisoned.insert(output);
  }
  if (!ok)
    return failure();
  return importOutputs(graph);
}
