//===- OnnxTypes.cpp - ONNX data types and tensors as MLIR types/attrs ----===//
#include "frontends/onnx/ImportContext.h"

#include <cstring>

using namespace mlir;

Type kiln::onnx_import::elementTypeOf(int32_t onnxType, MLIRContext *context) {
  Builder b(context);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT: return b.getF32Type();
  case onnx::TensorProto::DOUBLE: return b.getF64Type();
  case onnx::TensorProto::FLOAT16: return b.getF16Type();
  case onnx::TensorProto::INT8: return b.getIntegerType(8);
  case onnx::TensorProto::INT16: return b.getIntegerType(16);
  case onnx::TensorProto::INT32: return b.getI32Type();
  case onnx::TensorProto::INT64: return b.getI64Type();
  case onnx::TensorProto::BOOL: return b.getI1Type();
  default: return nullptr; // unsigned, bfloat16, strings, complex: not supported yet
  }
}

std::string kiln::onnx_import::onnxTypeName(int32_t onnxType) {
  if (onnx::TensorProto::DataType_IsValid(onnxType))
    return onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(onnxType));
  return "type " + std::to_string(onnxType);
}

FailureOr<DenseElementsAttr> kiln::onnx_import::tensorToAttr(const onnx::TensorProto &tensor,
                                                             MLIRContext *context,
                                                             std::string &error) {
  Type element = elementTypeOf(tensor.data_type(), context);
  if (!element) {
    error = "tensor '" + tensor.name() + "' has unsupported element type " +
            onnxTypeName(tensor.data_type());
    return failure();
  }
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "tensor '" + tensor.name() + "' keeps its data in an external file, which kiln "
            "does not read yet";
    return failure();
  }
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  for (int64_t d : shape)
    if (d < 0) {
      error = "tensor '" + tensor.name() + "' has a negative dimension";
      return failure();
    }
  auto type = RankedTensorType::get(shape, element);
  int64_t count = type.getNumElements();
  bool isBool = element.isInteger(1);
  size_t elementSize = isBool ? 1 : element.getIntOrFloatBitWidth() / 8;

  // Gather the bytes little-endian, one element per elementSize bytes, from raw_data or from
  // the typed field ONNX uses for this type.
  std::vector<char> bytes;
  if (tensor.has_raw_data()) {
    bytes.assign(tensor.raw_data().begin(), tensor.raw_data().end());
  } else {
    auto append = [&](const auto &field) {
      for (auto value : field) {
        char buffer[8];
        std::memcpy(buffer, &value, sizeof(value));
        bytes.insert(bytes.end(), buffer, buffer + elementSize);
      }
    };
    switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT: append(tensor.float_data()); break;
    case onnx::TensorProto::DOUBLE: append(tensor.double_data()); break;
    case onnx::TensorProto::INT64: append(tensor.int64_data()); break;
    default: append(tensor.int32_data()); break; // int8/16/32, bool, float16 (bits)
    }
  }
  if (bytes.size() != static_cast<size_t>(count) * elementSize) {
    error = "tensor '" + tensor.name() + "' holds " + std::to_string(bytes.size()) +
            " bytes of data, but its shape needs " +
            std::to_string(static_cast<size_t>(count) * elementSize);
    return failure();
  }
  if (isBool) {
    SmallVector<bool> values;
    for (char byte : bytes)
      values.push_back(byte != 0);
    return DenseElementsAttr::get(type, values);
  }
  if (count == 0)
    return DenseElementsAttr::get(type, ArrayRef<Attribute>{});
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}
