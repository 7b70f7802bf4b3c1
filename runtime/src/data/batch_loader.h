//===- batch_loader.h - samples loaded on worker threads, batches in order ===//
//
// A BatchLoader walks an EpochPlan (the epoch's sample order, cut into batches) with worker
// threads that each load whole batches, at most `prefetch` batches ahead of the consumer.
// Batches come out in plan order, and every sample is a function of its index and seed only,
// so the same plan gives the same bytes with any number of threads.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_SRC_DATA_BATCH_LOADER_H
#define KILN_RUNTIME_SRC_DATA_BATCH_LOADER_H

#include "dataset.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace kiln::data {

/// How a BatchLoader runs.
struct LoaderOptions {
  uint32_t threads = 2;  /// worker threads (at least 1)
  uint32_t prefetch = 2; /// batches loaded or loading ahead of the consumer (at least threads)
  FILE *warnings = stderr; /// where skipped samples are reported; null: counted only
};

/// The part of an epoch that a loader walks.
struct EpochPlan {
  std::vector<uint64_t> order; /// dataset indices in visiting order
  uint64_t first = 0;          /// position to start at (a resumed epoch starts mid-way)
  uint64_t end = 0;            /// one past the last position; below order.size() drops the rest
  uint64_t batch = 1;          /// rows per batch; the last batch is short if the range is
  uint64_t seed = 0;           /// sample i is loaded with seed deriveSeed(seed, i)
  /// Training replaces a sample that fails to load by the next one in the order that loads,
  /// so every batch stays full; evaluation leaves it out, so none is counted twice.
  bool replaceFailed = true;
};

/// One batch: rows() samples of the loader's `elements` values each.
struct LoadedBatch {
  std::vector<float> samples;
  std::vector<int32_t> labels;
  std::vector<uint64_t> indices; /// the dataset index of each row
  size_t rows() const { return labels.size(); }
};

/// Loads a dataset's samples for the training driver. start() and next() are called from one
/// thread; the dataset must outlive the loader.
class BatchLoader {
public:
  BatchLoader(const Dataset &dataset, uint64_t elements, const LoaderOptions &options);
  ~BatchLoader();
  BatchLoader(const BatchLoader &) = delete;
  BatchLoader &operator=(const BatchLoader &) = delete;

  /// Starts walking `plan`, abandoning the plan in progress.
  void start(EpochPlan plan);
  /// Number of batches the current plan yields.
  uint64_t batches() const { return batchCount; }
  /// The next batch of the plan (waiting for it if need be); `out`'s old storage is recycled.
  /// An error if a sample and the replacements after it all fail, or the plan is exhausted.
  kiln_status_t next(LoadedBatch &out);
  /// Samples that failed to load and were skipped, since the loader was made.
  uint64_t skipped() const { return skippedCount.load(); }

private:
  struct Ready {
    LoadedBatch batch;
    kiln_status_t status = nullptr;
  };
  void work();
  kiln_status_t loadBatch(const EpochPlan &plan, uint64_t number, LoadedBatch &out);
  kiln_status_t loadRow(const EpochPlan &plan, uint64_t position, float *sample,
                        int32_t &label, uint64_t &index);
  void reportSkipped(kiln_status_t status);
  void dropReady();

  const Dataset &dataset;
  const uint64_t elements;
  const LoaderOptions options;

  std::mutex mutex;
  std::condition_variable workAvailable, batchReady;
  std::shared_ptr<const EpochPlan> plan; // shared with the workers loading from it
  uint64_t generation = 0;               // bumped by start(): late results are dropped
  uint64_t batchCount = 0, nextToClaim = 0, nextToDeliver = 0;
  std::map<uint64_t, Ready> ready;
  std::vector<LoadedBatch> spare; // storage handed back by next(), reused by the workers
  bool stopping = false;
  std::vector<std::thread> workers;

  std::atomic<uint64_t> skippedCount{0};
  std::mutex warningMutex;
};

} // namespace kiln::data

#endif // KILN_RUNTIME_SRC_DATA_BATCH_LOADER_H
