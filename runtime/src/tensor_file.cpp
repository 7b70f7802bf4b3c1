//===- tensor_file.cpp - ONNX TensorProto files <-> buffers and tensors ---===//
//
// Uses the TensorProto class generated from ONNX's schema (libonnx's onnx_proto), so the files
// read and written here are the ones ONNX's backend test data, PyTorch and ONNX Runtime use.
// A file is trusted only after its dtype, dims and element count have been checked: a corrupt
// file must give an error naming it, never a short copy or an overflow.
//
//===----------------------------------------------------------------------===//
#include "files.h"
#include "internal.h"

#include <onnx/onnx_pb.h>

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

using namespace kiln::runtime;

struct kiln_tensor_s {
  std::string name;
  kiln_abi_dtype_t dtype = KILN_DTYPE_F32;
  std::vector<int64_t> shape;
  uint64_t elementCount = 0;
  uint64_t byteSize = 0;
  void *data = nullptr; // allocateAligned

  ~kiln_tensor_s() { std::free(data); }
};

namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "raw_data and buffers are little-endian; a big-endian host needs byte swapping");

/// Whether kiln has a dtype with this TensorProto.DataType code (abi.h numbers them alike).
bool isKilnDtype(int32_t code) {
  return code > 0 && kiln_dtype_size(static_cast<kiln_abi_dtype_t>(code)) != 0;
}

/// kiln's name for a dtype it knows, ONNX's (lower-cased) for one it does not.
std::string dtypeName(int32_t code) {
  if (isKilnDtype(code))
    return kiln_dtype_name(static_cast<kiln_abi_dtype_t>(code));
  if (!onnx::TensorProto_DataType_IsValid(code))
    return "data_type " + std::to_string(code);
  std::string name = onnx::TensorProto_DataType_Name(
      static_cast<onnx::TensorProto_DataType>(code));
  for (char &c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string dimsString(const onnx::TensorProto &tensor) {
  std::vector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  return shapeString(dims.data(), static_cast<uint32_t>(dims.size()));
}

/// Reads and parses the TensorProto file at `path`.
kiln_status_t parseTensorFile(const std::string &path, onnx::TensorProto &tensor) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0)
    return makeStatus(errno == ENOENT ? KILN_STATUS_NOT_FOUND : KILN_STATUS_IO_ERROR,
                      path + ": cannot open tensor file: " + std::strerror(errno));
  if (!S_ISREG(info.st_mode))
    return makeStatus(KILN_STATUS_IO_ERROR, path + ": cannot open tensor file: not a regular file");
  // Protobuf messages are limited to 2 GiB; a bigger file cannot be a TensorProto.
  if (static_cast<uint64_t>(info.st_size) >= INT_MAX)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": " + std::to_string(info.st_size) +
                          " bytes is more than a TensorProto file can hold (2 GiB)");
  std::ifstream file(path, std::ios::binary);
  std::string contents(static_cast<size_t>(info.st_size), '\0');
  if (!file || !file.read(contents.data(), static_cast<std::streamsize>(contents.size())))
    return makeStatus(KILN_STATUS_IO_ERROR, path + ": cannot read tensor file");
  if (!tensor.ParseFromString(contents))
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": not an ONNX TensorProto file, or truncated");
  if (!tensor.has_data_type() || tensor.data_type() == onnx::TensorProto::UNDEFINED)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": not an ONNX TensorProto file, or truncated (no data_type)");
  return nullptr;
}

/// The typed field onnx.proto assigns to `dtype` when raw_data is not used: 8- and 16-bit
/// integers, bool, float16 and bfloat16 (as bit patterns) live in int32_data, uint32 and uint64
/// in uint64_data.
const char *typedFieldName(kiln_abi_dtype_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32: return "float_data";
  case KILN_DTYPE_F64: return "double_data";
  case KILN_DTYPE_I64: return "int64_data";
  case KILN_DTYPE_U32: case KILN_DTYPE_U64: return "uint64_data";
  default: return "int32_data";
  }
}

int typedFieldSize(const onnx::TensorProto &tensor, kiln_abi_dtype_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32: return tensor.float_data_size();
  case KILN_DTYPE_F64: return tensor.double_data_size();
  case KILN_DTYPE_I64: return tensor.int64_data_size();
  case KILN_DTYPE_U32: case KILN_DTYPE_U64: return tensor.uint64_data_size();
  default: return tensor.int32_data_size();
  }
}

/// Checks that `tensor` (whose data_type is `dtype`) holds exactly `count` elements, in
/// raw_data or in its typed field, before anything is allocated or copied: a small corrupt file
/// that claims a huge shape fails here.
kiln_status_t checkElements(const std::string &where, const onnx::TensorProto &tensor,
                            kiln_abi_dtype_t dtype, uint64_t count) {
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL || tensor.external_data_size())
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      where + ": tensors with external data are not supported");
  if (tensor.has_segment())
    return makeStatus(KILN_STATUS_DATA_ERROR, where + ": segmented tensors are not supported");
  uint64_t byteSize = count * kiln_dtype_size(dtype);
  std::string needs = "shape " + dimsString(tensor) + " of " + kiln_dtype_name(dtype) + " needs ";
  int typedCount = typedFieldSize(tensor, dtype);
  if (tensor.has_raw_data()) {
    if (typedCount)
      return makeStatus(KILN_STATUS_DATA_ERROR, where + ": has both raw_data and " +
                                                    typedFieldName(dtype) +
                                                    ", ONNX allows only one");
    if (tensor.raw_data().size() != byteSize)
      return makeStatus(KILN_STATUS_DATA_ERROR,
                        where + ": raw_data holds " + std::to_string(tensor.raw_data().size()) +
                            " bytes, but " + needs + std::to_string(byteSize) +
                            " (truncated or corrupt file?)");
    return nullptr;
  }
  if (static_cast<uint64_t>(typedCount) != count)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      where + ": " + typedFieldName(dtype) + " holds " +
                          std::to_string(typedCount) + " elements, but " + needs +
                          std::to_string(count) + " (truncated or corrupt file?)");
  return nullptr;
}

/// Copies a typed repeated field into `out`, converting each value with `convert`.
template <typename T, typename Field, typename Convert>
void copyField(const Field &field, void *out, Convert convert) {
  for (int i = 0; i < field.size(); ++i) {
    T value = convert(field.Get(i));
    std::memcpy(static_cast<char *>(out) + static_cast<size_t>(i) * sizeof(T), &value,
                sizeof(T));
  }
}

/// Copies the elements of `tensor`, which checkElements accepted for `dtype`, into `out`.
void copyElements(const onnx::TensorProto &tensor, kiln_abi_dtype_t dtype, void *out) {
  if (tensor.has_raw_data()) { // little-endian fixed-width values, as in memory
    if (!tensor.raw_data().empty())
      std::memcpy(out, tensor.raw_data().data(), tensor.raw_data().size());
    return;
  }
  auto same = [](auto v) { return v; };
  // Narrow types are stored widened; casting keeps their low bits (two's complement).
  auto low16 = [](int32_t v) { return static_cast<uint16_t>(v); };
  switch (dtype) {
  case KILN_DTYPE_F32: return copyField<float>(tensor.float_data(), out, same);
  case KILN_DTYPE_F64: return copyField<double>(tensor.double_data(), out, same);
  case KILN_DTYPE_I64: return copyField<int64_t>(tensor.int64_data(), out, same);
  case KILN_DTYPE_U64: return copyField<uint64_t>(tensor.uint64_data(), out, same);
  case KILN_DTYPE_U32:
    return copyField<uint32_t>(tensor.uint64_data(), out,
                               [](uint64_t v) { return static_cast<uint32_t>(v); });
  case KILN_DTYPE_I32: return copyField<int32_t>(tensor.int32_data(), out, same);
  case KILN_DTYPE_I16:
    return copyField<int16_t>(tensor.int32_data(), out,
                              [](int32_t v) { return static_cast<int16_t>(v); });
  case KILN_DTYPE_I8:
    return copyField<int8_t>(tensor.int32_data(), out,
                             [](int32_t v) { return static_cast<int8_t>(v); });
  case KILN_DTYPE_U8:
    return copyField<uint8_t>(tensor.int32_data(), out,
                              [](int32_t v) { return static_cast<uint8_t>(v); });
  case KILN_DTYPE_BOOL: // normalised: a stored 2 must not become an invalid bool byte
    return copyField<uint8_t>(tensor.int32_data(), out,
                              [](int32_t v) { return static_cast<uint8_t>(v != 0); });
  case KILN_DTYPE_U16:
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
    return copyField<uint16_t>(tensor.int32_data(), out, low16);
  }
}

kiln_status_t writeTensorFile(const std::string &path, const char *name, kiln_abi_dtype_t dtype,
                              uint32_t rank, const int64_t *shape, const void *data) {
  size_t elementSize = kiln_dtype_size(dtype);
  if (!elementSize)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      path + ": cannot write unknown dtype " + std::to_string(dtype));
  if (rank && !shape)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT, path + ": shape is NULL");
  std::optional<uint64_t> count = elementCount(shape, rank);
  uint64_t byteSize = 0;
  if (!count || __builtin_mul_overflow(*count, elementSize, &byteSize))
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      path + ": invalid shape " + shapeString(shape, rank));
  if (byteSize >= INT_MAX - 4096)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      path + ": " + std::to_string(byteSize) +
                          " bytes is more than a TensorProto file can hold (2 GiB)");
  if (byteSize && !data)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT, path + ": data is NULL");
  onnx::TensorProto tensor;
  if (name)
    tensor.set_name(name);
  tensor.set_data_type(static_cast<int32_t>(dtype));
  for (uint32_t i = 0; i < rank; ++i)
    tensor.add_dims(shape[i]);
  tensor.set_raw_data(data ? static_cast<const char *>(data) : "", byteSize);
  std::string bytes;
  if (!tensor.SerializeToString(&bytes))
    return makeStatus(KILN_STATUS_INTERNAL, path + ": cannot serialise the TensorProto");
  return writeFileAtomically(path, bytes, "tensor file");
}

kiln_status_t readSessionBuffer(kiln_session_t *session, uint32_t index, const std::string &path) {
  kiln_artifact_t *artifact = kiln_session_artifact(session);
  if (index >= kiln_artifact_buffer_count(artifact))
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      path + ": no buffer #" + std::to_string(index) + " in " +
                          kiln_artifact_path(artifact));
  kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, index);
  onnx::TensorProto tensor;
  KILN_RETURN_IF_ERROR(parseTensorFile(path, tensor));
  std::string target = path + " -> buffer '" + info.name + "'";
  if (tensor.data_type() != static_cast<int32_t>(info.dtype))
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      target + ": dtype " + dtypeName(tensor.data_type()) +
                          " does not match the buffer's " + kiln_dtype_name(info.dtype));
  bool sameShape = static_cast<uint32_t>(tensor.dims_size()) == info.rank;
  for (uint32_t i = 0; sameShape && i < info.rank; ++i)
    sameShape = tensor.dims(static_cast<int>(i)) == info.shape[i];
  if (!sameShape)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      target + ": shape " + dimsString(tensor) +
                          " does not match the buffer's shape " +
                          shapeString(info.shape, info.rank));
  uint64_t count = info.byte_size / kiln_dtype_size(info.dtype);
  KILN_RETURN_IF_ERROR(checkElements(target, tensor, info.dtype, count));
  copyElements(tensor, info.dtype, kiln_session_buffer_data(session, index));
  return nullptr;
}

kiln_status_t readTensor(const std::string &path, kiln_tensor_t **out_tensor) {
  onnx::TensorProto tensor;
  KILN_RETURN_IF_ERROR(parseTensorFile(path, tensor));
  if (!isKilnDtype(tensor.data_type()))
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": dtype " + dtypeName(tensor.data_type()) +
                          " is not supported by kiln");
  auto result = std::make_unique<kiln_tensor_s>();
  result->name = tensor.name();
  result->dtype = static_cast<kiln_abi_dtype_t>(tensor.data_type());
  result->shape.assign(tensor.dims().begin(), tensor.dims().end());
  size_t elementSize = kiln_dtype_size(result->dtype);
  std::optional<uint64_t> count =
      elementCount(result->shape.data(), static_cast<uint32_t>(result->shape.size()));
  if (!count || __builtin_mul_overflow(*count, elementSize, &result->byteSize))
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": invalid shape " + dimsString(tensor) +
                          " (a negative dimension, or too many elements)");
  result->elementCount = *count;
  KILN_RETURN_IF_ERROR(checkElements(path, tensor, result->dtype, result->elementCount));
  result->data = allocateAligned(result->byteSize);
  if (!result->data)
    return makeStatus(KILN_STATUS_OUT_OF_MEMORY,
                      path + ": cannot allocate " + std::to_string(result->byteSize) + " bytes");
  copyElements(tensor, result->dtype, result->data);
  *out_tensor = result.release();
  return nullptr;
}

} // namespace

kiln_status_t kiln_session_read_tensor_file(kiln_session_t *session, uint32_t index,
                                            const char *path) {
  if (!session || !path)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "kiln_session_read_tensor_file: session or path is NULL");
  return guardApi("kiln_session_read_tensor_file",
                  [&] { return readSessionBuffer(session, index, path); });
}

kiln_status_t kiln_session_write_tensor_file(kiln_session_t *session, uint32_t index,
                                             const char *path) {
  if (!session || !path)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "kiln_session_write_tensor_file: session or path is NULL");
  kiln_artifact_t *artifact = kiln_session_artifact(session);
  if (index >= kiln_artifact_buffer_count(artifact))
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      std::string(path) + ": no buffer #" + std::to_string(index) + " in " +
                          kiln_artifact_path(artifact));
  kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, index);
  return guardApi("kiln_session_write_tensor_file", [&] {
    return writeTensorFile(path, info.name, info.dtype, info.rank, info.shape,
                           kiln_session_buffer_data(session, index));
  });
}

kiln_status_t kiln_tensor_file_read(const char *path, kiln_tensor_t **out_tensor) {
  if (!out_tensor)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT, "kiln_tensor_file_read: out_tensor is NULL");
  *out_tensor = nullptr;
  if (!path)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT, "kiln_tensor_file_read: path is NULL");
  return guardApi("kiln_tensor_file_read", [&] { return readTensor(path, out_tensor); });
}

kiln_status_t kiln_tensor_file_write(const char *path, const char *name, kiln_abi_dtype_t dtype,
                                     uint32_t rank, const int64_t *shape, const void *data) {
  if (!path)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT, "kiln_tensor_file_write: path is NULL");
  return guardApi("kiln_tensor_file_write",
                  [&] { return writeTensorFile(path, name, dtype, rank, shape, data); });
}

void kiln_tensor_release(kiln_tensor_t *tensor) { delete tensor; }

const char *kiln_tensor_name(const kiln_tensor_t *tensor) {
  return tensor ? tensor->name.c_str() : "";
}

kiln_abi_dtype_t kiln_tensor_dtype(const kiln_tensor_t *tensor) {
  return tensor ? tensor->dtype : static_cast<kiln_abi_dtype_t>(0);
}

uint32_t kiln_tensor_rank(const kiln_tensor_t *tensor) {
  return tensor ? static_cast<uint32_t>(tensor->shape.size()) : 0;
}

const int64_t *kiln_tensor_shape(const kiln_tensor_t *tensor) {
  return tensor ? tensor->shape.data() : nullptr;
}

uint64_t kiln_tensor_element_count(const kiln_tensor_t *tensor) {
  return tensor ? tensor->elementCount : 0;
}

uint64_t kiln_tensor_byte_size(const kiln_tensor_t *tensor) {
  return tensor ? tensor->byteSize : 0;
}

const void *kiln_tensor_data(const kiln_tensor_t *tensor) {
  return tensor ? tensor->data : nullptr;
}
