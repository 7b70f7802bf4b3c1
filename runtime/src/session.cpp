//===- session.cpp - the buffers of one artifact and running its entries --===//
//
// A session owns one pointer table, indexed like the descriptor's buffer table, and the
// memory behind it. Entry points receive the whole table and pick the buffers they take.
//
//===----------------------------------------------------------------------===//
#include "internal.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

using namespace kiln::runtime;

struct kiln_session_s {
  kiln_artifact_t *artifact = nullptr;
  std::vector<void *> buffers; // indexed like the descriptor's buffer table
  // Whether the prepared buffers reflect the parameters and state (abi.h: `prepare`).
  bool prepared = false;
};

namespace {

bool isParameterOrState(const kiln_abi_buffer_t &buffer) {
  return buffer.role == KILN_ROLE_PARAMETER || buffer.role == KILN_ROLE_STATE;
}

/// Whether entry `e` takes a buffer for which `predicate` holds.
template <typename Predicate>
bool takesBuffer(const kiln_abi_descriptor_t *d, const kiln_abi_entry_t &e,
                 Predicate predicate) {
  for (uint32_t a = 0; a < e.num_args; ++a)
    if (predicate(d->buffers[e.arg_buffers[a]]))
      return true;
  return false;
}

bool isPrepared(const kiln_abi_buffer_t &buffer) { return buffer.role == KILN_ROLE_PREPARED; }

} // namespace

uint64_t kiln::runtime::alignedSize(uint64_t size) {
  // A cache line, and what AVX-512 loads want; an empty buffer still gets one line, so it has
  // a valid pointer distinct from every other buffer's.
  constexpr uint64_t alignment = 64;
  if (size > UINT64_MAX - alignment)
    return 0;
  return size ? (size + alignment - 1) / alignment * alignment : alignment;
}

void *kiln::runtime::allocateAligned(uint64_t size) {
  // aligned_alloc wants a size that is a multiple of the alignment.
  uint64_t rounded = alignedSize(size);
  if (!rounded || rounded > SIZE_MAX)
    return nullptr;
  return std::aligned_alloc(64, static_cast<size_t>(rounded));
}

void kiln_session_release(kiln_session_t *session) {
  if (!session)
    return;
  for (void *buffer : session->buffers)
    std::free(buffer);
  kiln_artifact_release(session->artifact);
  delete session;
}

kiln_status_t kiln_session_create(kiln_artifact_t *artifact, kiln_session_t **out_session) {
  if (!out_session)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT, "kiln_session_create: out_session is NULL");
  *out_session = nullptr;
  if (!artifact)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT, "kiln_session_create: artifact is NULL");
  return guardApi("kiln_session_create", [&]() -> kiln_status_t {
    // Owned by `session` until handed out, so every early return frees what was allocated.
    std::unique_ptr<kiln_session_s, void (*)(kiln_session_t *)> session(new kiln_session_s,
                                                                        kiln_session_release);
    kiln_artifact_retain(artifact);
    session->artifact = artifact;
    const kiln_abi_descriptor_t *d = artifact->descriptor;
    session->buffers.assign(d->num_buffers, nullptr);
    for (uint32_t i = 0; i < d->num_buffers; ++i) {
      const kiln_abi_buffer_t &b = d->buffers[i];
      void *memory = allocateAligned(b.byte_size);
      if (!memory)
        return makeStatus(KILN_STATUS_OUT_OF_MEMORY,
                          artifact->path + ": cannot allocate " + std::to_string(b.byte_size) +
                              " bytes for buffer '" + b.name + "'");
      session->buffers[i] = memory;
      // Zero the whole allocation: the padding past byte_size is then never uninitialised
      // memory if a vectorised kernel reads a full last vector.
      std::memset(memory, 0, alignedSize(b.byte_size));
      if (b.initial_data && b.byte_size)
        std::memcpy(memory, b.initial_data, b.byte_size);
    }
    *out_session = session.release();
    return nullptr;
  });
}

kiln_artifact_t *kiln_session_artifact(kiln_session_t *session) {
  return session ? session->artifact : nullptr;
}

void *kiln_session_buffer_data(kiln_session_t *session, uint32_t index) {
  if (!session || index >= session->buffers.size())
    return nullptr;
  // The caller may write through the pointer: parameters may change.
  if (isParameterOrState(session->artifact->descriptor->buffers[index]))
    session->prepared = false;
  return session->buffers[index];
}

kiln_status_t kiln_session_run(kiln_session_t *session, const char *entry_name) {
  if (!session || !entry_name)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "kiln_session_run: session or entry name is NULL");
  return guardApi("kiln_session_run", [&]() -> kiln_status_t {
    const kiln_artifact_t *artifact = session->artifact;
    int64_t index = kiln_artifact_find_entry(artifact, entry_name);
    if (index < 0) {
      std::string known;
      for (uint32_t i = 0; i < kiln_artifact_entry_count(artifact); ++i)
        known += (i ? ", " : "") + std::string(kiln_artifact_entry_name(artifact, i));
      return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                        artifact->path + ": no entry point '" + entry_name +
                            "' (it has: " + (known.empty() ? "none" : known) + ")");
    }
    const kiln_abi_descriptor_t *d = artifact->descriptor;
    const kiln_abi_entry_t &entry = d->entries[index];
    bool isPrepare = std::strcmp(entry_name, "prepare") == 0;
    if (!isPrepare && takesBuffer(d, entry, isPrepared)) {
      // validateDescriptor refused prepared buffers without a `prepare` entry to compute them.
      if (!session->prepared)
        KILN_RETURN_IF_ERROR(kiln_session_run(session, "prepare"));
    } else if (!isPrepare && takesBuffer(d, entry, isParameterOrState)) {
      // A training step or an update may have written parameters or state.
      session->prepared = false;
    }
    entry.fn(session->buffers.data());
    if (isPrepare)
      session->prepared = true;
    return nullptr;
  });
}
