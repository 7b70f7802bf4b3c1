//===- batch.h - samples into the artifact's input and label buffers ------===//
#ifndef KILN_RUNTIME_SRC_TRAIN_BATCH_H
#define KILN_RUNTIME_SRC_TRAIN_BATCH_H

#include "metrics.h"
#include "training_artifact.h"

#include "../data/batch_loader.h"

#include <optional>
#include <utility>

namespace kiln::train {

/// (mean, std) applied to every value as (x - mean) / std after the dataset's own scaling.
using Normalization = std::optional<std::pair<double, double>>;

/// Fills the input buffer (and the label buffer, if the artifact has one) with the rows of
/// `batch` (at most B). Rows past batch.rows() are zeros with label 0: padding that the caller
/// leaves out of its metrics.
void storeBatch(kiln_session_t *session, const TrainingArtifact &artifact,
                const data::LoadedBatch &batch, const Normalization &normalization);

/// Scores the first `count` rows of the logits buffer against `labels` into `stats`.
void scoreLogits(kiln_session_t *session, const TrainingArtifact &artifact,
                 const std::vector<int32_t> &labels, bool withLoss,
                 ClassificationStats &stats);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_BATCH_H
