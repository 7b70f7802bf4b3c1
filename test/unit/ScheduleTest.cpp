//===- ScheduleTest.cpp - learning rates, sample order, seeds, metrics ----===//
#include "TrainTestUtil.h"

#include "train/epoch_order.h"
#include "train/lr_schedule.h"
#include "train/metrics.h"

#include <algorithm>
#include <cmath>

using namespace kiln::test;
using namespace kiln::train;

namespace {

// 10 updates per epoch, 50 in all, base 0.4 throughout.
constexpr uint64_t kPerEpoch = 10, kTotal = 50;
constexpr double kBase = 0.4;

double lrAt(const LrOptions &options, uint64_t step) {
  return learningRate(options, kBase, step, kTotal, kPerEpoch);
}

TEST(LrSchedule, ConstantStaysAtBase) {
  LrOptions options;
  for (uint64_t step : {1, 17, 50})
    EXPECT_DOUBLE_EQ(lrAt(options, step), kBase);
}

TEST(LrSchedule, WarmUpRisesLinearlyToBase) {
  LrOptions options;
  options.warmupEpochs = 2; // 20 updates
  EXPECT_DOUBLE_EQ(lrAt(options, 1), kBase / 20);
  EXPECT_DOUBLE_EQ(lrAt(options, 10), kBase / 2);
  EXPECT_DOUBLE_EQ(lrAt(options, 20), kBase);
  EXPECT_DOUBLE_EQ(lrAt(options, 21), kBase);
}

TEST(LrSchedule, StepMultipliesByGammaAtEachMilestoneEpoch) {
  LrOptions options;
  options.schedule = LrSchedule::Step;
  options.stepEpochs = {2, 4};
  options.gamma = 0.5;
  EXPECT_DOUBLE_EQ(lrAt(options, 20), kBase);        // last update of epoch 1 (0-based)
  EXPECT_DOUBLE_EQ(lrAt(options, 21), kBase * 0.5);  // first of epoch 2
  EXPECT_DOUBLE_EQ(lrAt(options, 40), kBase * 0.5);
  EXPECT_DOUBLE_EQ(lrAt(options, 41), kBase * 0.25);
}

TEST(LrSchedule, CosineFallsFromBaseToZeroAfterWarmUp) {
  LrOptions options;
  options.schedule = LrSchedule::Cosine;
  EXPECT_DOUBLE_EQ(lrAt(options, 1), kBase);
  EXPECT_NEAR(lrAt(options, 26), kBase / 2, 1e-12); // halfway: (26 - 1) / 50
  EXPECT_NEAR(lrAt(options, 50), kBase * 0.5 * (1 + std::cos(M_PI * 49 / 50)), 1e-12);
  options.warmupEpochs = 1; // 10 updates, then cosine over the other 40
  EXPECT_DOUBLE_EQ(lrAt(options, 5), kBase / 2);
  EXPECT_DOUBLE_EQ(lrAt(options, 11), kBase);
  EXPECT_NEAR(lrAt(options, 31), kBase / 2, 1e-12);
}

TEST(LrSchedule, LinearScalingByGlobalBatch) {
  LrOptions options;
  options.baseLr = 0.1;
  EXPECT_DOUBLE_EQ(scaledBaseLr(options, 512), 0.1);
  options.baseBatch = 256;
  EXPECT_DOUBLE_EQ(scaledBaseLr(options, 512), 0.2);
  EXPECT_DOUBLE_EQ(scaledBaseLr(options, 64), 0.025);
}

TEST(EpochOrder, UnshuffledIsFileOrder) {
  EXPECT_EQ(epochOrder(5, false, 42, 3), (std::vector<uint64_t>{0, 1, 2, 3, 4}));
}

TEST(EpochOrder, ShuffleIsAPermutationFixedBySeedAndEpoch) {
  std::vector<uint64_t> a = epochOrder(100, true, 7, 0);
  std::vector<uint64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, epochOrder(100, false, 0, 0));
  EXPECT_NE(a, sorted);
  EXPECT_EQ(a, epochOrder(100, true, 7, 0));
  EXPECT_NE(a, epochOrder(100, true, 7, 1));
  EXPECT_NE(a, epochOrder(100, true, 8, 0));
  // Pinned values: a change of the generator would silently change what resuming an old
  // checkpoint trains on.
  EXPECT_EQ(epochOrder(6, true, 1, 0), (std::vector<uint64_t>{4, 1, 5, 2, 0, 3}));
  EXPECT_EQ(microBatchSeed(3, 0), 7773054374323724301);
}

TEST(EpochOrder, MicroBatchSeedsAreFixedDistinctAndNonNegative) {
  std::vector<int64_t> seeds;
  for (uint64_t m = 0; m < 100; ++m) {
    seeds.push_back(microBatchSeed(3, m));
    EXPECT_GE(seeds.back(), 0);
    EXPECT_EQ(seeds.back(), microBatchSeed(3, m));
    EXPECT_NE(seeds.back(), microBatchSeed(4, m));
  }
  std::sort(seeds.begin(), seeds.end());
  EXPECT_EQ(std::unique(seeds.begin(), seeds.end()), seeds.end());
}

TEST(Metrics, CrossEntropyAndTopK) {
  ClassificationStats stats;
  const double uniform[3] = {0, 0, 0};
  stats.addSample(uniform, 3, 1, true); // ties count as right: nothing scores higher
  EXPECT_NEAR(stats.meanLoss(), std::log(3.0), 1e-12);
  const double six[6] = {6, 5, 4, 3, 2, 1};
  stats.addSample(six, 6, 4, true); // 4 classes score higher: top-5 only
  stats.addSample(six, 6, 5, true); // 5 score higher: neither
  EXPECT_EQ(stats.samples, 3u);
  EXPECT_EQ(stats.top1, 1u);
  EXPECT_EQ(stats.top5, 2u);
  double logSum = std::log(std::exp(6) + std::exp(5) + std::exp(4) + std::exp(3) + std::exp(2) +
                           std::exp(1));
  EXPECT_NEAR(stats.lossSum, std::log(3.0) + (logSum - 2) + (logSum - 1), 1e-9);
  // Large logits do not overflow.
  ClassificationStats large;
  const double big[2] = {1000, 0};
  large.addSample(big, 2, 1, true);
  EXPECT_NEAR(large.meanLoss(), 1000, 1e-9);
}

} // namespace
