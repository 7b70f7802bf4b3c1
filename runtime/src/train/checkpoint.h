//===- checkpoint.h - save and restore a training run ---------------------===//
#ifndef KILN_RUNTIME_SRC_TRAIN_CHECKPOINT_H
#define KILN_RUNTIME_SRC_TRAIN_CHECKPOINT_H

#include "training_artifact.h"

#include <string>

namespace kiln::train {

/// Where a run stands between two updates: with the persistent buffers, all that --resume
/// needs to continue as if never stopped (gradients are zero between updates, apply_update
/// saw to that).
struct TrainingPosition {
  uint64_t step = 0;         // updates done since the start of training
  uint64_t epoch = 0;        // the epoch in progress, 0-based
  uint64_t stepInEpoch = 0;  // updates of that epoch done
  uint64_t microBatch = 0;   // micro-batches run since the start (the dropout seed counter)
  uint64_t seed = 0;         // --seed: with epoch, determines the shuffle
  uint64_t globalBatch = 0;  // B * accum of the run that wrote it
  uint64_t trainSamples = 0; // size of its training set
};

/// A hash of the names, roles, dtypes and shapes of `artifact`'s persistent buffers
/// (parameters, states, optimizer states), independent of their order: equal for the
/// artifacts whose checkpoints are interchangeable.
uint64_t persistentFingerprint(const TrainingArtifact &artifact);

/// Writes the persistent buffers of `session` and `position` to `path`, atomically (temporary
/// file, fsync, rename, fsync of the directory). The format is in docs/runtime.md.
kiln_status_t saveCheckpoint(const std::string &path, kiln_session_t *session,
                             const TrainingArtifact &artifact,
                             const TrainingPosition &position);

/// Reads `path` into the persistent buffers of `session` and `position`. Refuses, naming the
/// file, anything that is not a kiln checkpoint, a truncated or corrupt one (CRC-32), another
/// version, and one written for an artifact with other persistent buffers (naming the first
/// buffer that differs). The session is untouched unless the whole file checked out.
kiln_status_t loadCheckpoint(const std::string &path, kiln_session_t *session,
                             const TrainingArtifact &artifact, TrainingPosition &position);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_CHECKPOINT_H
