//===- training_artifact.h - an artifact's buffers, by their training role ==//
#ifndef KILN_RUNTIME_SRC_TRAIN_TRAINING_ARTIFACT_H
#define KILN_RUNTIME_SRC_TRAIN_TRAINING_ARTIFACT_H

#include "../data/dataset.h"

#include <optional>
#include <vector>

namespace kiln::train {

/// Where the training driver finds what docs/training.md promises, as buffer indices.
struct TrainingArtifact {
  kiln_artifact_t *artifact = nullptr; // not owned
  uint32_t input = 0;                  // the one buffer with role input, f32, B x ...
  int64_t batch = 0;                   // B, the input's first dimension
  data::SampleSpec sample;             // the input without B, and the number of classes
  std::optional<uint32_t> label;       // `label`: B class indices (integer dtype)
  uint32_t logits = 0;                 // the first output other than `loss`: B x classes
  std::optional<uint32_t> loss;        // `loss`: rank-0 output of fwd_bwd
  std::optional<uint32_t> lr, step, gradScale, seed; // scalar inputs
  std::vector<uint32_t> persistent;    // parameters, states, optimizer states: checkpointed
};

/// What the caller is about to run, so the check asks for exactly the entries it needs.
struct TrainingNeeds {
  bool train = true;    // fwd_bwd, apply_update, label, loss, lr, step, grad_scale
  bool evaluate = true; // forward
};

/// Finds the buffers of `artifact` by role and name and checks their dtypes and shapes against
/// docs/training.md. A failure names the artifact, the buffer or entry, and what was expected.
kiln_status_t bindTrainingArtifact(kiln_artifact_t *artifact, const TrainingNeeds &needs,
                                   TrainingArtifact &out);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_TRAINING_ARTIFACT_H
