//===- epoch_order.h - the order samples are visited in each epoch --------===//
#ifndef KILN_RUNTIME_SRC_TRAIN_EPOCH_ORDER_H
#define KILN_RUNTIME_SRC_TRAIN_EPOCH_ORDER_H

#include <cstdint>
#include <vector>

namespace kiln::train {

/// The sample indices of epoch `epoch` (0-based) over a dataset of `size` samples: 0..size-1
/// unshuffled, otherwise a Fisher-Yates shuffle determined by (seed, epoch) alone, so a resumed
/// run rebuilds the epoch it stopped in.
std::vector<uint64_t> epochOrder(uint64_t size, bool shuffle, uint64_t seed, uint64_t epoch);

/// The value of the `seed` scalar input for global micro-batch `microBatch` (0-based, counted
/// from the start of training): dropout masks differ per micro-batch and repeat across runs.
int64_t microBatchSeed(uint64_t seed, uint64_t microBatch);

/// The seed of epoch `epoch`'s augmentations: sample i of that epoch is augmented with
/// deriveSeed(augmentationSeed(seed, epoch), i), whichever thread loads it and when.
uint64_t augmentationSeed(uint64_t seed, uint64_t epoch);

/// Replica `rank`'s share (of `replicas`) of an epoch's `order`: the positions rank,
/// rank + replicas, ..., so the replicas together see each sample of the order exactly once.
/// With `wholeBatches` > 0 the order is first cut to a multiple of replicas x wholeBatches,
/// so that every replica takes the same number of whole batches (drop-remainder).
std::vector<uint64_t> shardOrder(const std::vector<uint64_t> &order, uint32_t rank,
                                 uint32_t replicas, uint64_t wholeBatches = 0);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_EPOCH_ORDER_H
