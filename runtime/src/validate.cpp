//===- validate.cpp - checking an artifact's descriptor against abi.h -----===//
//
// An artifact is only trusted after its descriptor has been checked: a malformed or foreign
// shared object must produce an error naming the file and the field, never a crash later in a
// session (a wrong byte_size would otherwise become a heap overflow in the first run).
//
//===----------------------------------------------------------------------===//
#include "internal.h"

#include <algorithm>
#include <set>

using namespace kiln::runtime;

namespace {

kiln_status_t invalid(const std::string &path, const std::string &what) {
  return makeStatus(KILN_STATUS_INVALID_ARTIFACT, path + ": " + what);
}

kiln_status_t validateBuffer(const std::string &path, uint32_t index, const kiln_abi_buffer_t &b,
                             std::set<std::string> &names) {
  if (!b.name)
    return invalid(path, "buffer #" + std::to_string(index) + " has no name");
  if (!*b.name)
    return invalid(path, "buffer #" + std::to_string(index) + " has an empty name");
  std::string label = "buffer '" + std::string(b.name) + "'";
  if (!names.insert(b.name).second)
    return invalid(path, "two buffers are named '" + std::string(b.name) + "'");
  if (b.role >= KILN_ROLE_COUNT_)
    return invalid(path, label + " has unknown role " + std::to_string(b.role));
  auto dtype = static_cast<kiln_abi_dtype_t>(b.dtype);
  size_t elementSize = kiln_dtype_size(dtype);
  if (!elementSize)
    return invalid(path, label + " has unknown dtype " + std::to_string(b.dtype));
  if (b.rank > KILN_ABI_MAX_RANK)
    return invalid(path, label + " has rank " + std::to_string(b.rank) +
                             ", more than the ABI's maximum " + std::to_string(KILN_ABI_MAX_RANK));
  if (b.rank && !b.shape)
    return invalid(path, label + " has rank " + std::to_string(b.rank) + " but no shape");
  std::string shape = shapeString(b.shape, b.rank);
  for (uint32_t r = 0; r < b.rank; ++r)
    if (b.shape[r] < 0)
      return invalid(path, label + " has a negative dimension in shape " + shape);
  std::optional<uint64_t> elements = elementCount(b.shape, b.rank);
  uint64_t expected = 0;
  if (!elements || __builtin_mul_overflow(*elements, elementSize, &expected))
    return invalid(path, label + " has shape " + shape + ", too large to address");
  if (b.byte_size != expected)
    return invalid(path, label + " declares " + std::to_string(b.byte_size) +
                             " bytes, but shape " + shape + " of " + kiln_dtype_name(dtype) +
                             " needs " + std::to_string(expected));
  // Entry points address a workspace as bytes; its content means nothing between calls.
  if (b.role == KILN_ROLE_WORKSPACE &&
      (b.dtype != KILN_DTYPE_U8 || b.rank != 1 || b.initial_data))
    return invalid(path, "workspace " + label + " must be uint8 of rank 1 without initial data");
  return nullptr;
}

kiln_status_t validateEntry(const std::string &path, uint32_t index, const kiln_abi_entry_t &e,
                            const kiln_abi_buffer_t *buffers, uint32_t numBuffers,
                            std::set<std::string> &names) {
  if (!e.name || !*e.name)
    return invalid(path, "entry point #" + std::to_string(index) + " has no name");
  std::string label = "entry point '" + std::string(e.name) + "'";
  if (!names.insert(e.name).second)
    return invalid(path, "two entry points are named '" + std::string(e.name) + "'");
  if (!e.fn)
    return invalid(path, label + " has no function");
  if (e.num_args && !e.arg_buffers)
    return invalid(path, label + " takes " + std::to_string(e.num_args) +
                             " buffers but has no argument list");
  uint64_t workspace = 0;
  for (uint32_t a = 0; a < e.num_args; ++a) {
    if (e.arg_buffers[a] >= numBuffers)
      return invalid(path, label + " argument #" + std::to_string(a) + " refers to buffer " +
                               std::to_string(e.arg_buffers[a]) + ", but there are only " +
                               std::to_string(numBuffers));
    const kiln_abi_buffer_t &b = buffers[e.arg_buffers[a]];
    if (b.role == KILN_ROLE_WORKSPACE)
      workspace = std::max(workspace, b.byte_size);
  }
  // The entry's code addresses its temporaries up to workspace_bytes into the workspace: a
  // smaller one would be overrun on the first call.
  if (e.workspace_bytes > workspace)
    return invalid(path, label + " places its temporaries in " +
                             std::to_string(e.workspace_bytes) +
                             " bytes of workspace, but its largest workspace argument has " +
                             std::to_string(workspace));
  return nullptr;
}

} // namespace

kiln_status_t kiln::runtime::validateDescriptor(const std::string &path,
                                                const kiln_abi_descriptor_t *d) {
  // Magic first: on a foreign descriptor no other field means anything.
  if (d->magic != KILN_ABI_MAGIC)
    return invalid(path, "not a kiln artifact (bad descriptor magic)");
  if (d->abi_version != KILN_ABI_VERSION)
    return makeStatus(KILN_STATUS_INCOMPATIBLE,
                      path + ": artifact ABI version " + std::to_string(d->abi_version) +
                          ", this runtime supports version " + std::to_string(KILN_ABI_VERSION) +
                          "; recompile it with a matching kilnc");
  if (d->num_buffers && !d->buffers)
    return invalid(path, "descriptor declares " + std::to_string(d->num_buffers) +
                             " buffers but has no buffer table");
  std::set<std::string> bufferNames;
  for (uint32_t i = 0; i < d->num_buffers; ++i)
    KILN_RETURN_IF_ERROR(validateBuffer(path, i, d->buffers[i], bufferNames));
  if (d->num_entries && !d->entries)
    return invalid(path, "descriptor declares " + std::to_string(d->num_entries) +
                             " entry points but has no entry table");
  std::set<std::string> entryNames;
  for (uint32_t i = 0; i < d->num_entries; ++i)
    KILN_RETURN_IF_ERROR(validateEntry(path, i, d->entries[i], d->buffers, d->num_buffers,
                                           entryNames));
  // Prepared buffers are computed by `prepare` before the entries that read them run.
  for (uint32_t i = 0; i < d->num_buffers; ++i)
    if (d->buffers[i].role == KILN_ROLE_PREPARED && !entryNames.count("prepare"))
      return invalid(path, "buffer '" + std::string(d->buffers[i].name) +
                               "' is prepared, but there is no 'prepare' entry to compute it");
  return nullptr;
}
