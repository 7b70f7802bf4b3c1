/* kiln/runtime.h - the C API of the kiln runtime.
 *
 * Loads a compiled artifact (.kx), allocates the buffers its descriptor declares, runs its entry
 * points and moves tensors between buffers and ONNX TensorProto files. The runtime never links
 * MLIR or LLVM; the contract with the compiler is kiln/abi.h (docs/artifact-abi.md).
 *
 * Errors: every function that can fail returns a kiln_status_t. NULL means success; otherwise
 * the status carries a code and a message naming the file, buffer or entry involved, and the
 * caller owns it and frees it with kiln_status_free(). No C++ exception crosses this API.
 *
 * Ownership: objects returned through out_ parameters belong to the caller, who releases them
 * with the matching *_release function. Releasing NULL is a no-op. A session holds a reference
 * to its artifact, so the artifact may be released while sessions on it live on. Strings and
 * arrays returned by accessors stay valid as long as the object they came from.
 *
 * Thread safety: a loaded artifact is immutable; any thread may query it or create sessions on
 * it, and retain/release are atomic. A session is used by one thread at a time; sessions of one
 * artifact may run concurrently (artifacts keep no global mutable state, see abi.h). Tensors
 * read from files are immutable. A status belongs to one thread until it is freed.
 *
 * Data is little-endian and row-major, as in ONNX's raw_data; the runtime supports
 * little-endian hosts only.
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

/// What kind of failure a status reports.
typedef enum kiln_status_code_e {
  KILN_STATUS_OK = 0,
  KILN_STATUS_INVALID_ARGUMENT = 1, /* bad call: NULL pointer, unknown buffer or entry */
  KILN_STATUS_NOT_FOUND = 2,        /* a file does not exist or cannot be opened */
  KILN_STATUS_IO_ERROR = 3,         /* reading or writing a file failed */
  KILN_STATUS_INVALID_ARTIFACT = 4, /* not a kiln artifact, or its metadata is inconsistent */
  KILN_STATUS_INCOMPATIBLE = 5,     /* the artifact was built for another ABI version */
  KILN_STATUS_DATA_ERROR = 6,       /* a tensor file is corrupt or does not fit its buffer */
  KILN_STATUS_OUT_OF_MEMORY = 7,
  KILN_STATUS_INTERNAL = 8          /* a bug in the runtime */
} kiln_status_code_t;

/// A failure: NULL means OK. Owned by the caller once returned.
typedef struct kiln_status_s *kiln_status_t;

/// The code of `status`; KILN_STATUS_OK for NULL.
kiln_status_code_t kiln_status_code(kiln_status_t status);
/// The message of `status` ("OK" for NULL); valid until the status is freed.
const char *kiln_status_message(kiln_status_t status);
/// A constant name for `code`, such as "INVALID_ARTIFACT".
const char *kiln_status_code_name(kiln_status_code_t code);
/// Frees `status`; NULL is a no-op.
void kiln_status_free(kiln_status_t status);

/*===------------------------------------------------------------------===*
 * Roles, dtypes and elements
 *===------------------------------------------------------------------===*/

/// "input", "parameter", ...; "unknown" for a value outside kiln_abi_role_t.
const char *kiln_role_name(kiln_abi_role_t role);
/// "float32", "bfloat16", ...; "unknown" for a value outside kiln_abi_dtype_t.
const char *kiln_dtype_name(kiln_abi_dtype_t dtype);
/// Bytes per element (bool is one byte); 0 for an unknown dtype.
size_t kiln_dtype_size(kiln_abi_dtype_t dtype);

/// Element `index` of the array `data` of `dtype`, converted to double (float16 and bfloat16
/// decoded, bool as 0/1; 64-bit integers beyond 2^53 lose precision). 0 for an unknown dtype.
/// For tools that print, compare or fill tensors of any dtype.
double kiln_element_load(kiln_abi_dtype_t dtype, const void *data, uint64_t index);
/// Stores `value` as element `index` of `data`: floats round to nearest even, integers
/// truncate toward zero and saturate (NaN gives 0), bool is value != 0.
void kiln_element_store(kiln_abi_dtype_t dtype, void *data, uint64_t index, double value);

/*===------------------------------------------------------------------===*
 * Artifacts
 *===------------------------------------------------------------------===*/

/// A loaded, validated artifact: the shared object and its descriptor. Reference counted.
typedef struct kiln_artifact_s kiln_artifact_t;

/// Describes buffer `index` of an artifact; the pointers live as long as the artifact.
typedef struct kiln_buffer_info_s {
  const char *name;
  kiln_abi_role_t role;
  kiln_abi_dtype_t dtype;
  uint32_t rank;
  const int64_t *shape; /* rank entries */
  uint64_t byte_size;   /* product(shape) * kiln_dtype_size(dtype) */
} kiln_buffer_info_t;

/// Loads the artifact at `path` (dlopen with RTLD_NOW | RTLD_LOCAL, which runs the shared
/// object's initialisers: load only artifacts you trust) and validates its descriptor against
/// this runtime's ABI: magic, version, and the consistency of every buffer and entry point
/// (docs/artifact-abi.md lists the checks). On failure the message names `path` and what is
/// wrong, and *out_artifact is NULL. The caller releases the artifact.
kiln_status_t kiln_artifact_load(const char *path, kiln_artifact_t **out_artifact);
/// Adds a reference.
void kiln_artifact_retain(kiln_artifact_t *artifact);
/// Drops a reference; the last one unloads the shared object.
void kiln_artifact_release(kiln_artifact_t *artifact);

/// The path the artifact was loaded from.
const char *kiln_artifact_path(const kiln_artifact_t *artifact);

/// Number of buffers in the descriptor's buffer table.
uint32_t kiln_artifact_buffer_count(const kiln_artifact_t *artifact);
/// Buffer `index` (< kiln_artifact_buffer_count()); a zeroed struct (name NULL) if out of range.
kiln_buffer_info_t kiln_artifact_buffer_info(const kiln_artifact_t *artifact, uint32_t index);
/// Index of the buffer called `name`, or -1.
int64_t kiln_artifact_find_buffer(const kiln_artifact_t *artifact, const char *name);

/// Number of entry points.
uint32_t kiln_artifact_entry_count(const kiln_artifact_t *artifact);
/// Name of entry point `index`, or NULL if out of range.
const char *kiln_artifact_entry_name(const kiln_artifact_t *artifact, uint32_t index);
/// Number of buffers entry point `index` takes (0 if out of range).
uint32_t kiln_artifact_entry_arg_count(const kiln_artifact_t *artifact, uint32_t index);
/// Buffer index of argument `arg` of entry point `index`, in call order (UINT32_MAX if out of
/// range).
uint32_t kiln_artifact_entry_arg(const kiln_artifact_t *artifact, uint32_t index, uint32_t arg);
/// Index of the entry point called `name`, or -1.
int64_t kiln_artifact_find_entry(const kiln_artifact_t *artifact, const char *name);

/// The static memory plan of an entry point (abi.h): the workspace bytes its temporaries take,
/// how many temporaries it placed there, their sizes summed (what they would take without
/// reuse), and how many it leaves to malloc/free inside the call.
typedef struct kiln_entry_memory_plan_s {
  uint64_t workspace_bytes;
  uint32_t planned_buffers;
  uint32_t heap_buffers;
  uint64_t planned_bytes;
} kiln_entry_memory_plan_t;

/// The memory plan of entry point `index`; zeroed if out of range.
kiln_entry_memory_plan_t kiln_artifact_entry_memory_plan(const kiln_artifact_t *artifact,
                                                         uint32_t index);

/// The batch the artifact was compiled for, 0 if none was pinned.
int64_t kiln_artifact_batch(const kiln_artifact_t *artifact);
/// "kiln <version>"; "" if the descriptor has none.
const char *kiln_artifact_producer(const kiln_artifact_t *artifact);
/// The model file it was compiled from; "" if unknown.
const char *kiln_artifact_source(const kiln_artifact_t *artifact);
/// The compile options, "key=value;..."; "" if none.
const char *kiln_artifact_options(const kiln_artifact_t *artifact);

/*===------------------------------------------------------------------===*
 * Sessions: one set of buffers for one artifact
 *===------------------------------------------------------------------===*/

/// The buffers of one artifact, ready to run its entry points.
typedef struct kiln_session_s kiln_session_t;

/// Allocates every buffer of `artifact`, 64-byte aligned (an empty buffer still gets valid
/// memory), filled with its initial data or with zeros. The session retains the artifact.
kiln_status_t kiln_session_create(kiln_artifact_t *artifact, kiln_session_t **out_session);
/// Frees the buffers and drops the session's reference to its artifact.
void kiln_session_release(kiln_session_t *session);

/// The artifact of `session` (not retained for the caller).
kiln_artifact_t *kiln_session_artifact(kiln_session_t *session);
/// The memory of buffer `index` (byte_size bytes, 64-byte aligned), or NULL if out of range.
/// Valid until the session is released. Handing out a parameter or state buffer makes the
/// session prepare again before the next entry that reads prepared buffers (abi.h).
void *kiln_session_buffer_data(kiln_session_t *session, uint32_t index);

/// Runs the entry point called `entry_name`: calls it with the session's pointer table, indexed
/// like the descriptor's buffer table. Fails, naming the entry and listing the artifact's
/// entries, if there is none of that name. Runs the artifact's `prepare` entry first when the
/// entry reads prepared buffers and parameters or state may have changed since (abi.h).
kiln_status_t kiln_session_run(kiln_session_t *session, const char *entry_name);

/*===------------------------------------------------------------------===*
 * ONNX TensorProto files (input_0.pb, output_0.pb, ...)
 *===------------------------------------------------------------------===*/

/// Reads the TensorProto file at `path` into buffer `index`. The file's dtype and shape must
/// equal the buffer's (the message names the file, the buffer and both shapes or dtypes).
/// Data may be in raw_data (little-endian) or in the typed field ONNX assigns to the dtype:
/// float_data, int32_data (also int8/uint8/int16/uint16/bool/float16/bfloat16), int64_data,
/// double_data, uint64_data (uint32/uint64). External data and segments are refused. On
/// failure the buffer may have been partly written.
kiln_status_t kiln_session_read_tensor_file(kiln_session_t *session, uint32_t index,
                                            const char *path);
/// Writes buffer `index` to `path` as a TensorProto named like the buffer, with dims,
/// data_type and raw_data. The file is replaced whole or not at all (temporary file + rename).
kiln_status_t kiln_session_write_tensor_file(kiln_session_t *session, uint32_t index,
                                             const char *path);

/// A tensor read from a file, independent of any artifact: dtype, shape and bytes.
typedef struct kiln_tensor_s kiln_tensor_t;

/// Reads the TensorProto file at `path` (same encodings as kiln_session_read_tensor_file, any
/// rank). The caller releases the tensor.
kiln_status_t kiln_tensor_file_read(const char *path, kiln_tensor_t **out_tensor);
/// Writes `data` (product(shape) elements of `dtype`) to `path` as a TensorProto with raw_data,
/// replacing the file whole or not at all. `name` may be NULL.
kiln_status_t kiln_tensor_file_write(const char *path, const char *name, kiln_abi_dtype_t dtype,
                                     uint32_t rank, const int64_t *shape, const void *data);
/// Frees `tensor`.
void kiln_tensor_release(kiln_tensor_t *tensor);

/// The TensorProto's name ("" if it had none).
const char *kiln_tensor_name(const kiln_tensor_t *tensor);
kiln_abi_dtype_t kiln_tensor_dtype(const kiln_tensor_t *tensor);
uint32_t kiln_tensor_rank(const kiln_tensor_t *tensor);
/// rank entries.
const int64_t *kiln_tensor_shape(const kiln_tensor_t *tensor);
uint64_t kiln_tensor_element_count(const kiln_tensor_t *tensor);
uint64_t kiln_tensor_byte_size(const kiln_tensor_t *tensor);
/// byte_size bytes, 64-byte aligned, little-endian, row-major.
const void *kiln_tensor_data(const kiln_tensor_t *tensor);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_H */
