//===- evaluation.cpp - `forward` over an evaluation set ------------------===//
#include "evaluation.h"

#include "../internal.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>

kiln_status_t kiln::train::evaluate(kiln_session_t *session, const TrainingArtifact &artifact,
                                    const data::Dataset &dataset,
                                    const Normalization &normalization,
                                    ClassificationStats &stats, double &seconds) {
  auto start = std::chrono::steady_clock::now();
  uint64_t batch = static_cast<uint64_t>(artifact.batch);
  std::vector<uint64_t> indices(batch);
  for (uint64_t first = 0; first < dataset.size(); first += batch) {
    size_t count = static_cast<size_t>(std::min(batch, dataset.size() - first));
    std::iota(indices.begin(), indices.begin() + count, first);
    std::vector<int32_t> labels =
        loadBatch(session, artifact, dataset, indices.data(), count, normalization);
    KILN_RETURN_IF_ERROR(kiln_session_run(session, "forward"));
    scoreLogits(session, artifact, labels, /*withLoss=*/true, stats);
  }
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return nullptr;
}

std::string kiln::train::evalLine(uint64_t epoch, const ClassificationStats &stats) {
  char line[160];
  std::snprintf(line, sizeof(line), "eval epoch %llu: loss %.4f top1 %.2f%% top5 %.2f%% (%llu images)",
                static_cast<unsigned long long>(epoch), stats.meanLoss(), stats.top1Percent(),
                stats.top5Percent(), static_cast<unsigned long long>(stats.samples));
  return line;
}
