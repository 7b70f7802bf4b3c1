//===- session.cpp - buffers of one artifact and running its entries ------===//
#include "internal.h"

#include <cstdlib>
#include <cstring>
#include <vector>

struct kiln_session_s {
  kiln_artifact_t *artifact = nullptr;
  std::vector<void *> buffers; // indexed like the descriptor's buffer table
};

void kiln_session_release(kiln_session_t *session) {
  if (!session)
    return;
  for (void *buffer : session->buffers)
    std::free(buffer);
  kiln_artifact_release(session->artifact);
  delete session;
}

kiln_status_t kiln_session_create(kiln_artifact_t *artifact, kiln_session_t **out_session) {
  if (!artifact || !out_session)
    return kilnMakeStatus(KILN_STATUS_INVALID_ARGUMENT, "kiln_session_create: NULL argument");
  *out_session = nullptr;
  auto *session = new kiln_session_s;
  kiln_artifact_retain(artifact);
  session->artifact = artifact;
  const kiln_abi_descriptor_t *d = artifact->descriptor;
  session->buffers.assign(d->num_buffers, nullptr);
  for (uint32_t i = 0; i < d->num_buffers; ++i) {
    const kiln_abi_buffer_t &b = d->buffers[i];
    // 64-byte alignment suits AVX-512 loads; aligned_alloc wants a multiple of the alignment.
    size_t size = ((b.byte_size + 63) / 64) * 64;
    void *memory = std::aligned_alloc(64, size ? size : 64);
    if (!memory) {
      kiln_session_release(session);
      return kilnMakeStatus(KILN_STATUS_OUT_OF_MEMORY,
                            "cannot allocate " + std::to_string(b.byte_size) +
                                " bytes for buffer '" + b.name + "'");
    }
    if (b.initial_data)
      std::memcpy(memory, b.initial_data, b.byte_size);
    else
      std::memset(memory, 0, size ? size : 64);
    session->buffers[i] = memory;
  }
  *out_session = session;
  return nullptr;
}

kiln_artifact_t *kiln_session_artifact(kiln_session_t *session) { return session->artifact; }

void *kiln_session_buffer_data(kiln_session_t *session, uint32_t index) {
  return index < session->buffers.size() ? session->buffers[index] : nullptr;
}

kiln_status_t kiln_session_run(kiln_session_t *session, const char *entry_name) {
  if (!session || !entry_name)
    return kilnMakeStatus(KILN_STATUS_INVALID_ARGUMENT, "kiln_session_run: NULL argument");
  int64_t index = kiln_artifact_find_entry(session->artifact, entry_name);
  if (index < 0) {
    std::string known;
    for (uint32_t i = 0; i < kiln_artifact_entry_count(session->artifact); ++i)
      known += (i ? ", " : "") + std::string(kiln_artifact_entry_name(session->artifact, i));
    return kilnMakeStatus(KILN_STATUS_INVALID_ARGUMENT,
                          session->artifact->path + ": no entry point '" + entry_name +
                              "' (it has: " + known + ")");
  }
  session->artifact->descriptor->entries[index].fn(session->buffers.data());
  return nullptr;
}
