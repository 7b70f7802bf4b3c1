//===- internal.h - shared internals of the kiln runtime ------------------===//
#ifndef KILN_RUNTIME_SRC_INTERNAL_H
#define KILN_RUNTIME_SRC_INTERNAL_H

#include "kiln/runtime.h"

#include <atomic>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <utility>

struct kiln_artifact_s {
  std::atomic<int> references{1};
  void *library = nullptr; // dlopen handle
  const kiln_abi_descriptor_t *descriptor = nullptr;
  std::string path;
};

namespace kiln::runtime {

/// Builds a status; `code` must not be KILN_STATUS_OK. Never fails: out of memory, it returns a
/// static status saying so.
kiln_status_t makeStatus(kiln_status_code_t code, std::string message);

/// Runs `body` (returning kiln_status_t) and turns any C++ exception into a status, so none
/// crosses the C API. `function` names the API call in the message.
template <typename Body>
kiln_status_t guardApi(const char *function, Body &&body) noexcept {
  try {
    return std::forward<Body>(body)();
  } catch (const std::bad_alloc &) {
    return makeStatus(KILN_STATUS_OUT_OF_MEMORY, std::string(function) + ": out of memory");
  } catch (const std::exception &error) {
    return makeStatus(KILN_STATUS_INTERNAL, std::string(function) + ": " + error.what());
  } catch (...) {
    return makeStatus(KILN_STATUS_INTERNAL, std::string(function) + ": unknown exception");
  }
}

/// "[2, 3, 4]"
std::string shapeString(const int64_t *shape, uint32_t rank);

/// product(shape), or nullopt if a dimension is negative or the product overflows 64 bits.
std::optional<uint64_t> elementCount(const int64_t *shape, uint32_t rank);

/// Checks `descriptor` against abi.h; the message of a failure starts with `path`.
kiln_status_t validateDescriptor(const std::string &path,
                                 const kiln_abi_descriptor_t *descriptor);

/// `size` rounded up to a whole number of 64-byte lines, at least one; 0 if that overflows.
uint64_t alignedSize(uint64_t size);

/// 64-byte aligned memory of alignedSize(size) bytes, or null. Freed with std::free.
void *allocateAligned(uint64_t size);

} // namespace kiln::runtime

#define KILN_RETURN_IF_ERROR(expr)                                                          \
  do {                                                                                      \
    if (kiln_status_t kilnStatus_ = (expr))                                                 \
      return kilnStatus_;                                                                   \
  } while (0)

#endif // KILN_RUNTIME_SRC_INTERNAL_H
