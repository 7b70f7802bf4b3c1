//===- replicas.h - copies of a training session, each on a thread of its own =//
//
// `kiln-run train --replicas N` trains N copies of the model in one process, data-parallel
// as DESIGN.md's replicas are: each replica is a session of its own (its own buffers, its own
// workspace arena) that one thread runs on its own micro-batches. After an update's
// micro-batches the replicas' gradients are summed and every replica gets the sum, their
// batch-norm running statistics are averaged, and each replica applies the same update to its
// own copy of the weights, which so stay bit-identical.
//
// Why: the compiled code's OpenMP tasks split each loop nest of one session between the
// threads, so data one core wrote is read or overwritten by the other from nest to nest (the
// arena reuses memory for new temporaries too). Where the two vCPUs are far apart (a cache
// line's round trip 320 ns instead of 55), a ResNet-20 training step on two threads ran at
// about the speed of one; two replicas exchange data only once per update (docs/performance.md).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_SRC_TRAIN_REPLICAS_H
#define KILN_RUNTIME_SRC_TRAIN_REPLICAS_H

#include "kiln/runtime.h"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln::train {

/// One thread per replica, started once, each limited to one OpenMP thread (a replica's loop
/// nests run on its own thread only: two replicas each splitting its nests over both cores
/// would have four threads spin-waiting on two cores). Start it after an artifact has loaded
/// the OpenMP library, which it configures.
class ReplicaThreads {
public:
  explicit ReplicaThreads(uint32_t count);
  ~ReplicaThreads();
  ReplicaThreads(const ReplicaThreads &) = delete;
  ReplicaThreads &operator=(const ReplicaThreads &) = delete;

  uint32_t size() const { return static_cast<uint32_t>(threads.size()); }

  /// Runs `work(replica)` on every replica's thread at once and waits for all of them.
  /// Returns the first failure in replica order (the others are freed), or NULL.
  kiln_status_t run(const std::function<kiln_status_t(uint32_t replica)> &work);

private:
  void serve(uint32_t replica);
  /// Ends and joins the threads.
  void stop();

  std::vector<std::thread> threads;
  std::mutex mutex;
  std::condition_variable started, finished;
  const std::function<kiln_status_t(uint32_t)> *current = nullptr;
  uint64_t generation = 0; // one per run()
  uint32_t running = 0;    // replicas still working on this generation
  std::vector<kiln_status_t> results;
  bool stopping = false;
};

/// The buffers the replicas combine after an update's micro-batches, each as its copies in
/// the replicas' sessions: gradients are summed (f32 only), f32 states (batch-norm running
/// statistics) averaged.
struct ReplicaReduction {
  struct Buffer {
    std::vector<float *> copies; // in replica order
    uint64_t elements = 0;
    bool average = false;
  };
  std::vector<Buffer> buffers;
};

/// The reduction over `sessions` (replicas of one artifact), or an error naming a gradient
/// buffer that is not f32.
kiln_status_t planReplicaReduction(const std::vector<kiln_session_t *> &sessions,
                                   ReplicaReduction &out);

/// Replica `replica`'s share of the reduction: its slice of every buffer (the r-th of N
/// equal parts), combined over the copies in replica order and stored into each, so that
/// the N replicas, each running this on its own thread, reduce everything once.
void reduceReplicaSlice(const ReplicaReduction &reduction, uint32_t replica);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_REPLICAS_H
