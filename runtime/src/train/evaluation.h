//===- evaluation.h - `forward` over an evaluation set --------------------===//
#ifndef KILN_RUNTIME_SRC_TRAIN_EVALUATION_H
#define KILN_RUNTIME_SRC_TRAIN_EVALUATION_H

#include "batch.h"

#include <functional>
#include <string>
#include <vector>

namespace kiln::train {

/// Runs `forward` on the first `count` sessions of its caller's (each loaded with a batch).
using ForwardRunner = std::function<kiln_status_t(uint32_t count)>;

/// Runs `forward` over every sample of `loader`'s dataset (of `size` samples) in order, B at a
/// time (the last batch padded, its padding not counted), and scores the logits: softmax
/// cross-entropy, top-1, top-5. A sample that fails to load is reported and left out.
/// `sessions` are replicas with the same parameters: each round loads one batch into each and
/// `runForwards` runs them (at once, on the replicas' threads); batches are scored in order,
/// so the figures do not depend on the number of sessions. `seconds` is the wall time.
kiln_status_t evaluate(const std::vector<kiln_session_t *> &sessions,
                       const ForwardRunner &runForwards, const TrainingArtifact &artifact,
                       data::BatchLoader &loader, uint64_t size,
                       const Normalization &normalization, ClassificationStats &stats,
                       double &seconds);

/// "eval epoch 3: loss 0.2841 top1 90.12% top5 99.80% (10000 images)": the form scripts grep.
std::string evalLine(uint64_t epoch, const ClassificationStats &stats);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_EVALUATION_H
