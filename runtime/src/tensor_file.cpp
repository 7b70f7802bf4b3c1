//===- tensor_file.cpp - ONNX TensorProto files <-> session buffers -------===//
//
// Uses the TensorProto class generated from ONNX's schema (libonnx's onnx_proto), so files
// written here read back in ONNX, PyTorch and ONNX Runtime tooling and vice versa.
//
//===----------------------------------------------------------------------===//
#include "internal.h"

#include <onnx/onnx_pb.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace {

/// Copies the typed repeated field of `tensor` holding its elements into `out` (count
/// elements of `elementSize` bytes). ONNX stores 8- and 16-bit integers, booleans, float16
/// and bfloat16 in int32_data, one element per entry.
bool copyTypedField(const onnx::TensorProto &tensor, uint32_t dtype, size_t count,
                    size_t elementSize, char *out) {
  auto narrow = [&](const auto &field) {
    if (static_cast<size_t>(field.size()) != count)
      return false;
    for (size_t i = 0; i < count; ++i) {
      auto value = field.Get(i);
      std::memcpy(out + i * elementSize, &value, elementSize); // little-endian low bytes
    }
    return true;
  };
  auto exact = [&](const auto &field) {
    if (static_cast<size_t>(field.size()) != count)
      return false;
    if (count)
      std::memcpy(out, field.data(), count * elementSize);
    return true;
  };
  switch (dtype) {
  case KILN_DTYPE_F32: return exact(tensor.float_data());
  case KILN_DTYPE_F64: return exact(tensor.double_data());
  case KILN_DTYPE_I64: return exact(tensor.int64_data());
  case KILN_DTYPE_I32: return exact(tensor.int32_data());
  case KILN_DTYPE_U32:
  case KILN_DTYPE_U64: return narrow(tensor.uint64_data());
  default: return narrow(tensor.int32_data());
  }
}

std::string dimsString(const onnx::TensorProto &tensor) {
  std::string text = "[";
  for (int i = 0; i < tensor.dims_size(); ++i)
    text += (i ? ", " : "") + std::to_string(tensor.dims(i));
  return text + "]";
}

} // namespace

kiln_status_t kiln_session_read_tensor_file(kiln_session_t *session, uint32_t index,
                                            const char *path) {
  kiln_artifact_t *artifact = kiln_session_artifact(session);
  if (index >= kiln_artifact_buffer_count(artifact))
    return kilnMakeStatus(KILN_STATUS_INVALID_ARGUMENT,
                          "no buffer #" + std::to_string(index));
  kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, index);
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return kilnMakeStatus(KILN_STATUS_NOT_FOUND, std::string(path) + ": cannot open tensor file");
  std::stringstream contents;
  contents << file.rdbuf();
  onnx::TensorProto tensor;
  if (!tensor.ParseFromString(contents.str()))
    return kilnMakeStatus(KILN_STATUS_DATA_ERROR,
                          std::string(path) + ": not an ONNX TensorProto file, or truncated");
  std::string target = std::string(path) + " -> buffer '" + info.name + "'";
  if (static_cast<uint32_t>(tensor.data_type()) != static_cast<uint32_t>(info.dtype))
    return kilnMakeStatus(
        KILN_STATUS_DATA_ERROR,
        target + ": dtype " +
            kiln_dtype_name(static_cast<kiln_abi_dtype_t>(tensor.data_type())) +
            " does not match the buffer's " + kiln_dtype_name(info.dtype));
  bool sameShape = static_cast<uint32_t>(tensor.dims_size()) == info.rank;
  for (uint32_t i = 0; sameShape && i < info.rank; ++i)
    sameShape = tensor.dims(i) == info.shape[i];
  if (!sameShape)
    return kilnMakeStatus(KILN_STATUS_DATA_ERROR,
                          target + ": shape " + dimsString(tensor) +
                              " does not match the buffer's shape " +
                              kilnShapeString(info.shape, info.rank));
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return kilnMakeStatus(KILN_STATUS_DATA_ERROR,
                          target + ": tensors with external data are not supported");
  char *out = static_cast<char *>(kiln_session_buffer_data(session, index));
  size_t elementSize = kiln_dtype_size(info.dtype);
  size_t count = elementSize ? info.byte_size / elementSize : 0;
  if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != info.byte_size)
      return kilnMakeStatus(KILN_STATUS_DATA_ERROR,
                            target + ": raw data holds " +
                                std::to_string(tensor.raw_data().size()) + " bytes, expected " +
                                std::to_string(info.byte_size));
    std::memcpy(out, tensor.raw_data().data(), info.byte_size);
    return nullptr;
  }
  if (!copyTypedField(tensor, info.dtype, count, elementSize, out))
    return kilnMakeStatus(KILN_STATUS_DATA_ERROR,
                          target + ": the file holds the wrong number of elements (expected " +
                              std::to_string(count) + ")");
  return nullptr;
}

kiln_status_t kiln_session_write_tensor_file(kiln_session_t *session, uint32_t index,
                                             const char *path) {
  kiln_artifact_t *artifact = kiln_session_artifact(session);
  if (index >= kiln_artifact_buffer_count(artifact))
    return kilnMakeStatus(KILN_STATUS_INVALID_ARGUMENT,
                          "no buffer #" + std::to_string(index));
  kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, index);
  onnx::TensorProto tensor;
  tensor.set_name(info.name);
  tensor.set_data_type(static_cast<int32_t>(info.dtype));
  for (uint32_t i = 0; i < info.rank; ++i)
    tensor.add_dims(info.shape[i]);
  tensor.set_raw_data(kiln_session_buffer_data(session, index), info.byte_size);
  // Write a temporary file and rename it: an existing file is replaced whole or not at all.
  std::string temporary = std::string(path) + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    if (!file || !tensor.SerializeToOstream(&file) || !file.flush()) {
      std::remove(temporary.c_str());
      return kilnMakeStatus(KILN_STATUS_IO_ERROR,
                            std::string(path) + ": cannot write tensor file");
    }
  }
  if (std::rename(temporary.c_str(), path) != 0) {
    std::remove(temporary.c_str());
    return kilnMakeStatus(KILN_STATUS_IO_ERROR, std::string(path) + ": cannot write tensor file");
  }
  return nullptr;
}
