//===- status.cpp - status objects of the kiln runtime --------------------===//
#include "internal.h"

#include <new>

struct kiln_status_s {
  kiln_status_code_t code;
  std::string message;
};

// Out of memory while reporting an error: a static status still says what happened.
static kiln_status_s outOfMemory{KILN_STATUS_OUT_OF_MEMORY, "out of memory"};

kiln_status_t kilnMakeStatus(kiln_status_code_t code, std::string message) {
  auto *status = new (std::nothrow) kiln_status_s{code, std::move(message)};
  return status ? status : &outOfMemory;
}

kiln_status_code_t kiln_status_code(kiln_status_t status) {
  return status ? status->code : KILN_STATUS_OK;
}

const char *kiln_status_message(kiln_status_t status) {
  return status ? status->message.c_str() : "OK";
}

void kiln_status_free(kiln_status_t status) {
  if (status != &outOfMemory)
    delete status;
}

std::string kilnShapeString(const int64_t *shape, uint32_t rank) {
  std::string text = "[";
  for (uint32_t i = 0; i < rank; ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}
