//===- TestUtil.h - helpers for the runtime's unit tests ------------------===//
#ifndef KILN_TEST_UNIT_TESTUTIL_H
#define KILN_TEST_UNIT_TESTUTIL_H

#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

namespace kiln::test {

struct ArtifactDeleter {
  void operator()(kiln_artifact_t *artifact) const { kiln_artifact_release(artifact); }
};
struct SessionDeleter {
  void operator()(kiln_session_t *session) const { kiln_session_release(session); }
};
struct TensorDeleter {
  void operator()(kiln_tensor_t *tensor) const { kiln_tensor_release(tensor); }
};
using ArtifactPtr = std::unique_ptr<kiln_artifact_t, ArtifactDeleter>;
using SessionPtr = std::unique_ptr<kiln_session_t, SessionDeleter>;
using TensorPtr = std::unique_ptr<kiln_tensor_t, TensorDeleter>;

/// The message of `status` (freed here), or "" for success.
inline std::string takeMessage(kiln_status_t status) {
  std::string message = status ? kiln_status_message(status) : "";
  kiln_status_free(status);
  return message;
}

/// True if `text` contains `part`; use as EXPECT_PRED2(contains, text, part).
inline bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

/// Loads `path`, failing the test if it does not load.
inline ArtifactPtr loadOrFail(const char *path) {
  kiln_artifact_t *artifact = nullptr;
  kiln_status_t status = kiln_artifact_load(path, &artifact);
  EXPECT_EQ(status, nullptr) << kiln_status_message(status);
  kiln_status_free(status);
  return ArtifactPtr(artifact);
}

/// Creates a session on `artifact`, failing the test if that fails.
inline SessionPtr sessionOrFail(kiln_artifact_t *artifact) {
  kiln_session_t *session = nullptr;
  kiln_status_t status = kiln_session_create(artifact, &session);
  EXPECT_EQ(status, nullptr) << kiln_status_message(status);
  kiln_status_free(status);
  return SessionPtr(session);
}

/// Reads the tensor file at `path`, failing the test if that fails.
inline TensorPtr readTensorOrFail(const std::string &path) {
  kiln_tensor_t *tensor = nullptr;
  kiln_status_t status = kiln_tensor_file_read(path.c_str(), &tensor);
  EXPECT_EQ(status, nullptr) << kiln_status_message(status);
  kiln_status_free(status);
  return TensorPtr(tensor);
}

/// A scratch directory of the running test (created on first use), so tests that ctest runs
/// in parallel never share files.
inline std::string scratchDir() {
  const ::testing::TestInfo *info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (char &c : name)
    if (c == '/')
      c = '_';
  mkdir(KILN_TEST_TMPDIR, 0777);
  std::string dir = std::string(KILN_TEST_TMPDIR) + "/" + name;
  mkdir(dir.c_str(), 0777);
  return dir;
}

/// `name` in the running test's scratch directory.
inline std::string scratchPath(const std::string &name) { return scratchDir() + "/" + name; }

inline void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace kiln::test

#endif // KILN_TEST_UNIT_TESTUTIL_H
