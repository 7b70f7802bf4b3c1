//===- BatchLoaderTest.cpp - worker threads, determinism, failures, sharding ===//
#include "ImageTestUtil.h"

#include "data/batch_loader.h"
#include "train/epoch_order.h"

#include "internal.h"
#include "random.h"

#include <numeric>
#include <set>

using namespace kiln::test;
using namespace kiln::data;

namespace {

/// Samples of 2 values: the index and a value drawn from the seed; label index % 5. The
/// indices in `broken` fail to load.
class CountingDataset final : public Dataset {
public:
  CountingDataset(uint64_t samples, std::set<uint64_t> broken = {})
      : samples(samples), broken(std::move(broken)) {}
  uint64_t size() const override { return samples; }
  std::string describe() const override { return "counting"; }
  kiln_status_t load(uint64_t index, uint64_t seed, float *sample,
                     int32_t &label) const override {
    if (broken.count(index))
      return kiln::runtime::makeStatus(KILN_STATUS_DATA_ERROR,
                                       "sample" + std::to_string(index) + ".bin: corrupt");
    if (index == throwing)
      throw std::bad_alloc();
    sample[0] = static_cast<float>(index);
    sample[1] = kiln::runtime::SplitMix64(seed).unitFloat();
    label = static_cast<int32_t>(index % 5);
    return nullptr;
  }

  /// This index throws std::bad_alloc, as a reader can for a huge image.
  uint64_t throwing = UINT64_MAX;

private:
  uint64_t samples;
  std::set<uint64_t> broken;
};

EpochPlan plan(std::vector<uint64_t> order, uint64_t batch, uint64_t seed = 1) {
  EpochPlan result;
  result.end = order.size();
  result.order = std::move(order);
  result.batch = batch;
  result.seed = seed;
  return result;
}

std::vector<uint64_t> iota(uint64_t count) {
  std::vector<uint64_t> order(count);
  std::iota(order.begin(), order.end(), uint64_t{0});
  return order;
}

/// Every batch of `p` from a loader with `threads` workers, concatenated.
std::vector<float> loadAll(const Dataset &dataset, uint64_t elements, const EpochPlan &p,
                           uint32_t threads, std::vector<int32_t> *labels = nullptr) {
  LoaderOptions options;
  options.threads = threads;
  options.prefetch = 3;
  options.warnings = nullptr;
  BatchLoader loader(dataset, elements, options);
  loader.start(p);
  std::vector<float> all;
  LoadedBatch batch;
  for (uint64_t i = 0; i < loader.batches(); ++i) {
    EXPECT_EQ(takeMessage(loader.next(batch)), "");
    all.insert(all.end(), batch.samples.begin(), batch.samples.end());
    if (labels)
      labels->insert(labels->end(), batch.labels.begin(), batch.labels.end());
  }
  return all;
}

TEST(BatchLoader, DeliversThePlansBatchesInOrderWithAShortLastOne) {
  CountingDataset dataset(10);
  std::vector<uint64_t> order = {9, 3, 5, 0, 1, 2, 4, 6, 8, 7};
  EpochPlan p = plan(order, 4);
  p.first = 1;
  LoaderOptions options;
  options.threads = 3;
  BatchLoader loader(dataset, 2, options);
  loader.start(p);
  ASSERT_EQ(loader.batches(), 3u); // 9 positions: 4 + 4 + 1
  LoadedBatch batch;
  std::vector<uint64_t> seen;
  std::vector<size_t> rows;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(takeMessage(loader.next(batch)), "");
    rows.push_back(batch.rows());
    for (size_t r = 0; r < batch.rows(); ++r) {
      EXPECT_EQ(batch.samples[2 * r], static_cast<float>(batch.indices[r]));
      EXPECT_EQ(batch.labels[r], static_cast<int32_t>(batch.indices[r] % 5));
      seen.push_back(batch.indices[r]);
    }
  }
  EXPECT_EQ(rows, (std::vector<size_t>{4, 4, 1}));
  EXPECT_EQ(seen, std::vector<uint64_t>(order.begin() + 1, order.end()));
  EXPECT_PRED2(contains, takeMessage(loader.next(batch)), "no batch left");
}

TEST(BatchLoader, AugmentedJpegBatchesAreTheSameWithAnyNumberOfThreads) {
  std::string dir = freshPath("imagenet");
  writeJpegSplit(dir, "train", {"a", "b", "c"}, {5, 4, 5}, 80, 60);
  SampleSpec spec;
  spec.inputName = "x";
  spec.shape = {3, 24, 24};
  spec.classes = 3;
  std::unique_ptr<Dataset> dataset;
  ASSERT_EQ(takeMessage(openDataset("jpeg:" + dir, Split::Train, spec, {}, dataset)), "");
  EpochPlan p = plan(kiln::train::epochOrder(14, true, 3, 0), 3,
                     kiln::train::augmentationSeed(3, 0));
  std::vector<int32_t> labels1, labels4;
  std::vector<float> one = loadAll(*dataset, spec.elements(), p, 1, &labels1);
  ASSERT_EQ(one.size(), 14u * 3 * 24 * 24);
  EXPECT_EQ(loadAll(*dataset, spec.elements(), p, 2), one);
  EXPECT_EQ(loadAll(*dataset, spec.elements(), p, 4, &labels4), one);
  EXPECT_EQ(labels4, labels1);
  // Another epoch's seed augments differently.
  p.seed = kiln::train::augmentationSeed(3, 1);
  EXPECT_NE(loadAll(*dataset, spec.elements(), p, 2), one);
}

TEST(BatchLoader, TrainingReplacesAFailedSampleByTheNextAndCountsIt) {
  CountingDataset dataset(8, {2, 5});
  char *text = nullptr;
  size_t size = 0;
  FILE *warnings = open_memstream(&text, &size);
  LoaderOptions options;
  options.warnings = warnings;
  BatchLoader loader(dataset, 2, options);
  loader.start(plan(iota(8), 4));
  LoadedBatch batch;
  std::vector<uint64_t> seen;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(takeMessage(loader.next(batch)), "");
    ASSERT_EQ(batch.rows(), 4u); // full batches: nothing is padded
    seen.insert(seen.end(), batch.indices.begin(), batch.indices.end());
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1, 3, 3, 4, 6, 6, 7}));
  EXPECT_EQ(loader.skipped(), 2u);
  std::fclose(warnings);
  std::string reported(text, size);
  std::free(text);
  EXPECT_PRED2(contains, reported, "warning: skipped a sample: sample2.bin: corrupt");
  EXPECT_PRED2(contains, reported, "warning: skipped a sample: sample5.bin: corrupt");
}

TEST(BatchLoader, AnExceptionInAReaderIsThatSamplesFailureNotACrash) {
  CountingDataset dataset(8);
  dataset.throwing = 3;
  LoaderOptions options;
  options.warnings = nullptr;
  options.threads = 2;
  BatchLoader loader(dataset, 2, options);
  loader.start(plan(iota(8), 4));
  LoadedBatch batch;
  ASSERT_EQ(takeMessage(loader.next(batch)), "");
  EXPECT_EQ(batch.indices, (std::vector<uint64_t>{0, 1, 2, 4})); // 3 replaced by the next
  EXPECT_EQ(loader.skipped(), 1u);
}

TEST(BatchLoader, EvaluationLeavesAFailedSampleOut) {
  CountingDataset dataset(6, {1});
  EpochPlan p = plan(iota(6), 4);
  p.replaceFailed = false;
  std::vector<int32_t> labels;
  std::vector<float> all = loadAll(dataset, 2, p, 2, &labels);
  EXPECT_EQ(labels, (std::vector<int32_t>{0, 2, 3, 4, 0}));
}

TEST(BatchLoader, SixteenFailuresInARowStopTraining) {
  std::set<uint64_t> broken;
  for (uint64_t i = 0; i < 20; ++i)
    broken.insert(i);
  CountingDataset dataset(40, broken);
  LoaderOptions options;
  options.warnings = nullptr;
  BatchLoader loader(dataset, 2, options);
  loader.start(plan(iota(40), 4));
  LoadedBatch batch;
  EXPECT_PRED2(contains, takeMessage(loader.next(batch)),
               "16 samples in a row failed to load from counting; the last: sample15.bin: corrupt");
}

TEST(BatchLoader, StartingAnotherPlanAbandonsTheFirst) {
  CountingDataset dataset(100);
  BatchLoader loader(dataset, 2, {});
  loader.start(plan(iota(100), 10));
  LoadedBatch batch;
  ASSERT_EQ(takeMessage(loader.next(batch)), "");
  std::vector<uint64_t> reversed = iota(100);
  std::reverse(reversed.begin(), reversed.end());
  loader.start(plan(reversed, 30));
  ASSERT_EQ(loader.batches(), 4u);
  ASSERT_EQ(takeMessage(loader.next(batch)), "");
  EXPECT_EQ(batch.indices.front(), 99u);
  EXPECT_EQ(batch.rows(), 30u);
}

TEST(ShardOrder, ReplicasTogetherSeeEverySampleOnce) {
  std::vector<uint64_t> order = kiln::train::epochOrder(103, true, 5, 2);
  for (uint32_t replicas : {1u, 2u, 3u, 8u}) {
    std::vector<uint64_t> all;
    for (uint32_t rank = 0; rank < replicas; ++rank) {
      std::vector<uint64_t> shard = kiln::train::shardOrder(order, rank, replicas);
      EXPECT_LE(shard.size(), (103 + replicas - 1) / replicas);
      EXPECT_GE(shard.size(), 103 / replicas);
      all.insert(all.end(), shard.begin(), shard.end());
    }
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, iota(103)) << replicas << " replicas";
  }
}

TEST(ShardOrder, DropRemainderGivesEveryReplicaTheSameWholeBatches) {
  std::vector<uint64_t> order = kiln::train::epochOrder(103, true, 5, 0);
  std::set<uint64_t> seen;
  for (uint32_t rank = 0; rank < 3; ++rank) {
    std::vector<uint64_t> shard = kiln::train::shardOrder(order, rank, 3, 8);
    EXPECT_EQ(shard.size(), 32u); // 103 cut to 96 = 3 replicas x 4 batches of 8
    for (uint64_t index : shard)
      EXPECT_TRUE(seen.insert(index).second) << index << " seen twice";
  }
  // The 7 samples dropped are the last 7 of the order.
  for (size_t position = 96; position < 103; ++position)
    EXPECT_EQ(seen.count(order[position]), 0u);
}

} // namespace
