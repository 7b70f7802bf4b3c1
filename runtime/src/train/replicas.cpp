//===- replicas.cpp - copies of a training session on threads of their own -===//
#include "replicas.h"

#include "../internal.h"

#include <dlfcn.h>

using namespace kiln::runtime;

namespace {

/// Limits the OpenMP parallel regions that this thread starts to itself: a new thread's
/// regions would otherwise take OMP_NUM_THREADS threads, or one per CPU. Artifacts link
/// LLVM's libomp, which the runtime does not; an artifact without it has nothing to limit.
void limitOpenMpToThisThread() {
  for (const char *name : {"libomp.so.5", "libomp.so"}) {
    void *library = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
    if (!library)
      continue;
    if (auto setThreads = reinterpret_cast<void (*)(int)>(dlsym(library, "omp_set_num_threads")))
      setThreads(1);
    dlclose(library);
    return;
  }
}

} // namespace

namespace kiln::train {

ReplicaThreads::ReplicaThreads(uint32_t count) : results(count, nullptr) {
  try {
    for (uint32_t replica = 0; replica < count; ++replica)
      threads.emplace_back([this, replica] { serve(replica); });
  } catch (...) {
    stop(); // a thread that failed to start: join those that did before the error leaves
    throw;
  }
}

ReplicaThreads::~ReplicaThreads() { stop(); }

void ReplicaThreads::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  started.notify_all();
  for (std::thread &thread : threads)
    thread.join();
  threads.clear();
}

void ReplicaThreads::serve(uint32_t replica) {
  limitOpenMpToThisThread();
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex);
  while (true) {
    started.wait(lock, [&] { return stopping || generation != seen; });
    if (stopping)
      return;
    seen = generation;
    const std::function<kiln_status_t(uint32_t)> &work = *current;
    lock.unlock();
    kiln_status_t status = work(replica);
    lock.lock();
    results[replica] = status;
    if (--running == 0)
      finished.notify_one();
  }
}

kiln_status_t ReplicaThreads::run(const std::function<kiln_status_t(uint32_t)> &work) {
  std::unique_lock<std::mutex> lock(mutex);
  current = &work;
  running = size();
  ++generation;
  started.notify_all();
  finished.wait(lock, [&] { return running == 0; });
  kiln_status_t first = nullptr;
  for (kiln_status_t &status : results) {
    if (!first)
      first = status;
    else
      kiln_status_free(status);
    status = nullptr;
  }
  return first;
}

kiln_status_t planReplicaReduction(const std::vector<kiln_session_t *> &sessions,
                                   ReplicaReduction &out) {
  out = ReplicaReduction();
  kiln_artifact_t *artifact = kiln_session_artifact(sessions.front());
  for (uint32_t index = 0; index < kiln_artifact_buffer_count(artifact); ++index) {
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, index);
    bool f32 = info.dtype == KILN_DTYPE_F32;
    if (info.role == KILN_ROLE_GRADIENT && !f32)
      return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                        std::string("--replicas: gradient buffer '") + info.name +
                            "' is not f32; replicas sum f32 gradients only");
    // Other states (counters) change the same way in every replica.
    if (info.role != KILN_ROLE_GRADIENT && !(info.role == KILN_ROLE_STATE && f32))
      continue;
    ReplicaReduction::Buffer buffer;
    for (kiln_session_t *session : sessions)
      buffer.copies.push_back(static_cast<float *>(kiln_session_buffer_data(session, index)));
    buffer.elements = info.byte_size / sizeof(float);
    buffer.average = info.role == KILN_ROLE_STATE;
    out.buffers.push_back(std::move(buffer));
  }
  return nullptr;
}

void reduceReplicaSlice(const ReplicaReduction &reduction, uint32_t replica) {
  for (const ReplicaReduction::Buffer &buffer : reduction.buffers) {
    uint64_t replicas = buffer.copies.size();
    uint64_t begin = buffer.elements * replica / replicas;
    uint64_t end = buffer.elements * (replica + 1) / replicas;
    float scale = buffer.average ? 1.0f / static_cast<float>(replicas) : 1.0f;
    for (uint64_t i = begin; i < end; ++i) {
      float sum = 0;
      for (float *copy : buffer.copies)
        sum += copy[i];
      sum *= scale;
      for (float *copy : buffer.copies)
        copy[i] = sum;
    }
  }
}

} // namespace kiln::train
