//===- evaluation.cpp - `forward` over an evaluation set ------------------===//
#include "evaluation.h"

#include "../internal.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>

kiln_status_t kiln::train::evaluate(kiln_session_t *session, const TrainingArtifact &artifact,
                                    data::BatchLoader &loader, uint64_t size,
                                    const Normalization &normalization,
                                    ClassificationStats &stats, double &seconds) {
  auto start = std::chrono::steady_clock::now();
  data::EpochPlan plan;
  plan.order.resize(size);
  std::iota(plan.order.begin(), plan.order.end(), uint64_t{0});
  plan.end = size;
  plan.batch = static_cast<uint64_t>(artifact.batch);
  plan.replaceFailed = false;
  loader.start(std::move(plan));
  data::LoadedBatch batch;
  for (uint64_t i = 0, batches = loader.batches(); i < batches; ++i) {
    KILN_RETURN_IF_ERROR(loader.next(batch));
    if (!batch.rows())
      continue;
    storeBatch(session, artifact, batch, normalization);
    KILN_RETURN_IF_ERROR(kiln_session_run(session, "forward"));
    scoreLogits(session, artifact, batch.labels, /*withLoss=*/true, stats);
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
