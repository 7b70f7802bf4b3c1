//===- TensorFileTest.cpp - TensorProto files <-> buffers and tensors -----===//
//
// Files are built here with libonnx's TensorProto so that every encoding ONNX allows (raw_data
// and each typed field) is covered for every dtype kiln supports, and so are the ways a file
// can be wrong.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

#include <onnx/onnx_pb.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <vector>

using namespace kiln::test;

namespace {

onnx::TensorProto makeTensor(int32_t dtype, std::vector<int64_t> dims) {
  onnx::TensorProto tensor;
  tensor.set_data_type(dtype);
  for (int64_t d : dims)
    tensor.add_dims(d);
  return tensor;
}

std::string writeProto(const onnx::TensorProto &tensor, const std::string &name) {
  std::string path = scratchPath(name);
  writeFile(path, tensor.SerializeAsString());
  return path;
}

/// Reading `path` as a freestanding tensor must fail with `code` and a message naming the file
/// and containing `expected`.
void expectTensorRefused(const std::string &path, kiln_status_code_t code,
                         const std::string &expected) {
  kiln_tensor_t *tensor = reinterpret_cast<kiln_tensor_t *>(0x1);
  kiln_status_t status = kiln_tensor_file_read(path.c_str(), &tensor);
  ASSERT_NE(status, nullptr) << path << " was read but should have been refused";
  EXPECT_EQ(kiln_status_code(status), code) << kiln_status_code_name(kiln_status_code(status));
  std::string message = takeMessage(status);
  EXPECT_PRED2(contains, message, expected);
  EXPECT_PRED2(contains, message, path) << "the message must name the file";
  EXPECT_EQ(tensor, nullptr);
}

//===----------------------------------------------------------------------===//
// Session buffers (the "add" fixture: buffer 0 is x, float32[4])
//===----------------------------------------------------------------------===//

class SessionTensorFile : public ::testing::Test {
protected:
  void SetUp() override {
    artifact = loadOrFail(KILN_FIXTURE_GOOD);
    ASSERT_TRUE(artifact);
    session = sessionOrFail(artifact.get());
    ASSERT_TRUE(session);
  }

  float *x() { return static_cast<float *>(kiln_session_buffer_data(session.get(), 0)); }

  /// Writes `tensor` to a scratch file and reads it into x; returns the error message.
  std::string readIntoX(const onnx::TensorProto &tensor, const std::string &name) {
    std::string path = writeProto(tensor, name);
    return takeMessage(kiln_session_read_tensor_file(session.get(), 0, path.c_str()));
  }

  ArtifactPtr artifact;
  SessionPtr session;
};

TEST_F(SessionTensorFile, RoundTripsThroughRawData) {
  for (int i = 0; i < 4; ++i)
    x()[i] = 1.25f * i - 2.0f;
  std::string path = scratchPath("roundtrip.pb");
  ASSERT_EQ(takeMessage(kiln_session_write_tensor_file(session.get(), 0, path.c_str())), "");
  onnx::TensorProto written;
  ASSERT_TRUE(written.ParseFromString(readFile(path)));
  EXPECT_EQ(written.name(), "x");
  EXPECT_EQ(written.data_type(), onnx::TensorProto::FLOAT);
  ASSERT_EQ(written.dims_size(), 1);
  EXPECT_EQ(written.dims(0), 4);
  EXPECT_EQ(written.raw_data().size(), 16u);
  std::memset(x(), 0, 16);
  ASSERT_EQ(takeMessage(kiln_session_read_tensor_file(session.get(), 0, path.c_str())), "");
  EXPECT_EQ(x()[0], -2.0f);
  EXPECT_EQ(x()[3], 1.75f);
}

TEST_F(SessionTensorFile, ReadsTypedFloatField) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {4});
  for (float v : {1.0f, 2.0f, 3.0f, 4.5f})
    tensor.add_float_data(v);
  ASSERT_EQ(readIntoX(tensor, "typed.pb"), "");
  EXPECT_EQ(x()[0], 1.0f);
  EXPECT_EQ(x()[3], 4.5f);
}

TEST_F(SessionTensorFile, RefusesShapeMismatchNamingFileBufferAndBothShapes) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {2, 3});
  tensor.set_raw_data(std::string(24, '\0'));
  std::string message = readIntoX(tensor, "shape.pb");
  EXPECT_PRED2(contains, message,
               "shape.pb -> buffer 'x': shape [2, 3] does not match the buffer's shape [4]");
}

TEST_F(SessionTensorFile, RefusesRankMismatchEvenWithSameElementCount) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {1, 4});
  tensor.set_raw_data(std::string(16, '\0'));
  EXPECT_PRED2(contains, readIntoX(tensor, "rank.pb"),
               "shape [1, 4] does not match the buffer's shape [4]");
}

TEST_F(SessionTensorFile, RefusesDtypeMismatchNamingBoth) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::INT64, {4});
  for (int i = 0; i < 4; ++i)
    tensor.add_int64_data(i);
  EXPECT_PRED2(contains, readIntoX(tensor, "dtype.pb"),
               "dtype.pb -> buffer 'x': dtype int64 does not match the buffer's float32");
}

TEST_F(SessionTensorFile, NamesDtypesKilnDoesNotSupport) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::STRING, {4});
  EXPECT_PRED2(contains, readIntoX(tensor, "string.pb"),
               "dtype string does not match the buffer's float32");
}

TEST_F(SessionTensorFile, RefusesWrongRawDataSize) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {4});
  tensor.set_raw_data(std::string(10, '\0'));
  EXPECT_PRED2(contains, readIntoX(tensor, "raw.pb"),
               "raw_data holds 10 bytes, but shape [4] of float32 needs 16");
}

TEST_F(SessionTensorFile, RefusesWrongElementCountInTypedField) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {4});
  tensor.add_float_data(1.0f);
  EXPECT_PRED2(contains, readIntoX(tensor, "short.pb"),
               "float_data holds 1 elements, but shape [4] of float32 needs 4");
}

TEST_F(SessionTensorFile, RefusesFileWithoutData) {
  EXPECT_PRED2(contains, readIntoX(makeTensor(onnx::TensorProto::FLOAT, {4}), "nodata.pb"),
               "float_data holds 0 elements");
}

TEST_F(SessionTensorFile, RefusesTruncatedFileNamingIt) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {4});
  tensor.set_name("x");
  tensor.set_raw_data(std::string(16, '\x01'));
  std::string bytes = tensor.SerializeAsString();
  std::string path = scratchPath("truncated.pb");
  writeFile(path, bytes.substr(0, bytes.size() - 5));
  kiln_status_t status = kiln_session_read_tensor_file(session.get(), 0, path.c_str());
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_DATA_ERROR);
  std::string message = takeMessage(status);
  EXPECT_PRED2(contains, message, path);
  EXPECT_PRED2(contains, message, "not an ONNX TensorProto file, or truncated");
}

TEST_F(SessionTensorFile, RefusesMissingFile) {
  std::string path = scratchPath("missing.pb");
  kiln_status_t status = kiln_session_read_tensor_file(session.get(), 0, path.c_str());
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_NOT_FOUND);
  EXPECT_PRED2(contains, takeMessage(status), path + ": cannot open tensor file");
}

TEST_F(SessionTensorFile, RefusesUnknownBuffer) {
  kiln_status_t status = kiln_session_read_tensor_file(session.get(), 9, "x.pb");
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_PRED2(contains, takeMessage(status), "no buffer #9");
  status = kiln_session_write_tensor_file(session.get(), 9, "x.pb");
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  takeMessage(status);
}

TEST_F(SessionTensorFile, ReplacesAnExistingFileWithoutLeavingTemporaries) {
  std::string path = scratchPath("out.pb");
  writeFile(path, "old contents");
  x()[0] = 42.0f;
  ASSERT_EQ(takeMessage(kiln_session_write_tensor_file(session.get(), 0, path.c_str())), "");
  TensorPtr tensor = readTensorOrFail(path);
  ASSERT_TRUE(tensor);
  EXPECT_EQ(static_cast<const float *>(kiln_tensor_data(tensor.get()))[0], 42.0f);
  EXPECT_EQ(readFile(path + ".tmp." + std::to_string(getpid())), "");
}

TEST_F(SessionTensorFile, ReportsUnwritablePath) {
  std::string path = scratchPath("no-such-dir/out.pb");
  kiln_status_t status = kiln_session_write_tensor_file(session.get(), 0, path.c_str());
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_IO_ERROR);
  EXPECT_PRED2(contains, takeMessage(status), path + ": cannot write tensor file");
}

TEST(MixedSessionTensorFile, ReadsFloat16InputFromInt32Data) {
  // ONNX stores float16 as bit patterns in int32_data; scale is float16[3] in "mixed".
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_MIXED);
  SessionPtr session = sessionOrFail(artifact.get());
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT16, {3});
  for (int32_t bits : {0x3c00, 0xc000, 0x3800}) // 1.0, -2.0, 0.5
    tensor.add_int32_data(bits);
  std::string path = writeProto(tensor, "scale.pb");
  ASSERT_EQ(takeMessage(kiln_session_read_tensor_file(session.get(), 1, path.c_str())), "");
  const void *scale = kiln_session_buffer_data(session.get(), 1);
  EXPECT_EQ(kiln_element_load(KILN_DTYPE_F16, scale, 0), 1.0);
  EXPECT_EQ(kiln_element_load(KILN_DTYPE_F16, scale, 1), -2.0);
  EXPECT_EQ(kiln_element_load(KILN_DTYPE_F16, scale, 2), 0.5);
}

TEST(MixedSessionTensorFile, RoundTripsScalarBuffer) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_MIXED);
  SessionPtr session = sessionOrFail(artifact.get());
  uint32_t index = static_cast<uint32_t>(kiln_artifact_find_buffer(artifact.get(), "temperature"));
  std::string path = scratchPath("temperature.pb");
  ASSERT_EQ(takeMessage(kiln_session_write_tensor_file(session.get(), index, path.c_str())), "");
  TensorPtr tensor = readTensorOrFail(path);
  ASSERT_TRUE(tensor);
  EXPECT_EQ(kiln_tensor_rank(tensor.get()), 0u);
  EXPECT_EQ(kiln_tensor_element_count(tensor.get()), 1u);
  *static_cast<float *>(kiln_session_buffer_data(session.get(), index)) = 0.0f;
  ASSERT_EQ(takeMessage(kiln_session_read_tensor_file(session.get(), index, path.c_str())), "");
  EXPECT_EQ(*static_cast<float *>(kiln_session_buffer_data(session.get(), index)), 2.0f);
}

//===----------------------------------------------------------------------===//
// Freestanding tensors, every dtype
//===----------------------------------------------------------------------===//

const kiln_abi_dtype_t allDtypes[] = {
    KILN_DTYPE_F32, KILN_DTYPE_U8,  KILN_DTYPE_I8,  KILN_DTYPE_U16, KILN_DTYPE_I16,
    KILN_DTYPE_I32, KILN_DTYPE_I64, KILN_DTYPE_BOOL, KILN_DTYPE_F16, KILN_DTYPE_F64,
    KILN_DTYPE_U32, KILN_DTYPE_U64, KILN_DTYPE_BF16};

class EveryDtype : public ::testing::TestWithParam<kiln_abi_dtype_t> {};

TEST_P(EveryDtype, RoundTripsThroughRawData) {
  kiln_abi_dtype_t dtype = GetParam();
  const int64_t shape[] = {2, 3};
  size_t size = kiln_dtype_size(dtype);
  std::vector<unsigned char> data(6 * size);
  for (uint64_t i = 0; i < 6; ++i) // small values every dtype holds exactly; bool: 0/1
    kiln_element_store(dtype, data.data(), i, dtype == KILN_DTYPE_BOOL ? double(i % 2) : i * 2.0);
  std::string path = scratchPath("tensor.pb");
  ASSERT_EQ(takeMessage(kiln_tensor_file_write(path.c_str(), "t", dtype, 2, shape, data.data())),
            "");
  TensorPtr tensor = readTensorOrFail(path);
  ASSERT_TRUE(tensor);
  EXPECT_STREQ(kiln_tensor_name(tensor.get()), "t");
  EXPECT_EQ(kiln_tensor_dtype(tensor.get()), dtype);
  ASSERT_EQ(kiln_tensor_rank(tensor.get()), 2u);
  EXPECT_EQ(kiln_tensor_shape(tensor.get())[0], 2);
  EXPECT_EQ(kiln_tensor_shape(tensor.get())[1], 3);
  EXPECT_EQ(kiln_tensor_element_count(tensor.get()), 6u);
  ASSERT_EQ(kiln_tensor_byte_size(tensor.get()), data.size());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(kiln_tensor_data(tensor.get())) % 64, 0u);
  EXPECT_EQ(std::memcmp(kiln_tensor_data(tensor.get()), data.data(), data.size()), 0);
}

TEST_P(EveryDtype, RoundTripsEmptyTensor) {
  kiln_abi_dtype_t dtype = GetParam();
  const int64_t shape[] = {0, 3};
  std::string path = scratchPath("empty.pb");
  ASSERT_EQ(takeMessage(kiln_tensor_file_write(path.c_str(), nullptr, dtype, 2, shape, nullptr)),
            "");
  TensorPtr tensor = readTensorOrFail(path);
  ASSERT_TRUE(tensor);
  EXPECT_EQ(kiln_tensor_element_count(tensor.get()), 0u);
  EXPECT_EQ(kiln_tensor_byte_size(tensor.get()), 0u);
  EXPECT_NE(kiln_tensor_data(tensor.get()), nullptr);
}

INSTANTIATE_TEST_SUITE_P(TensorFile, EveryDtype, ::testing::ValuesIn(allDtypes),
                         [](const ::testing::TestParamInfo<kiln_abi_dtype_t> &info) {
                           return std::string(kiln_dtype_name(info.param));
                         });

/// One typed-field encoding: the dtype, how to fill the field, and the elements expected
/// (compared as raw bytes, so 64-bit values and bit patterns are exact).
struct TypedCase {
  const char *label;
  int32_t dtype;
  std::function<void(onnx::TensorProto &)> fill;
  std::vector<unsigned char> expected;
};

template <typename T> std::vector<unsigned char> bytesOf(std::vector<T> values) {
  std::vector<unsigned char> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

TEST(TensorFile, ReadsEveryTypedField) {
  using P = onnx::TensorProto;
  const TypedCase cases[] = {
      {"float_data", P::FLOAT, [](P &t) { t.add_float_data(1.5f); t.add_float_data(-2.0f); },
       bytesOf<float>({1.5f, -2.0f})},
      {"double_data", P::DOUBLE, [](P &t) { t.add_double_data(0.1); t.add_double_data(-1e300); },
       bytesOf<double>({0.1, -1e300})},
      {"int64_data", P::INT64,
       [](P &t) { t.add_int64_data(INT64_MIN); t.add_int64_data(INT64_MAX); },
       bytesOf<int64_t>({INT64_MIN, INT64_MAX})},
      {"int32_data as int32", P::INT32, [](P &t) { t.add_int32_data(-7); t.add_int32_data(1 << 30); },
       bytesOf<int32_t>({-7, 1 << 30})},
      {"int32_data as int16", P::INT16, [](P &t) { t.add_int32_data(-300); t.add_int32_data(32767); },
       bytesOf<int16_t>({-300, 32767})},
      {"int32_data as uint16", P::UINT16, [](P &t) { t.add_int32_data(65535); t.add_int32_data(7); },
       bytesOf<uint16_t>({65535, 7})},
      {"int32_data as int8", P::INT8, [](P &t) { t.add_int32_data(-128); t.add_int32_data(127); },
       bytesOf<int8_t>({-128, 127})},
      {"int32_data as uint8", P::UINT8, [](P &t) { t.add_int32_data(255); t.add_int32_data(0); },
       bytesOf<uint8_t>({255, 0})},
      {"int32_data as bool", P::BOOL, [](P &t) { t.add_int32_data(1); t.add_int32_data(0); t.add_int32_data(2); },
       bytesOf<uint8_t>({1, 0, 1})},
      {"int32_data as float16", P::FLOAT16, [](P &t) { t.add_int32_data(0x3c00); t.add_int32_data(0xfbff); },
       bytesOf<uint16_t>({0x3c00, 0xfbff})},
      {"int32_data as bfloat16", P::BFLOAT16, [](P &t) { t.add_int32_data(0x3f80); t.add_int32_data(0xc040); },
       bytesOf<uint16_t>({0x3f80, 0xc040})},
      {"uint64_data as uint32", P::UINT32, [](P &t) { t.add_uint64_data(4294967295u); t.add_uint64_data(3); },
       bytesOf<uint32_t>({4294967295u, 3})},
      {"uint64_data as uint64", P::UINT64, [](P &t) { t.add_uint64_data(UINT64_MAX); t.add_uint64_data(1); },
       bytesOf<uint64_t>({UINT64_MAX, 1})},
  };
  for (const TypedCase &c : cases) {
    SCOPED_TRACE(c.label);
    size_t count = c.expected.size() / kiln_dtype_size(static_cast<kiln_abi_dtype_t>(c.dtype));
    onnx::TensorProto tensor = makeTensor(c.dtype, {static_cast<int64_t>(count)});
    c.fill(tensor);
    TensorPtr read = readTensorOrFail(writeProto(tensor, "typed.pb"));
    ASSERT_TRUE(read);
    ASSERT_EQ(kiln_tensor_byte_size(read.get()), c.expected.size());
    EXPECT_EQ(std::memcmp(kiln_tensor_data(read.get()), c.expected.data(), c.expected.size()), 0);
  }
}

TEST(TensorFile, DecodedFloat16AndBfloat16HaveTheirValues) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::BFLOAT16, {1});
  tensor.add_int32_data(0xc040); // -3.0
  TensorPtr read = readTensorOrFail(writeProto(tensor, "bf16.pb"));
  ASSERT_TRUE(read);
  EXPECT_EQ(kiln_element_load(KILN_DTYPE_BF16, kiln_tensor_data(read.get()), 0), -3.0);
}

TEST(TensorFile, RefusesMissingFile) {
  expectTensorRefused(scratchPath("missing.pb"), KILN_STATUS_NOT_FOUND, "cannot open tensor file");
}

TEST(TensorFile, RefusesDirectory) {
  expectTensorRefused(scratchDir(), KILN_STATUS_IO_ERROR, "not a regular file");
}

TEST(TensorFile, RefusesGarbage) {
  std::string path = scratchPath("garbage.pb");
  writeFile(path, std::string("\xff\xff\xff\xff garbage \x07\x08", 16));
  expectTensorRefused(path, KILN_STATUS_DATA_ERROR, "not an ONNX TensorProto file, or truncated");
}

TEST(TensorFile, RefusesEmptyFile) {
  std::string path = scratchPath("empty.pb");
  writeFile(path, "");
  expectTensorRefused(path, KILN_STATUS_DATA_ERROR, "no data_type");
}

TEST(TensorFile, RefusesEveryTruncation) {
  // Whatever the cut, the file is refused with its name: protobuf may parse a prefix, but the
  // prefix then lacks data or dims and the element count check catches it.
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {2, 3});
  tensor.set_name("input");
  tensor.set_raw_data(std::string(24, '\x3f'));
  std::string bytes = tensor.SerializeAsString();
  std::string path = scratchPath("cut.pb");
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    writeFile(path, bytes.substr(0, cut));
    kiln_tensor_t *read = nullptr;
    std::string message = takeMessage(kiln_tensor_file_read(path.c_str(), &read));
    kiln_tensor_release(read);
    EXPECT_PRED2(contains, message, path) << "cut at " << cut << " of " << bytes.size();
  }
}

TEST(TensorFile, RefusesUnsupportedDtype) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::COMPLEX64, {1});
  tensor.add_float_data(1.0f);
  tensor.add_float_data(2.0f);
  expectTensorRefused(writeProto(tensor, "complex.pb"), KILN_STATUS_DATA_ERROR,
                      "dtype complex64 is not supported by kiln");
}

TEST(TensorFile, RefusesNegativeDimension) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {-1, 2});
  expectTensorRefused(writeProto(tensor, "negative.pb"), KILN_STATUS_DATA_ERROR,
                      "invalid shape [-1, 2]");
}

TEST(TensorFile, RefusesHugeShapeWithoutAllocatingIt) {
  // A few bytes claiming 2^40 floats must fail on the count check, not try to allocate 4 TiB.
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {int64_t(1) << 40});
  tensor.set_raw_data(std::string(16, '\0'));
  expectTensorRefused(writeProto(tensor, "huge.pb"), KILN_STATUS_DATA_ERROR,
                      "raw_data holds 16 bytes, but shape [1099511627776] of float32 needs");
}

TEST(TensorFile, RefusesOverflowingShape) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {int64_t(1) << 40, int64_t(1) << 40});
  expectTensorRefused(writeProto(tensor, "overflow.pb"), KILN_STATUS_DATA_ERROR,
                      "too many elements");
}

TEST(TensorFile, RefusesBothRawAndTypedData) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {1});
  tensor.set_raw_data(std::string(4, '\0'));
  tensor.add_float_data(1.0f);
  expectTensorRefused(writeProto(tensor, "both.pb"), KILN_STATUS_DATA_ERROR,
                      "has both raw_data and float_data");
}

TEST(TensorFile, RefusesExternalData) {
  onnx::TensorProto tensor = makeTensor(onnx::TensorProto::FLOAT, {4});
  tensor.set_data_location(onnx::TensorProto::EXTERNAL);
  auto *entry = tensor.add_external_data();
  entry->set_key("location");
  entry->set_value("weights.bin");
  expectTensorRefused(writeProto(tensor, "external.pb"), KILN_STATUS_DATA_ERROR,
                      "external data are not supported");
}

TEST(TensorFile, WriteRefusesBadArguments) {
  std::string path = scratchPath("bad.pb");
  const int64_t shape[] = {2};
  const float data[2] = {1, 2};
  kiln_status_t status =
      kiln_tensor_file_write(path.c_str(), "t", static_cast<kiln_abi_dtype_t>(8), 1, shape, data);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_PRED2(contains, takeMessage(status), "unknown dtype 8");
  const int64_t negative[] = {-2};
  status = kiln_tensor_file_write(path.c_str(), "t", KILN_DTYPE_F32, 1, negative, data);
  EXPECT_PRED2(contains, takeMessage(status), "invalid shape [-2]");
  status = kiln_tensor_file_write(path.c_str(), "t", KILN_DTYPE_F32, 1, shape, nullptr);
  EXPECT_PRED2(contains, takeMessage(status), "data is NULL");
  status = kiln_tensor_file_write(nullptr, "t", KILN_DTYPE_F32, 1, shape, data);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  takeMessage(status);
}

TEST(TensorFile, AccessorsTolerateNull) {
  EXPECT_EQ(kiln_tensor_data(nullptr), nullptr);
  EXPECT_EQ(kiln_tensor_rank(nullptr), 0u);
  EXPECT_STREQ(kiln_tensor_name(nullptr), "");
  kiln_tensor_release(nullptr);
  kiln_tensor_t *tensor = nullptr;
  kiln_status_t status = kiln_tensor_file_read(nullptr, &tensor);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  takeMessage(status);
}

} // namespace
