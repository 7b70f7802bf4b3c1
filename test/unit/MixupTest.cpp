//===- MixupTest.cpp - mixup's pairs, weights and targets -----------------===//
#include "TestUtil.h"

#include "data/mixup.h"

#include <cmath>

using namespace kiln::test;
using namespace kiln::data;

namespace {

LoadedBatch batchOf(size_t rows, uint64_t elements) {
  LoadedBatch batch;
  for (size_t r = 0; r < rows; ++r) {
    for (uint64_t k = 0; k < elements; ++k)
      batch.samples.push_back(static_cast<float>(10 * r + k));
    batch.labels.push_back(static_cast<int32_t>(r % 3));
    batch.indices.push_back(r);
  }
  return batch;
}

TEST(Mixup, EachRowBlendsWithItsMirrorRowByOneLambda) {
  LoadedBatch batch = batchOf(5, 4), original = batch;
  Mixing mixing = mixupBatch(batch, 4, 0.4, 17);
  float lambda = mixing.lambda;
  ASSERT_GT(lambda, 0.0f);
  ASSERT_LT(lambda, 1.0f);
  for (size_t r = 0; r < 5; ++r)
    for (size_t k = 0; k < 4; ++k) {
      float own = original.samples[r * 4 + k], partner = original.samples[(4 - r) * 4 + k];
      EXPECT_NEAR(batch.samples[r * 4 + k], lambda * own + (1 - lambda) * partner, 1e-5);
    }
  EXPECT_EQ(mixing.labels, (std::vector<int32_t>{0, 1, 2, 0, 1}));
  EXPECT_EQ(mixing.partnerLabels, (std::vector<int32_t>{1, 0, 2, 1, 0}));
  // Same seed, same lambda.
  LoadedBatch again = original;
  EXPECT_EQ(mixupBatch(again, 4, 0.4, 17).lambda, lambda);
  EXPECT_EQ(again.samples, batch.samples);
}

TEST(Mixup, TargetsPutLambdaOnTheOwnClassAndTheRestOnThePartners) {
  Mixing mixing;
  mixing.lambda = 0.75f;
  mixing.labels = {0, 2, 1};
  mixing.partnerLabels = {1, 2, 0};
  std::vector<float> targets = mixedTargets(mixing, 3);
  EXPECT_EQ(targets, (std::vector<float>{0.75f, 0.25f, 0, 0, 0, 1, 0.25f, 0.75f, 0}));
}

TEST(Mixup, LambdaFollowsTheSymmetricBetaDistribution) {
  // Beta(a, a) has mean 1/2 and variance 1 / (4 (2a + 1)): 1/12 for a = 1 (uniform), 1/5.6
  // for a = 0.2, whose draws pile up near 0 and 1.
  for (double alpha : {1.0, 0.2, 4.0}) {
    double sum = 0, squares = 0;
    int extremes = 0;
    const int draws = 20000;
    for (int i = 0; i < draws; ++i) {
      double x = sampleSymmetricBeta(alpha, static_cast<uint64_t>(i));
      ASSERT_GE(x, 0.0);
      ASSERT_LE(x, 1.0);
      sum += x;
      squares += x * x;
      extremes += x < 0.1 || x > 0.9;
    }
    double mean = sum / draws, variance = squares / draws - mean * mean;
    EXPECT_NEAR(mean, 0.5, 0.01) << alpha;
    EXPECT_NEAR(variance, 1 / (4 * (2 * alpha + 1)), 0.005) << alpha;
    if (alpha < 1) {
      EXPECT_GT(extremes, draws / 2) << "Beta(0.2, 0.2) is U-shaped";
    }
  }
}

} // namespace
