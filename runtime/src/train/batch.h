//===- batch.h - samples into the artifact's input and label buffers ------===//
#ifndef KILN_RUNTIME_SRC_TRAIN_BATCH_H
#define KILN_RUNTIME_SRC_TRAIN_BATCH_H

#include "metrics.h"
#include "training_artifact.h"

#include <optional>
#include <utility>

namespace kiln::train {

/// (mean, std) applied to every value as (x - mean) / std after the dataset's own scaling.
using Normalization = std::optional<std::pair<double, double>>;

/// Fills the input buffer (and the label buffer, if the artifact has one) with the samples
/// `indices[0..count)` of `dataset`, count <= B. Rows past `count` are zeros with label 0:
/// padding that the caller leaves out of its metrics. Returns the labels of the real rows.
std::vector<int32_t> loadBatch(kiln_session_t *session, const TrainingArtifact &artifact,
                               const data::Dataset &dataset, const uint64_t *indices,
                               size_t count, const Normalization &normalization);

/// Scores the first `count` rows of the logits buffer against `labels` into `stats`.
void scoreLogits(kiln_session_t *session, const TrainingArtifact &artifact,
                 const std::vector<int32_t> &labels, bool withLoss,
                 ClassificationStats &stats);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_BATCH_H
