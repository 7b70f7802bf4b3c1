//===- CheckpointTest.cpp - checkpoint files: round trip and every refusal ===//
#include "TrainTestUtil.h"

#include <algorithm>
#include <cstring>

using namespace kiln::test;
using namespace kiln::train;

namespace {

/// The train fixture loaded, a session on it, and its buffers bound for training.
struct Loaded {
  ArtifactPtr artifact;
  SessionPtr session;
  TrainingArtifact bound;

  explicit Loaded(const char *path) : artifact(loadOrFail(path)) {
    session = sessionOrFail(artifact.get());
    EXPECT_EQ(takeMessage(bindTrainingArtifact(artifact.get(), TrainingNeeds(), bound)), "");
  }

  float *floats(const char *name) {
    int64_t index = kiln_artifact_find_buffer(artifact.get(), name);
    EXPECT_GE(index, 0) << name;
    return static_cast<float *>(kiln_session_buffer_data(session.get(), static_cast<uint32_t>(index)));
  }
};

TrainingPosition somePosition() {
  TrainingPosition position;
  position.step = 11;
  position.epoch = 2;
  position.stepInEpoch = 3;
  position.microBatch = 22;
  position.seed = 99;
  position.globalBatch = 8;
  position.trainSamples = 40;
  return position;
}

/// Saves a checkpoint of the train fixture with recognisable values.
std::string saveSample(const std::string &path) {
  Loaded loaded(KILN_FIXTURE_TRAIN);
  for (int i = 0; i < 48; ++i)
    loaded.floats("fc.weight")[i] = 0.5f * i;
  loaded.floats("x.running_mean")[3] = -2.0f;
  loaded.floats("fc.bias@momentum")[1] = 7.0f;
  EXPECT_EQ(takeMessage(saveCheckpoint(path, loaded.session.get(), loaded.bound, somePosition())),
            "");
  return readFile(path);
}

std::string loadError(const std::string &path, const char *artifact = KILN_FIXTURE_TRAIN) {
  Loaded loaded(artifact);
  TrainingPosition position;
  return takeMessage(loadCheckpoint(path, loaded.session.get(), loaded.bound, position));
}

TEST(Checkpoint, RoundTripsPersistentBuffersAndPosition) {
  std::string path = scratchPath("run.ckpt");
  saveSample(path);
  Loaded loaded(KILN_FIXTURE_TRAIN);
  EXPECT_EQ(loaded.floats("fc.bias")[0], 0.1f); // initial data until loaded
  TrainingPosition position;
  ASSERT_EQ(takeMessage(loadCheckpoint(path, loaded.session.get(), loaded.bound, position)), "");
  for (int i = 0; i < 48; ++i)
    EXPECT_EQ(loaded.floats("fc.weight")[i], 0.5f * i);
  EXPECT_EQ(loaded.floats("fc.bias")[0], 0.1f); // saved as it was
  EXPECT_EQ(loaded.floats("x.running_mean")[3], -2.0f);
  EXPECT_EQ(loaded.floats("fc.bias@momentum")[1], 7.0f);
  TrainingPosition expected = somePosition();
  EXPECT_EQ(std::memcmp(&position, &expected, sizeof(position)), 0);
}

TEST(Checkpoint, WritesAtomicallyLeavingNoTemporaryFile) {
  std::string path = scratchPath("run.ckpt");
  writeFile(path, "old contents");
  std::string bytes = saveSample(path);
  EXPECT_EQ(bytes.substr(0, 8), "KILNCKPT");
  EXPECT_EQ(listDir(scratchDir()), (std::vector<std::string>{"run.ckpt"}));
}

TEST(Checkpoint, RefusesTruncatedAndCorruptFilesNamingThem) {
  std::string path = scratchPath("run.ckpt");
  std::string bytes = saveSample(path);
  for (size_t cut : {bytes.size() - 1, bytes.size() / 2, size_t{10}}) {
    writeFile(path, bytes.substr(0, cut));
    EXPECT_PRED2(contains, loadError(path), path + ": corrupt or truncated checkpoint") << cut;
  }
  for (size_t offset : {size_t{20}, bytes.size() / 2, bytes.size() - 2}) {
    std::string corrupt = bytes;
    corrupt[offset] ^= 0x10;
    writeFile(path, corrupt);
    EXPECT_PRED2(contains, loadError(path), path + ": corrupt or truncated checkpoint (CRC-32")
        << offset;
  }
  writeFile(path, "PK\x03\x04 something else entirely");
  EXPECT_PRED2(contains, loadError(path), path + ": not a kiln checkpoint (bad magic");
  EXPECT_PRED2(contains, loadError(scratchPath("missing.ckpt")), "missing.ckpt: cannot open checkpoint");
}

TEST(Checkpoint, RefusesACheckpointOfAnotherModelLeavingTheSessionAlone) {
  std::string path = scratchPath("wide.ckpt");
  {
    Loaded wide(KILN_FIXTURE_TRAIN_WIDE);
    ASSERT_EQ(takeMessage(saveCheckpoint(path, wide.session.get(), wide.bound, somePosition())), "");
  }
  Loaded loaded(KILN_FIXTURE_TRAIN);
  TrainingPosition position;
  kiln_status_t status = loadCheckpoint(path, loaded.session.get(), loaded.bound, position);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INCOMPATIBLE);
  std::string error = takeMessage(status);
  EXPECT_PRED2(contains, error, path + ": checkpoint of another model");
  EXPECT_PRED2(contains, error, "buffer 'fc.weight' is parameter float32 [3, 16] in the artifact "
                                "but parameter float32 [4, 16] in the checkpoint");
  EXPECT_EQ(loaded.floats("fc.bias")[0], 0.1f);
  EXPECT_EQ(position.step, 0u);
}

TEST(Checkpoint, FingerprintIgnoresNonPersistentBuffersButNotShapes) {
  Loaded plain(KILN_FIXTURE_TRAIN), dropout(KILN_FIXTURE_TRAIN_DROPOUT), wide(KILN_FIXTURE_TRAIN_WIDE);
  EXPECT_EQ(persistentFingerprint(plain.bound), persistentFingerprint(dropout.bound));
  EXPECT_NE(persistentFingerprint(plain.bound), persistentFingerprint(wide.bound));
  EXPECT_EQ(plain.bound.persistent.size(), 5u); // 2 parameters, 1 state, 2 momenta
}

TEST(Checkpoint, UnwritablePathIsAnErrorNamingIt) {
  Loaded loaded(KILN_FIXTURE_TRAIN);
  std::string path = scratchPath("no/such/dir/run.ckpt");
  kiln_status_t status = saveCheckpoint(path, loaded.session.get(), loaded.bound, somePosition());
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_IO_ERROR);
  EXPECT_PRED2(contains, takeMessage(status), path + ": cannot write checkpoint (create:");
}

} // namespace
