//===- status.cpp - status objects of the kiln runtime --------------------===//
#include "internal.h"

struct kiln_status_s {
  kiln_status_code_t code;
  std::string message;
};

// Out of memory while reporting an error: a static status still says what happened, and
// kiln_status_free knows not to delete it.
static kiln_status_s outOfMemoryStatus{KILN_STATUS_OUT_OF_MEMORY, "out of memory"};

kiln_status_t kiln::runtime::makeStatus(kiln_status_code_t code, std::string message) {
  try {
    return new kiln_status_s{code, std::move(message)};
  } catch (...) {
    return &outOfMemoryStatus;
  }
}

kiln_status_code_t kiln_status_code(kiln_status_t status) {
  return status ? status->code : KILN_STATUS_OK;
}

const char *kiln_status_message(kiln_status_t status) {
  return status ? status->message.c_str() : "OK";
}

const char *kiln_status_code_name(kiln_status_code_t code) {
  switch (code) {
  case KILN_STATUS_OK: return "OK";
  case KILN_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
  case KILN_STATUS_NOT_FOUND: return "NOT_FOUND";
  case KILN_STATUS_IO_ERROR: return "IO_ERROR";
  case KILN_STATUS_INVALID_ARTIFACT: return "INVALID_ARTIFACT";
  case KILN_STATUS_INCOMPATIBLE: return "INCOMPATIBLE";
  case KILN_STATUS_DATA_ERROR: return "DATA_ERROR";
  case KILN_STATUS_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
  case KILN_STATUS_INTERNAL: return "INTERNAL";
  }
  return "UNKNOWN";
}

void kiln_status_free(kiln_status_t status) {
  if (status != &outOfMemoryStatus)
    delete status;
}
