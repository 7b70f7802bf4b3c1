//===- internal.h - shared internals of the kiln runtime ------------------===//
#ifndef KILN_RUNTIME_SRC_INTERNAL_H
#define KILN_RUNTIME_SRC_INTERNAL_H

#include "kiln/runtime.h"

#include <atomic>
#include <string>

/// Builds a status; `code` must not be KILN_STATUS_OK.
kiln_status_t kilnMakeStatus(kiln_status_code_t code, std::string message);

#define KILN_RETURN_IF_ERROR(expr)                                                          \
  do {                                                                                      \
    kiln_status_t kilnStatus_ = (expr);                                                     \
    if (kilnStatus_)                                                                        \
      return kilnStatus_;                                                                   \
  } while (0)

struct kiln_artifact_s {
  std::atomic<int> references{1};
  void *library = nullptr; // dlopen handle
  const kiln_abi_descriptor_t *descriptor = nullptr;
  std::string path;
};

/// "[2, 3, 4]"
std::string kilnShapeString(const int64_t *shape, uint32_t rank);

#endif // KILN_RUNTIME_SRC_INTERNAL_H
