//===- TensorFileTest.cpp - TensorProto files <-> session buffers ---------===//
#include "TestUtil.h"

#include <onnx/onnx_pb.h>

#include <cstring>

using namespace kiln::test;

namespace {

class TensorFile : public ::testing::Test {
protected:
  void SetUp() override {
    artifact = loadOrFail(KILN_FIXTURE_GOOD);
    kiln_session_t *raw = nullptr;
    ASSERT_EQ(takeMessage(kiln_session_create(artifact.get(), &raw)), "");
    session.reset(raw);
  }

  float *buffer(uint32_t index) {
    return static_cast<float *>(kiln_session_buffer_data(session.get(), index));
  }

  /// Writes `tensor` to a scratch file and reads it into buffer 0 ("x", float32 [4]).
  std::string readIntoX(const onnx::TensorProto &tensor, const std::string &name) {
    std::string path = scratchPath(name);
    writeFile(path, tensor.SerializeAsString());
    return takeMessage(kiln_session_read_tensor_file(session.get(), 0, path.c_str()));
  }

  static onnx::TensorProto floatTensor(std::vector<int64_t> dims) {
    onnx::TensorProto tensor;
    tensor.set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims)
      tensor.add_dims(d);
    return tensor;
  }

  ArtifactPtr artifact;
  SessionPtr session;
};

TEST_F(TensorFile, RoundTripsThroughRawData) {
  for (int i = 0; i < 4; ++i)
    buffer(0)[i] = 1.25f * i - 2.0f;
  std::string path = scratchPath("roundtrip.pb");
  ASSERT_EQ(takeMessage(kiln_session_write_tensor_file(session.get(), 0, path.c_str())), "");
  onnx::TensorProto written;
  ASSERT_TRUE(written.ParseFromString(readFile(path)));
  EXPECT_EQ(written.name(), "x");
  EXPECT_EQ(written.data_type(), onnx::TensorProto::FLOAT);
  ASSERT_EQ(written.dims_size(), 1);
  EXPECT_EQ(written.dims(0), 4);
  std::memset(buffer(0), 0, 16);
  ASSERT_EQ(takeMessage(kiln_session_read_tensor_file(session.get(), 0, path.c_str())), "");
  EXPECT_FLOAT_EQ(buffer(0)[0], -2.0f);
  EXPECT_FLOAT_EQ(buffer(0)[3], 1.75f);
}

TEST_F(TensorFile, ReadsTypedFloatField) {
  onnx::TensorProto tensor = floatTensor({4});
  for (float v : {1.0f, 2.0f, 3.0f, 4.5f})
    tensor.add_float_data(v);
  ASSERT_EQ(readIntoX(tensor, "typed.pb"), "");
  EXPECT_FLOAT_EQ(buffer(0)[3], 4.5f);
}

TEST_F(TensorFile, RefusesWrongElementCountInTypedField) {
  onnx::TensorProto tensor = floatTensor({4});
  tensor.add_float_data(1.0f);
  std::string message = readIntoX(tensor, "short.pb");
  EXPECT_NE(message.find("wrong number of elements (expected 4)"), std::string::npos) << message;
}

TEST_F(TensorFile, RefusesShapeMismatchNamingBothShapes) {
  onnx::TensorProto tensor = floatTensor({2, 3});
  tensor.set_raw_data(std::string(24, '\0'));
  std::string message = readIntoX(tensor, "shape.pb");
  EXPECT_NE(message.find("buffer 'x': shape [2, 3] does not match the buffer's shape [4]"),
            std::string::npos)
      << message;
}

TEST_F(TensorFile, RefusesDtypeMismatchNamingBoth) {
  onnx::TensorProto tensor;
  tensor.set_data_type(onnx::TensorProto::INT64);
  tensor.add_dims(4);
  for (int i = 0; i < 4; ++i)
    tensor.add_int64_data(i);
  std::string message = readIntoX(tensor, "dtype.pb");
  EXPECT_NE(message.find("dtype int64 does not match the buffer's float32"), std::string::npos)
      << message;
}

TEST_F(TensorFile, RefusesWrongRawDataSize) {
  onnx::TensorProto tensor = floatTensor({4});
  tensor.set_raw_data(std::string(10, '\0'));
  std::string message = readIntoX(tensor, "raw.pb");
  EXPECT_NE(message.find("raw data holds 10 bytes, expected 16"), std::string::npos) << message;
}

TEST_F(TensorFile, RefusesTruncatedFile) {
  onnx::TensorProto tensor = floatTensor({4});
  tensor.set_raw_data(std::string(16, '\x01'));
  std::string bytes = tensor.SerializeAsString();
  std::string path = scratchPath("truncated.pb");
  writeFile(path, bytes.substr(0, bytes.size() - 5));
  kiln_status_t status = kiln_session_read_tensor_file(session.get(), 0, path.c_str());
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_DATA_ERROR);
  std::string message = takeMessage(status);
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

TEST_F(TensorFile, RefusesMissingFile) {
  std::string path = scratchPath("missing.pb");
  kiln_status_t status = kiln_session_read_tensor_file(session.get(), 0, path.c_str());
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_NOT_FOUND);
  takeMessage(status);
}

TEST_F(TensorFile, RefusesUnknownBuffer) {
  kiln_status_t status = kiln_session_read_tensor_file(session.get(), 9, "x.pb");
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  takeMessage(status);
}

} // namespace
