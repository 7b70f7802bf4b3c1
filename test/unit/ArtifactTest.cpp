//===- ArtifactTest.cpp - loading artifacts and validating descriptors ----===//
//
// Every way an artifact can be wrong has a fixture (fixtures/add_artifact.c variants) or a
// file made here, and must give a non-OK status whose message names the file and the fault.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

#include <unistd.h>

#include <climits>

using namespace kiln::test;

namespace {

/// Loading `path` must fail with `code` and a message that names the file and contains
/// `expected`.
void expectRefused(const std::string &path, kiln_status_code_t code,
                   const std::string &expected) {
  kiln_artifact_t *artifact = reinterpret_cast<kiln_artifact_t *>(0x1);
  kiln_status_t status = kiln_artifact_load(path.c_str(), &artifact);
  ASSERT_NE(status, nullptr) << path << " loaded but should have been refused";
  EXPECT_EQ(kiln_status_code(status), code) << kiln_status_code_name(kiln_status_code(status));
  std::string message = takeMessage(status);
  EXPECT_PRED2(contains, message, expected);
  EXPECT_PRED2(contains, message, path) << "the message must name the file";
  EXPECT_EQ(artifact, nullptr) << "out_artifact must be cleared on failure";
}

TEST(Artifact, LoadsGoodArtifactAndDescribesIt) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  ASSERT_TRUE(artifact);
  EXPECT_STREQ(kiln_artifact_path(artifact.get()), KILN_FIXTURE_GOOD);
  ASSERT_EQ(kiln_artifact_buffer_count(artifact.get()), 3u);
  kiln_buffer_info_t x = kiln_artifact_buffer_info(artifact.get(), 0);
  EXPECT_STREQ(x.name, "x");
  EXPECT_EQ(x.role, KILN_ROLE_INPUT);
  EXPECT_EQ(x.dtype, KILN_DTYPE_F32);
  ASSERT_EQ(x.rank, 1u);
  EXPECT_EQ(x.shape[0], 4);
  EXPECT_EQ(x.byte_size, 16u);
  EXPECT_EQ(kiln_artifact_buffer_info(artifact.get(), 1).role, KILN_ROLE_PARAMETER);
  EXPECT_EQ(kiln_artifact_find_buffer(artifact.get(), "bias"), 1);
  EXPECT_EQ(kiln_artifact_find_buffer(artifact.get(), "nope"), -1);
  ASSERT_EQ(kiln_artifact_entry_count(artifact.get()), 1u);
  EXPECT_STREQ(kiln_artifact_entry_name(artifact.get(), 0), "forward");
  EXPECT_EQ(kiln_artifact_find_entry(artifact.get(), "forward"), 0);
  EXPECT_EQ(kiln_artifact_find_entry(artifact.get(), "fwd_bwd"), -1);
  ASSERT_EQ(kiln_artifact_entry_arg_count(artifact.get(), 0), 3u);
  EXPECT_EQ(kiln_artifact_entry_arg(artifact.get(), 0, 0), 0u);
  EXPECT_EQ(kiln_artifact_entry_arg(artifact.get(), 0, 2), 2u);
  EXPECT_EQ(kiln_artifact_batch(artifact.get()), 4);
  EXPECT_STREQ(kiln_artifact_producer(artifact.get()), "kiln unit-test fixture");
  EXPECT_STREQ(kiln_artifact_source(artifact.get()), "add_artifact.c");
  EXPECT_STREQ(kiln_artifact_options(artifact.get()), "fixture=add");
}

TEST(Artifact, DescribesScalarAndEmptyBuffers) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_MIXED);
  ASSERT_TRUE(artifact);
  int64_t temperature = kiln_artifact_find_buffer(artifact.get(), "temperature");
  ASSERT_GE(temperature, 0);
  kiln_buffer_info_t scalar = kiln_artifact_buffer_info(artifact.get(), temperature);
  EXPECT_EQ(scalar.rank, 0u);
  EXPECT_EQ(scalar.byte_size, 4u);
  EXPECT_EQ(scalar.role, KILN_ROLE_SCALAR_INPUT);
  kiln_buffer_info_t scratch =
      kiln_artifact_buffer_info(artifact.get(), kiln_artifact_find_buffer(artifact.get(), "scratch"));
  EXPECT_EQ(scratch.byte_size, 0u);
  EXPECT_EQ(kiln_artifact_entry_count(artifact.get()), 2u);
  EXPECT_EQ(kiln_artifact_find_entry(artifact.get(), "reset"), 1);
}

TEST(Artifact, AccessorsTolerateBadIndicesAndNull) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  ASSERT_TRUE(artifact);
  EXPECT_EQ(kiln_artifact_buffer_info(artifact.get(), 3).name, nullptr);
  EXPECT_EQ(kiln_artifact_buffer_info(artifact.get(), UINT32_MAX).byte_size, 0u);
  EXPECT_EQ(kiln_artifact_entry_name(artifact.get(), 1), nullptr);
  EXPECT_EQ(kiln_artifact_entry_arg_count(artifact.get(), 1), 0u);
  EXPECT_EQ(kiln_artifact_entry_arg(artifact.get(), 0, 3), UINT32_MAX);
  EXPECT_EQ(kiln_artifact_find_buffer(artifact.get(), nullptr), -1);
  EXPECT_EQ(kiln_artifact_find_entry(artifact.get(), nullptr), -1);
  EXPECT_EQ(kiln_artifact_entry_memory_plan(artifact.get(), 1).workspace_bytes, 0u);
  EXPECT_EQ(kiln_artifact_entry_memory_plan(nullptr, 0).planned_buffers, 0u);
  EXPECT_EQ(kiln_artifact_buffer_count(nullptr), 0u);
  EXPECT_EQ(kiln_artifact_entry_count(nullptr), 0u);
  EXPECT_STREQ(kiln_artifact_producer(nullptr), "");
  kiln_artifact_retain(nullptr);
  kiln_artifact_release(nullptr);
}

TEST(Artifact, RetainKeepsItLoaded) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  ASSERT_TRUE(artifact);
  kiln_artifact_retain(artifact.get());
  kiln_artifact_release(artifact.get());
  EXPECT_STREQ(kiln_artifact_entry_name(artifact.get(), 0), "forward");
}

TEST(Artifact, LoadsRelativePathWithoutSlash) {
  // dlopen would search the library path for "good.kx"; the runtime must open the file.
  char previous[PATH_MAX];
  ASSERT_NE(getcwd(previous, sizeof(previous)), nullptr);
  ASSERT_EQ(chdir(KILN_FIXTURE_DIR), 0);
  kiln_artifact_t *artifact = nullptr;
  std::string message = takeMessage(kiln_artifact_load("good.kx", &artifact));
  ASSERT_EQ(chdir(previous), 0);
  EXPECT_EQ(message, "");
  kiln_artifact_release(artifact);
}

TEST(Artifact, RefusesMissingFile) {
  expectRefused(scratchPath("does-not-exist.kx"), KILN_STATUS_NOT_FOUND, "no such artifact file");
}

TEST(Artifact, RefusesDirectory) {
  expectRefused(scratchDir(), KILN_STATUS_INVALID_ARTIFACT, "not a regular file");
}

TEST(Artifact, RefusesGarbageFile) {
  std::string path = scratchPath("garbage.kx");
  writeFile(path, std::string(4096, '\x7f') + "not an ELF file");
  expectRefused(path, KILN_STATUS_INVALID_ARTIFACT, "not a 64-bit ELF shared object");
}

TEST(Artifact, RefusesEmptyFile) {
  std::string path = scratchPath("empty.kx");
  writeFile(path, "");
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
  // Cuts inside the ELF header, the program headers, the segments and the section headers.
  std::string good = readFile(KILN_FIXTURE_GOOD);
  for (size_t cut : {size_t(10), size_t(64), size_t(100), good.size() / 10, good.size() / 2,
                     good.size() - 100, good.size() - 1}) {
    std::string path = scratchPath("truncated-" + std::to_string(cut) + ".kx");
    writeFile(path, good.substr(0, cut));
    kiln_artifact_t *artifact = nullptr;
    std::string message = takeMessage(kiln_artifact_load(path.c_str(), &artifact));
    EXPECT_NE(message, "") << "cut at " << cut << " of " << good.size() << " bytes loaded";
    EXPECT_PRED2(contains, message, path);
    kiln_artifact_release(artifact);
  }
}

TEST(Artifact, RefusesSharedObjectWithUnresolvedSymbol) {
  // RTLD_NOW: a missing symbol fails at load, with dlerror's text, not at the first run.
  expectRefused(KILN_FIXTURE_UNRESOLVED_SYMBOL, KILN_STATUS_INVALID_ARTIFACT,
                "kiln_fixture_missing_function");
}

TEST(Artifact, RefusesSharedObjectWithoutDescriptor) {
  expectRefused(KILN_FIXTURE_NO_DESCRIPTOR, KILN_STATUS_INVALID_ARTIFACT,
                "not a kiln artifact (no kiln_artifact_descriptor symbol)");
}

TEST(Artifact, RefusesNullDescriptor) {
  expectRefused(KILN_FIXTURE_NULL_DESCRIPTOR, KILN_STATUS_INVALID_ARTIFACT,
                "kiln_artifact_descriptor returned NULL");
}

TEST(Artifact, RefusesBadMagic) {
  expectRefused(KILN_FIXTURE_BAD_MAGIC, KILN_STATUS_INVALID_ARTIFACT,
                "not a kiln artifact (bad descriptor magic)");
}

TEST(Artifact, RefusesOtherAbiVersionNamingBoth) {
  std::string expected = "artifact ABI version " + std::to_string(KILN_ABI_VERSION + 1) +
                         ", this runtime supports version " + std::to_string(KILN_ABI_VERSION);
  expectRefused(KILN_FIXTURE_WRONG_VERSION, KILN_STATUS_INCOMPATIBLE, expected);
}

TEST(Artifact, RefusesInconsistentByteSizeNamingBothNumbers) {
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

TEST(Artifact, RefusesUnknownRole) {
  expectRefused(KILN_FIXTURE_UNKNOWN_ROLE, KILN_STATUS_INVALID_ARTIFACT,
                "buffer 'x' has unknown role 42");
}

TEST(Artifact, RefusesRankAboveMaximum) {
  expectRefused(KILN_FIXTURE_RANK_TOO_BIG, KILN_STATUS_INVALID_ARTIFACT,
                "buffer 'x' has rank 9, more than the ABI's maximum 8");
}

TEST(Artifact, RefusesNegativeDimension) {
  expectRefused(KILN_FIXTURE_NEGATIVE_DIM, KILN_STATUS_INVALID_ARTIFACT,
                "buffer 'x' has a negative dimension in shape [-4]");
}

TEST(Artifact, RefusesMissingShape) {
  expectRefused(KILN_FIXTURE_NULL_SHAPE, KILN_STATUS_INVALID_ARTIFACT,
                "buffer 'x' has rank 1 but no shape");
}

TEST(Artifact, RefusesUnnamedBuffer) {
  expectRefused(KILN_FIXTURE_NULL_NAME, KILN_STATUS_INVALID_ARTIFACT, "buffer #0 has no name");
}

TEST(Artifact, RefusesEntryWithoutFunction) {
  expectRefused(KILN_FIXTURE_NULL_ENTRY_FN, KILN_STATUS_INVALID_ARTIFACT,
                "entry point 'forward' has no function");
}

TEST(Artifact, RefusesEntryWhoseWorkspaceIsTooSmall) {
  expectRefused(KILN_FIXTURE_WORKSPACE_TOO_SMALL, KILN_STATUS_INVALID_ARTIFACT,
                "entry point 'forward' places its temporaries in 64 bytes of workspace, but its "
                "largest workspace argument has 0");
}

TEST(Artifact, RefusesWorkspaceThatIsNotBytes) {
  expectRefused(KILN_FIXTURE_WORKSPACE_NOT_BYTES, KILN_STATUS_INVALID_ARTIFACT,
                "workspace buffer 'x' must be uint8 of rank 1 without initial data");
}

TEST(Artifact, RefusesPreparedBufferWithoutPrepareEntry) {
  expectRefused(KILN_FIXTURE_PREPARED_MISSING, KILN_STATUS_INVALID_ARTIFACT,
                "buffer 'doubled' is prepared, but there is no 'prepare' entry to compute it");
}

TEST(Artifact, RefusesDuplicateEntryNames) {
  expectRefused(KILN_FIXTURE_DUPLICATE_ENTRY, KILN_STATUS_INVALID_ARTIFACT,
                "two entry points are named 'forward'");
}

TEST(Artifact, RefusedArtifactDoesNotPoisonTheGoodOne) {
  // A failed load unloads its shared object; the good fixture still loads afterwards.
  kiln_artifact_t *artifact = nullptr;
  takeMessage(kiln_artifact_load(KILN_FIXTURE_BAD_MAGIC, &artifact));
  ArtifactPtr good = loadOrFail(KILN_FIXTURE_GOOD);
  EXPECT_TRUE(good);
}

TEST(Artifact, RejectsNullArguments) {
  kiln_artifact_t *artifact = nullptr;
  kiln_status_t status = kiln_artifact_load(nullptr, &artifact);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  takeMessage(status);
  status = kiln_artifact_load(KILN_FIXTURE_GOOD, nullptr);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  takeMessage(status);
}

TEST(Status, NullIsOk) {
  EXPECT_EQ(kiln_status_code(nullptr), KILN_STATUS_OK);
  EXPECT_STREQ(kiln_status_message(nullptr), "OK");
  EXPECT_STREQ(kiln_status_code_name(KILN_STATUS_INVALID_ARTIFACT), "INVALID_ARTIFACT");
  kiln_status_free(nullptr);
}

} // namespace
