//===- batch_loader.cpp - samples loaded on worker threads, batches in order ===//
#include "batch_loader.h"

#include "../internal.h"
#include "../random.h"

#include <algorithm>

using namespace kiln::runtime;
using kiln::data::BatchLoader;

namespace {
/// A sample that fails is replaced by the next in the order; this many failures in a row
/// mean the data, not one file, is broken, and training stops.
constexpr int kMaxConsecutiveFailures = 16;
/// Failures reported one by one before the rest are only counted.
constexpr uint64_t kReportedFailures = 10;
} // namespace

BatchLoader::BatchLoader(const Dataset &dataset, uint64_t elements,
                         const LoaderOptions &options)
    : dataset(dataset), elements(elements), options(options) {
  uint32_t threads = std::max<uint32_t>(1, options.threads);
  for (uint32_t i = 0; i < threads; ++i)
    workers.emplace_back([this] { work(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  workAvailable.notify_all();
  for (std::thread &worker : workers)
    worker.join();
  dropReady();
}

void BatchLoader::dropReady() {
  for (auto &entry : ready)
    kiln_status_free(entry.second.status);
  ready.clear();
}

void BatchLoader::start(EpochPlan newPlan) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    newPlan.end = std::min<uint64_t>(newPlan.end, newPlan.order.size());
    newPlan.batch = std::max<uint64_t>(1, newPlan.batch);
    uint64_t rows = newPlan.end > newPlan.first ? newPlan.end - newPlan.first : 0;
    batchCount = (rows + newPlan.batch - 1) / newPlan.batch;
    plan = std::make_shared<const EpochPlan>(std::move(newPlan));
    ++generation;
    nextToClaim = nextToDeliver = 0;
    dropReady();
  }
  workAvailable.notify_all();
}

void BatchLoader::work() {
  std::unique_lock<std::mutex> lock(mutex);
  uint32_t threads = std::max<uint32_t>(1, options.threads);
  uint64_t ahead = std::max<uint32_t>(options.prefetch, threads);
  for (;;) {
    workAvailable.wait(lock, [&] {
      return stopping || (plan && nextToClaim < batchCount && nextToClaim < nextToDeliver + ahead);
    });
    if (stopping)
      return;
    uint64_t number = nextToClaim++;
    uint64_t claimedGeneration = generation;
    std::shared_ptr<const EpochPlan> claimedPlan = plan;
    Ready result;
    if (!spare.empty()) {
      result.batch = std::move(spare.back());
      spare.pop_back();
    }
    lock.unlock();
    // The batch's own storage can fail to allocate too.
    result.status = guardApi("loading a batch", [&] {
      return loadBatch(*claimedPlan, number, result.batch);
    });
    lock.lock();
    if (claimedGeneration != generation) {
      kiln_status_free(result.status);
      continue;
    }
    ready[number] = std::move(result);
    batchReady.notify_all();
  }
}

kiln_status_t BatchLoader::next(LoadedBatch &out) {
  std::unique_lock<std::mutex> lock(mutex);
  if (nextToDeliver >= batchCount)
    return makeStatus(KILN_STATUS_INTERNAL, "batch loader: no batch left in this epoch's plan");
  uint64_t number = nextToDeliver;
  batchReady.wait(lock, [&] { return ready.count(number) != 0; });
  Ready result = std::move(ready[number]);
  ready.erase(number);
  ++nextToDeliver;
  if (out.samples.capacity())
    spare.push_back(std::move(out));
  out = std::move(result.batch);
  lock.unlock();
  workAvailable.notify_all();
  return result.status;
}

kiln_status_t BatchLoader::loadBatch(const EpochPlan &plan, uint64_t number, LoadedBatch &out) {
  uint64_t first = plan.first + number * plan.batch;
  uint64_t rows = std::min(plan.batch, plan.end - first);
  out.samples.resize(rows * elements);
  out.labels.clear();
  out.indices.clear();
  for (uint64_t position = first; position < first + rows; ++position) {
    float *sample = out.samples.data() + out.labels.size() * elements;
    int32_t label = 0;
    uint64_t index = plan.order[position];
    kiln_status_t status = loadRow(plan, position, sample, label, index);
    if (status && plan.replaceFailed)
      return status;
    if (status) {
      kiln_status_free(status); // reported and counted; evaluation goes on without it
      continue;
    }
    out.labels.push_back(label);
    out.indices.push_back(index);
  }
  out.samples.resize(out.labels.size() * elements);
  return nullptr;
}

kiln_status_t BatchLoader::loadRow(const EpochPlan &plan, uint64_t position, float *sample,
                                   int32_t &label, uint64_t &index) {
  int tries = plan.replaceFailed ? kMaxConsecutiveFailures : 1;
  std::string lastError;
  for (int attempt = 0; attempt < tries; ++attempt) {
    index = plan.order[(position + attempt) % plan.order.size()];
    // An exception (out of memory for a huge image, say) is that sample's failure, and must
    // not escape a worker thread, which would end the process.
    kiln_status_t status = guardApi("loading a sample", [&] {
      return dataset.load(index, deriveSeed(plan.seed, index), sample, label);
    });
    if (!status)
      return nullptr;
    lastError = kiln_status_message(status);
    reportSkipped(status);
    if (attempt + 1 == tries)
      return plan.replaceFailed
                 ? makeStatus(KILN_STATUS_DATA_ERROR,
                              std::to_string(tries) + " samples in a row failed to load from " +
                                  dataset.describe() + "; the last: " + lastError)
                 : makeStatus(KILN_STATUS_DATA_ERROR, lastError);
  }
  return nullptr;
}

void BatchLoader::reportSkipped(kiln_status_t status) {
  uint64_t number = ++skippedCount;
  std::string message = kiln_status_message(status);
  kiln_status_free(status);
  if (!options.warnings || number > kReportedFailures)
    return;
  std::lock_guard<std::mutex> lock(warningMutex);
  std::fprintf(options.warnings, "kiln-run: warning: skipped a sample: %s\n", message.c_str());
  if (number == kReportedFailures)
    std::fprintf(options.warnings,
                 "kiln-run: warning: further samples that fail are counted, not listed\n");
  std::fflush(options.warnings);
}
