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

RankedTensorType kiln::onnx_import::staticTensorType(const onnx::TypeProto &type,
                                                     MLIRContext *context) {
  if (!type.has_tensor_type() || !type.tensor_type().has_shape())
    return nullptr;
  Type element = elementTypeOf(type.tensor_type().elem_type(), context);
  if (!element)
    return nullptr;
  SmallVector<int64_t> shape;
  for (const auto &dim : type.tensor_type().shape().dim()) {
    if (!dim.has_dim_value() || dim.dim_value() < 0)
      return nullptr;
    shape.push_back(dim.dim_value());
  }
  return RankedTensorType::get(shape, element);
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
  int64_t elements = 1;
  for (int64_t d : shape) {
    // 2^40 elements is far beyond any model and keeps the byte count from overflowing.
    if (d < 0 || (d > 0 && elements > (int64_t(1) << 40) / d)) {
      error = "tensor '" + tensor.name() + "' has an invalid shape";
      return failure();
    }
    elements *= d;
  }
  auto type = RankedTensorType::get(shape, element);
  int64_t count = type.getNumElements();
  bool isBool = element.isInteger(1);
  size_t elementSize = isBool ? 1 : element.getIntOrFloatBitWidth() / 8;

  // The little-endian bytes, one element per elementSize bytes: raw_data as it is (no copy),
  // or gathered from the typed field ONNX uses for this type.
  std::vector<char> gathered;
  ArrayRef<char> bytes;
  if (tensor.has_raw_data()) {
    bytes = ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
  } else {
    auto append = [&](const auto &field) {
      for (auto value : field) {
        char buffer[8];
        std::memcpy(buffer, &value, sizeof(value));
        gathered.insert(gathered.end(), buffer, buffer + elementSize);
      }
    };
    switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT: append(tensor.float_data()); break;
    case onnx::TensorProto::DOUBLE: append(tensor.double_data()); break;
    case onnx::TensorProto::INT64: append(tensor.int64_data()); break;
    default: append(tensor.int32_data()); break; // int8/16/32, bool, float16 (bits)
    }
    bytes = gathered;
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
