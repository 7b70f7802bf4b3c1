//===- epoch_order.cpp - the order samples are visited in each epoch ------===//
#include "epoch_order.h"

#include "../random.h"

#include <numeric>
#include <utility>

using namespace kiln::runtime;

namespace {
// Separate the streams drawn from one --seed, so the shuffle of epoch k and the dropout seed
// of micro-batch k are unrelated.
constexpr uint64_t kShuffleStream = 1;
constexpr uint64_t kDropoutStream = 2;
constexpr uint64_t kAugmentationStream = 3;
} // namespace

std::vector<uint64_t> kiln::train::epochOrder(uint64_t size, bool shuffle, uint64_t seed,
                                              uint64_t epoch) {
  std::vector<uint64_t> order(size);
  std::iota(order.begin(), order.end(), uint64_t{0});
  if (!shuffle)
    return order;
  SplitMix64 random(deriveSeed(deriveSeed(seed, kShuffleStream), epoch));
  for (uint64_t i = size; i > 1; --i)
    std::swap(order[i - 1], order[random.below(i)]);
  return order;
}

int64_t kiln::train::microBatchSeed(uint64_t seed, uint64_t microBatch) {
  // Non-negative, so an artifact may treat it as signed or unsigned alike.
  return static_cast<int64_t>(deriveSeed(deriveSeed(seed, kDropoutStream), microBatch) >> 1);
}

uint64_t kiln::train::augmentationSeed(uint64_t seed, uint64_t epoch) {
  return deriveSeed(deriveSeed(seed, kAugmentationStream), epoch);
}

std::vector<uint64_t> kiln::train::shardOrder(const std::vector<uint64_t> &order, uint32_t rank,
                                              uint32_t replicas, uint64_t wholeBatches) {
  uint64_t size = order.size();
  if (wholeBatches)
    size -= size % (uint64_t{replicas} * wholeBatches);
  std::vector<uint64_t> shard;
  shard.reserve(size / replicas + 1);
  for (uint64_t position = rank; position < size; position += replicas)
    shard.push_back(order[position]);
  return shard;
}
