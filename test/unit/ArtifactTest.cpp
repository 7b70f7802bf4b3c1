//===- ArtifactTest.cpp - loading artifacts and validating descriptors ----===//
#include "TestUtil.h"

using namespace kiln::test;

namespace {

/// Loading `path` must fail with `code` and a message containing `expected`.
void expectRefused(const std::string &path, kiln_status_code_t code, const std::string &expected) {
  kiln_artifact_t *artifact = nullptr;
  kiln_status_t status = kiln_artifact_load(path.c_str(), &artifact);
  ASSERT_NE(status, nullptr) << path << " loaded but should have been refused";
  EXPECT_EQ(kiln_status_code(status), code);
  std::string message = takeMessage(status);
  EXPECT_NE(message.find(expected), std::string::npos) << "message: " << message;
  EXPECT_NE(message.find(path), std::string::npos) << "the message must name the file: " << message;
  EXPECT_EQ(artifact, nullptr);
}

TEST(Artifact, LoadsGoodArtifactAndDescribesIt) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  ASSERT_TRUE(artifact);
  ASSERT_EQ(kiln_artifact_buffer_count(artifact.get()), 3u);
  kiln_buffer_info_t x = kiln_artifact_buffer_info(artifact.get(), 0);
  EXPECT_STREQ(x.name, "x");
  EXPECT_EQ(x.role, KILN_ROLE_INPUT);
  EXPECT_EQ(x.dtype, KILN_DTYPE_F32);
  ASSERT_EQ(x.rank, 1u);
  EXPECT_EQ(x.shape[0], 4);
  EXPECT_EQ(x.byte_size, 16u);
  EXPECT_EQ(kiln_artifact_find_buffer(artifact.get(), "bias"), 1);
  EXPECT_EQ(kiln_artifact_find_buffer(artifact.get(), "nope"), -1);
  ASSERT_EQ(kiln_artifact_entry_count(artifact.get()), 1u);
  EXPECT_STREQ(kiln_artifact_entry_name(artifact.get(), 0), "forward");
  EXPECT_EQ(kiln_artifact_entry_arg_count(artifact.get(), 0), 3u);
  EXPECT_EQ(kiln_artifact_entry_arg(artifact.get(), 0, 2), 2u);
  EXPECT_EQ(kiln_artifact_batch(artifact.get()), 4);
  EXPECT_STREQ(kiln_artifact_producer(artifact.get()), "kiln unit-test fixture");
}

TEST(Artifact, RefusesMissingFile) {
  expectRefused(scratchPath("does-not-exist.kx"), KILN_STATUS_NOT_FOUND, "no such artifact");
}

TEST(Artifact, RefusesGarbageFile) {
  std::string path = scratchPath("garbage.kx");
  writeFile(path, std::string(4096, '\x7f') + "not an ELF file");
  expectRefused(path, KILN_STATUS_INVALID_ARTIFACT, "not a 64-bit ELF shared object");
}

TEST(Artifact, RefusesTruncatedArtifact) {
  std::string good = readFile(KILN_FIXTURE_GOOD);
  ASSERT_GT(good.size(), 1000u);
  std::string path = scratchPath("truncated.kx");
  writeFile(path, good.substr(0, good.size() / 3));
  expectRefused(path, KILN_STATUS_INVALID_ARTIFACT, "truncated or corrupt artifact");
}

TEST(Artifact, RefusesArtifactTruncatedAnywhere) {
  std::string good = readFile(KILN_FIXTURE_GOOD);
  for (size_t tenth = 1; tenth < 10; ++tenth) {
    std::string path = scratchPath("truncated-" + std::to_string(tenth) + ".kx");
    writeFile(path, good.substr(0, good.size() * tenth / 10));
    kiln_artifact_t *artifact = nullptr;
    kiln_status_t status = kiln_artifact_load(path.c_str(), &artifact);
    EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARTIFACT) << "cut at " << tenth << "/10";
    takeMessage(status);
  }
}

TEST(Artifact, RefusesSharedObjectWithoutDescriptor) {
  expectRefused(KILN_FIXTURE_NO_DESCRIPTOR, KILN_STATUS_INVALID_ARTIFACT,
                "no kiln_artifact_descriptor symbol");
}

TEST(Artifact, RefusesBadMagic) {
  expectRefused(KILN_FIXTURE_BAD_MAGIC, KILN_STATUS_INVALID_ARTIFACT, "bad descriptor magic");
}

TEST(Artifact, RefusesOtherAbiVersionNamingBoth) {
  std::string expected = "artifact ABI version " + std::to_string(KILN_ABI_VERSION + 1) +
                         ", this runtime supports version " + std::to_string(KILN_ABI_VERSION);
  expectRefused(KILN_FIXTURE_WRONG_VERSION, KILN_STATUS_INCOMPATIBLE, expected);
}

TEST(Artifact, RefusesInconsistentByteSize) {
  expectRefused(KILN_FIXTURE_BYTE_SIZE, KILN_STATUS_INVALID_ARTIFACT,
                "buffer 'x' declares 12 bytes, but shape [4] of float32 needs 16");
}

TEST(Artifact, RefusesEntryArgumentOutOfRange) {
  expectRefused(KILN_FIXTURE_ARG_INDEX, KILN_STATUS_INVALID_ARTIFACT,
                "entry point 'forward' argument #2 refers to buffer 7, but there are only 3");
}

TEST(Artifact, RefusesDuplicateBufferNames) {
  expectRefused(KILN_FIXTURE_DUPLICATE_NAME, KILN_STATUS_INVALID_ARTIFACT,
                "two buffers are named 'x'");
}

TEST(Artifact, RefusesUnknownDtype) {
  expectRefused(KILN_FIXTURE_UNKNOWN_DTYPE, KILN_STATUS_INVALID_ARTIFACT,
                "buffer 'x' has unknown dtype 99");
}

TEST(Artifact, RejectsNullArguments) {
  kiln_artifact_t *artifact = nullptr;
  EXPECT_EQ(kiln_status_code(kiln_artifact_load(nullptr, &artifact)),
            KILN_STATUS_INVALID_ARGUMENT);
}

} // namespace
