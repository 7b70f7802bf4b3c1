//===- evaluation.cpp - `forward` over an evaluation set ------------------===//
#include "evaluation.h"

#include "../internal.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>

kiln_status_t kiln::train::evaluate(const std::vector<kiln_session_t *> &sessions,
                                    const ForwardRunner &runForwards,
                                    const TrainingArtifact &artifact, data::BatchLoader &loader,
                                    uint64_t size, const Normalization &normalization,
                                    ClassificationStats &stats, double &seconds) {
  auto start = std::chrono::steady_clock::now();
  data::EpochPlan plan;
  plan.order.resize(size);
  std::iota(plan.order.begin(), plan.order.end(), uint64_t{0});
  plan.end = size;
  plan.batch = static_cast<uint64_t>(artifact.batch);
  plan.replaceFailed = false;
  loader.start(std::move(plan));
  std::vector<data::LoadedBatch> batches(sessions.size());
  for (uint64_t next = 0, total = loader.batches(); next < total;) {
    uint32_t loaded = 0;
    for (; loaded < sessions.size() && next < total; ++next) {
      KILN_RETURN_IF_ERROR(loader.next(batches[loaded]));
      if (!batches[loaded].rows())
        continue;
      storeBatch(sessions[loaded], artifact, batches[loaded], normalization);
      ++loaded;
    }
    if (!loaded)
      continue;
    KILN_RETURN_IF_ERROR(runForwards(loaded));
    for (uint32_t replica = 0; replica < loaded; ++replica)
      scoreLogits(sessions[replica], artifact, batches[replica].labels, /*withLoss=*/true,
                  stats);
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
