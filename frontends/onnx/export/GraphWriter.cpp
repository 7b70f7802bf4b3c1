//===- GraphWriter.cpp - func.func @forward as an ONNX graph ---------------===//
//
// Parameters become initializers named by their checkpoint keys, the other arguments graph
// inputs, ops nodes in program order (already topological), results graph outputs. Values
// keep their kiln.buffer names; intermediate values are named after the node that makes them.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/export/ExportContext.h"

using namespace mlir;
using namespace kiln::onnx_export;

namespace {

StringAttr stringAttr(DictionaryAttr attrs, StringRef name) {
  return attrs ? attrs.getAs<StringAttr>(name) : StringAttr();
}

/// The name a location gives its op: the ONNX importer and the model language put the node
/// or layer name in a NameLoc (possibly fused with others).
std::optional<std::string> locationName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations())
      if (auto name = locationName(part))
        return name;
  return std::nullopt;
}

} // namespace

//===----------------------------------------------------------------------===//
// Attributes and tensors
//===----------------------------------------------------------------------===//

void kiln::onnx_export::setInt(onnx::NodeProto &node, StringRef name, int64_t value) {
  onnx::AttributeProto *attr = node.add_attribute();
  attr->set_name(name.str());
  attr->set_type(onnx::AttributeProto::INT);
  attr->set_i(value);
}

void kiln::onnx_export::setFloat(onnx::NodeProto &node, StringRef name, double value) {
  onnx::AttributeProto *attr = node.add_attribute();
  attr->set_name(name.str());
  attr->set_type(onnx::AttributeProto::FLOAT);
  attr->set_f(static_cast<float>(value));
}

void kiln::onnx_export::setInts(onnx::NodeProto &node, StringRef name, ArrayRef<int64_t> values) {
  onnx::AttributeProto *attr = node.add_attribute();
  attr->set_name(name.str());
  attr->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values)
    attr->add_ints(v);
}

int32_t kiln::onnx_export::onnxDataType(Type element) {
  if (element.isF32())
    return onnx::TensorProto::FLOAT;
  if (element.isF64())
    return onnx::TensorProto::DOUBLE;
  if (element.isF16())
    return onnx::TensorProto::FLOAT16;
  if (element.isBF16())
    return onnx::TensorProto::BFLOAT16;
  if (element.isInteger(1))
    return onnx::TensorProto::BOOL;
  if (element.isUnsignedInteger(8))
    return onnx::TensorProto::UINT8;
  if (element.isInteger(8))
    return onnx::TensorProto::INT8;
  if (element.isInteger(16))
    return onnx::TensorProto::INT16;
  if (element.isInteger(32))
    return onnx::TensorProto::INT32;
  if (element.isInteger(64))
    return onnx::TensorProto::INT64;
  return onnx::TensorProto::UNDEFINED;
}

LogicalResult kiln::onnx_export::attrToTensor(ElementsAttr value, StringRef name,
                                              onnx::TensorProto &tensor) {
  auto dense = dyn_cast<DenseElementsAttr>(value);
  Type element = value.getElementType();
  int32_t dataType = onnxDataType(element);
  if (!dense || dataType == onnx::TensorProto::UNDEFINED)
    return failure();
  tensor.set_name(name.str());
  tensor.set_data_type(dataType);
  for (int64_t dim : value.getShapedType().getShape())
    tensor.add_dims(dim);
  int64_t count = value.getNumElements();
  std::string *raw = tensor.mutable_raw_data();
  if (element.isInteger(1)) {
    // MLIR packs booleans into bits; ONNX's raw data has one byte each.
    raw->reserve(count);
    for (bool b : dense.getValues<bool>())
      raw->push_back(b ? 1 : 0);
    return success();
  }
  // Other element types are stored as ONNX's raw data is: little-endian, densely packed
  // (kiln targets little-endian hosts). A splat holds one element, repeated here.
  ArrayRef<char> bytes = dense.getRawData();
  if (dense.isSplat()) {
    raw->reserve(bytes.size() * count);
    for (int64_t i = 0; i < count; ++i)
      raw->append(bytes.data(), bytes.size());
  } else {
    raw->assign(bytes.data(), bytes.size());
  }
  return success();
}

OpWriteFn kiln::onnx_export::sameOperands(StringRef opType) {
  return [opType = opType.str()](GraphWriter &w, Operation *op) {
    SmallVector<std::string> inputs;
    for (Value operand : op->getOperands())
      inputs.push_back(w.name(operand));
    w.addNode(op, opType, inputs);
    return success();
  };
}

//===----------------------------------------------------------------------===//
// Names and nodes
//===----------------------------------------------------------------------===//

std::string GraphWriter::uniqueValueName(StringRef base) {
  std::string name = base.str();
  for (int suffix = 1; !usedValueNames.insert(name).second; ++suffix)
    name = base.str() + "_" + std::to_string(suffix);
  return name;
}

std::string GraphWriter::nodeName(Operation *op, StringRef opType, StringRef suffix) {
  ++nodeCount;
  std::string base =
      locationName(op->getLoc()).value_or(opType.str() + "_" + std::to_string(nodeCount)) +
      suffix.str();
  std::string name = base;
  for (int suffix = 1; !usedNodeNames.insert(name).second; ++suffix)
    name = base + "_" + std::to_string(suffix);
  return name;
}

const std::string &GraphWriter::name(Value value) {
  auto it = names.find(value);
  // Ops are written in program order, so every operand is named by now; a miss is a bug.
  assert(it != names.end() && "operand written before its definition");
  return it->second;
}

onnx::NodeProto &GraphWriter::addNode(Operation *op, StringRef opType,
                                      ArrayRef<std::string> inputs) {
  onnx::NodeProto &node = *graph.add_node();
  node.set_op_type(opType.str());
  node.set_name(nodeName(op, opType));
  for (const std::string &input : inputs)
    node.add_input(input);
  for (Value result : op->getResults()) {
    auto it = names.find(result);
    if (it == names.end())
      it = names.try_emplace(result, uniqueValueName(node.name())).first;
    node.add_output(it->second);
  }
  return node;
}

std::string GraphWriter::constantTensor(Operation *op, ElementsAttr value) {
  onnx::NodeProto &node = *graph.add_node();
  node.set_op_type("Constant");
  node.set_name(nodeName(op, "Constant", "_const"));
  std::string output = uniqueValueName(node.name());
  node.add_output(output);
  onnx::AttributeProto *attr = node.add_attribute();
  attr->set_name("value");
  attr->set_type(onnx::AttributeProto::TENSOR);
  if (failed(attrToTensor(value, "", *attr->mutable_t()))) {
    error(op) << "has a constant of element type " << value.getElementType()
              << ", which ONNX cannot hold";
    return "";
  }
  return output;
}

std::string GraphWriter::constantInts(Operation *op, ArrayRef<int64_t> values) {
  Builder b(op->getContext());
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getI64Type());
  return constantTensor(op, DenseElementsAttr::get(type, values));
}

std::string GraphWriter::constantScalar(Operation *op, Type element, double value) {
  auto type = RankedTensorType::get({}, element);
  DenseElementsAttr attr;
  if (auto floatType = dyn_cast<FloatType>(element)) {
    attr = DenseElementsAttr::get(type, FloatAttr::get(floatType, value).getValue());
  } else if (auto intType = dyn_cast<IntegerType>(element)) {
    attr = DenseElementsAttr::get(
        type, APInt(intType.getWidth(), static_cast<int64_t>(value), /*isSigned=*/true));
  } else {
    error(op) << "needs a scalar of type " << element << ", which ONNX cannot hold";
    return "";
  }
  return constantTensor(op, attr);
}

InFlightDiagnostic GraphWriter::error(Operation *op) {
  return op->emitError() << "cannot be exported to ONNX: ";
}

//===----------------------------------------------------------------------===//
// The graph
//===----------------------------------------------------------------------===//

void GraphWriter::writeValueInfo(onnx::ValueInfoProto &info, StringRef name, Type type,
                                 bool symbolicLeading, StringRef dimName) {
  info.set_name(name.str());
  auto tensorType = cast<RankedTensorType>(type);
  auto *tensor = info.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnxDataType(tensorType.getElementType()));
  auto *shape = tensor->mutable_shape();
  for (auto [axis, size] : llvm::enumerate(tensorType.getShape())) {
    auto *dim = shape->add_dim();
    if (axis == 0 && symbolicLeading) {
      // An unnamed symbolic dimension stays open; shape inference may name it later.
      if (!dimName.empty())
        dim->set_dim_param(dimName.str());
    } else {
      dim->set_dim_value(size);
    }
  }
}

LogicalResult GraphWriter::writeFunction(ModuleOp module, func::FuncOp forward,
                                         DictionaryAttr symbolicInputs) {
  symbolicBatch = static_cast<bool>(symbolicInputs);
  bool ok = true;
  llvm::StringMap<kiln::ParameterOp> parameters;
  for (auto parameter : module.getOps<kiln::ParameterOp>())
    parameters[parameter.getSymName()] = parameter;

  // Inputs and initializers: every argument keeps its buffer name.
  Block &body = forward.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    DictionaryAttr attrs = forward.getArgAttrDict(arg.getArgNumber());
    StringAttr buffer = stringAttr(attrs, kiln::kBufferAttrName);
    StringAttr role = stringAttr(attrs, kiln::kRoleAttrName);
    if (!buffer || !role) {
      emitError(arg.getLoc()) << "cannot be exported to ONNX: argument #" << arg.getArgNumber()
                              << " of @forward lacks kiln.buffer and kiln.role";
      ok = false;
      continue;
    }
    names[arg] = buffer.str();
    usedValueNames.insert(buffer.getValue());
    if (role.getValue() == "parameter") {
      kiln::ParameterOp parameter = parameters.lookup(buffer.getValue());
      if (!parameter) {
        emitError(arg.getLoc()) << "cannot be exported to ONNX: no kiln.parameter @\""
                                << buffer.getValue() << "\" gives the initial value of this argument";
        ok = false;
        continue;
      }
      if (failed(attrToTensor(parameter.getInitialValue(), buffer.getValue(),
                              *graph.add_initializer()))) {
        parameter.emitError() << "cannot be exported to ONNX: its initial value is not a "
                                 "dense tensor of a type ONNX holds";
        ok = false;
      }
      continue;
    }
    if (onnxDataType(cast<RankedTensorType>(arg.getType()).getElementType()) ==
        onnx::TensorProto::UNDEFINED) {
      emitError(arg.getLoc()) << "cannot be exported to ONNX: input '" << buffer.getValue()
                              << "' has element type "
                              << cast<RankedTensorType>(arg.getType()).getElementType();
      ok = false;
      continue;
    }
    StringAttr dimName = symbolicInputs ? symbolicInputs.getAs<StringAttr>(buffer.getValue())
                                        : StringAttr();
    writeValueInfo(*graph.add_input(), buffer.getValue(), arg.getType(),
                   /*symbolicLeading=*/static_cast<bool>(dimName),
                   dimName ? dimName.getValue() : "");
  }

  // Results made by an op take the output's name directly; the others (an input or a
  // parameter returned as it is, a value returned twice) get an Identity node at the end.
  auto terminator = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<std::string> outputNames;
  for (auto [index, result] : llvm::enumerate(terminator.getOperands())) {
    StringAttr buffer = stringAttr(forward.getResultAttrDict(index), kiln::kBufferAttrName);
    std::string name =
        uniqueValueName(buffer ? buffer.getValue() : "output_" + std::to_string(index));
    outputNames.push_back(name);
    if (result.getDefiningOp() && !names.count(result))
      names[result] = name;
  }

  for (Operation &op : body.without_terminator()) {
    auto writer = writers.find(op.getName().getStringRef());
    if (writer == writers.end()) {
      op.emitError() << "cannot be exported to ONNX: kiln's ONNX exporter has no writer for '"
                     << op.getName() << "'";
      ok = false;
      continue;
    }
    // A failed op's results get placeholder names, so that its users are still checked.
    if (failed(writer->second(*this, &op))) {
      ok = false;
      for (Value result : op.getResults())
        if (!names.count(result))
          names[result] = uniqueValueName("unwritten");
    }
  }
  if (!ok)
    return failure();

  for (auto [index, result] : llvm::enumerate(terminator.getOperands())) {
    const std::string &outputName = outputNames[index];
    if (name(result) != outputName) {
      onnx::NodeProto &node = *graph.add_node();
      node.set_op_type("Identity");
      node.set_name(nodeName(terminator, "Identity") + "_" + outputName);
      node.add_input(name(result));
      node.add_output(outputName);
    }
    // The leading dimension of every output is left open when the batch is symbolic; the
    // exporter fills it in from ONNX's shape inference.
    writeValueInfo(*graph.add_output(), outputName, result.getType(), symbolicBatch, "");
  }
  return success();
}
