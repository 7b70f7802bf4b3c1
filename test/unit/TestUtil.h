//===- TestUtil.h - helpers for the runtime's unit tests ------------------===//
#ifndef KILN_TEST_UNIT_TESTUTIL_H
#define KILN_TEST_UNIT_TESTUTIL_H

#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <sys/stat.h>

namespace kiln::test {

struct ArtifactDeleter {
  void operator()(kiln_artifact_t *a) const { kiln_artifact_release(a); }
};
struct SessionDeleter {
  void operator()(kiln_session_t *s) const { kiln_session_release(s); }
};
using ArtifactPtr = std::unique_ptr<kiln_artifact_t, ArtifactDeleter>;
using SessionPtr = std::unique_ptr<kiln_session_t, SessionDeleter>;

/// The message of `status` (freed here), or "" for success.
inline std::string takeMessage(kiln_status_t status) {
  std::string message = status ? kiln_status_message(status) : "";
  kiln_status_free(status);
  return message;
}

/// Loads `path`, failing the test if it does not load.
inline ArtifactPtr loadOrFail(const char *path) {
  kiln_artifact_t *artifact = nullptr;
  kiln_status_t status = kiln_artifact_load(path, &artifact);
  EXPECT_EQ(status, nullptr) << kiln_status_message(status);
  kiln_status_free(status);
  return ArtifactPtr(artifact);
}

/// A path under the test's scratch directory, which is created on first use.
inline std::string scratchPath(const std::string &name) {
  mkdir(KILN_TEST_TMPDIR, 0777);
  return std::string(KILN_TEST_TMPDIR) + "/" + name;
}

inline void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace kiln::test

#endif // KILN_TEST_UNIT_TESTUTIL_H
