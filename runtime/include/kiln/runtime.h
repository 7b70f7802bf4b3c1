/* kiln/runtime.h - the C API of the kiln runtime.
 *
 * Loads a compiled artifact (.kx), allocates the buffers its descriptor declares, runs entry
 * points and moves tensors between buffers and ONNX TensorProto files. The runtime never
 * links MLIR or LLVM.
 *
 * Errors: every function that can fail returns a kiln_status_t. NULL means success; otherwise
 * the caller owns the status and frees it with kiln_status_free(). Messages name the file,
 * buffer or entry involved.
 *
 * Ownership: objects returned through out_ parameters belong to the caller and are released
 * with the matching *_release function. A session keeps its artifact alive.
 *
 * Thread safety: artifacts are immutable and may be shared between threads. A session is not
 * thread-safe: use one session per thread (each has its own buffers).
 */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/*===------------------------------------------------------------------===*
 * Status
 *===------------------------------------------------------------------===*/

typedef enum kiln_status_code_e {
  KILN_STATUS_OK = 0,
  KILN_STATUS_INVALID_ARGUMENT = 1, /* bad call: unknown buffer or entry, NULL pointer */
  KILN_STATUS_NOT_FOUND = 2,        /* a file does not exist */
  KILN_STATUS_IO_ERROR = 3,         /* reading or writing a file failed */
  KILN_STATUS_INVALID_ARTIFACT = 4, /* not a kiln artifact, or its metadata is inconsistent */
  KILN_STATUS_INCOMPATIBLE = 5,     /* ABI version mismatch */
  KILN_STATUS_DATA_ERROR = 6,       /* a tensor file is corrupt or does not fit its buffer */
  KILN_STATUS_OUT_OF_MEMORY = 7
} kiln_status_code_t;

typedef struct kiln_status_s *kiln_status_t;

kiln_status_code_t kiln_status_code(kiln_status_t status);
/* The message; valid until the status is freed. "OK" for NULL. */
const char *kiln_status_message(kiln_status_t status);
void kiln_status_free(kiln_status_t status);

/*===------------------------------------------------------------------===*
 * Artifacts
 *===------------------------------------------------------------------===*/

typedef struct kiln_artifact_s kiln_artifact_t;

/* Describes one buffer of an artifact. Pointers stay valid while the artifact lives. */
typedef struct kiln_buffer_info_s {
  const char *name;
  kiln_abi_role_t role;
  kiln_abi_dtype_t dtype;
  uint32_t rank;
  const int64_t *shape;
  uint64_t byte_size;
} kiln_buffer_info_t;

/* Loads and validates the artifact at `path`: it must be a shared object exporting the kiln
 * descriptor with this runtime's ABI version and consistent metadata. */
kiln_status_t kiln_artifact_load(const char *path, kiln_artifact_t **out_artifact);
void kiln_artifact_retain(kiln_artifact_t *artifact);
void kiln_artifact_release(kiln_artifact_t *artifact);

uint32_t kiln_artifact_buffer_count(const kiln_artifact_t *artifact);
/* index < kiln_artifact_buffer_count(). */
kiln_buffer_info_t kiln_artifact_buffer_info(const kiln_artifact_t *artifact, uint32_t index);
/* Index of the buffer called `name`, or -1. */
int64_t kiln_artifact_find_buffer(const kiln_artifact_t *artifact, const char *name);

uint32_t kiln_artifact_entry_count(const kiln_artifact_t *artifact);
const char *kiln_artifact_entry_name(const kiln_artifact_t *artifact, uint32_t index);
/* The buffers entry `index` takes, in call order. */
uint32_t kiln_artifact_entry_arg_count(const kiln_artifact_t *artifact, uint32_t index);
uint32_t kiln_artifact_entry_arg(const kiln_artifact_t *artifact, uint32_t index,
                                 uint32_t arg);
/* Index of the entry called `name`, or -1. */
int64_t kiln_artifact_find_entry(const kiln_artifact_t *artifact, const char *name);

int64_t kiln_artifact_batch(const kiln_artifact_t *artifact);
const char *kiln_artifact_producer(const kiln_artifact_t *artifact);
const char *kiln_artifact_source(const kiln_artifact_t *artifact);
const char *kiln_artifact_options(const kiln_artifact_t *artifact);
const char *kiln_artifact_path(const kiln_artifact_t *artifact);

/* Names for printing. */
const char *kiln_role_name(kiln_abi_role_t role);
const char *kiln_dtype_name(kiln_abi_dtype_t dtype);
/* Bytes per element, 0 for an unknown dtype. */
size_t kiln_dtype_size(kiln_abi_dtype_t dtype);

/*===------------------------------------------------------------------===*
 * Sessions: one set of buffers for one artifact
 *===------------------------------------------------------------------===*/

typedef struct kiln_session_s kiln_session_t;

/* Allocates every buffer (64-byte aligned), filled with its initial data or zeros. */
kiln_status_t kiln_session_create(kiln_artifact_t *artifact, kiln_session_t **out_session);
void kiln_session_release(kiln_session_t *session);

kiln_artifact_t *kiln_session_artifact(kiln_session_t *session);
/* The memory of buffer `index` (byte_size bytes), or NULL if index is out of range. */
void *kiln_session_buffer_data(kiln_session_t *session, uint32_t index);

/* Runs the entry point called `entry_name` on the session's buffers. */
kiln_status_t kiln_session_run(kiln_session_t *session, const char *entry_name);

/*===------------------------------------------------------------------===*
 * ONNX TensorProto files
 *===------------------------------------------------------------------===*/

/* Reads the TensorProto file at `path` into buffer `index`; its dtype and shape must match the
 * buffer's exactly. */
kiln_status_t kiln_session_read_tensor_file(kiln_session_t *session, uint32_t index,
                                            const char *path);
/* Writes buffer `index` to `path` as a TensorProto named like the buffer. */
kiln_status_t kiln_session_write_tensor_file(kiln_session_t *session, uint32_t index,
                                             const char *path);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_H */
