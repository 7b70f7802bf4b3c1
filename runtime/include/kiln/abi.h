/* kiln/abi.h - the contract between a compiled artifact (.kx) and the runtime.
 *
 * A .kx file is a shared object that exports one symbol, kiln_artifact_descriptor(),
 * returning a pointer to a static, immutable descriptor. The descriptor names every buffer the
 * artifact's entry points touch (role, dtype, shape, byte size, optional initial contents) and
 * every entry point with the buffers it takes, in call order. An entry point receives one table
 * of pointers, indexed like the descriptor's buffer table, and reads or writes only the buffers
 * its argument list names.
 *
 * The compiler (compiler/Target) emits these structures as LLVM globals; the runtime reads them.
 * Any change to a struct below bumps KILN_ABI_VERSION. Documented in docs/artifact-abi.md.
 */
#ifndef KILN_ABI_H
#define KILN_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_ABI_VERSION 4u
/* "KILNKX01" read as a little-endian 64-bit integer: guards against a random shared object. */
#define KILN_ABI_MAGIC 0x3130584B4E4C494Bull
#define KILN_ABI_DESCRIPTOR_SYMBOL "kiln_artifact_descriptor"
#define KILN_ABI_MAX_RANK 8u

/* What a buffer is for. The runtime allocates every buffer; roles tell it which ones the user
 * feeds (inputs, labels), which ones persist across steps (parameters, optimizer state) and which
 * ones it hands back (outputs). */
typedef enum kiln_abi_role_e {
  KILN_ROLE_INPUT = 0,
  KILN_ROLE_LABEL = 1,
  KILN_ROLE_PARAMETER = 2,
  KILN_ROLE_GRADIENT = 3,
  KILN_ROLE_OPTIMIZER_STATE = 4,
  KILN_ROLE_ACTIVATION = 5, /* crosses a pipeline-stage boundary */
  KILN_ROLE_OUTPUT = 6,
  KILN_ROLE_SCALAR_INPUT = 7, /* runtime-provided scalars: learning rate, step */
  KILN_ROLE_STATE = 8,        /* persistent but not trained: batch-norm running statistics */
  KILN_ROLE_WORKSPACE = 9,    /* uint8 scratch memory for an entry's temporaries (below) */
  KILN_ROLE_PREPARED = 10,    /* computed from parameters by the `prepare` entry (below) */
  KILN_ROLE_COUNT_ = 11
} kiln_abi_role_t;

/* Element types, numbered as ONNX's TensorProto.DataType so that files map one to one. */
typedef enum kiln_abi_dtype_e {
  KILN_DTYPE_F32 = 1,
  KILN_DTYPE_U8 = 2,
  KILN_DTYPE_I8 = 3,
  KILN_DTYPE_U16 = 4,
  KILN_DTYPE_I16 = 5,
  KILN_DTYPE_I32 = 6,
  KILN_DTYPE_I64 = 7,
  KILN_DTYPE_BOOL = 9,
  KILN_DTYPE_F16 = 10,
  KILN_DTYPE_F64 = 11,
  KILN_DTYPE_U32 = 12,
  KILN_DTYPE_U64 = 13,
  KILN_DTYPE_BF16 = 16
} kiln_abi_dtype_t;

typedef struct kiln_abi_buffer_s {
  const char *name;         /* unique; parameters use their model names ("conv1.weight") */
  uint32_t role;            /* kiln_abi_role_t */
  uint32_t dtype;           /* kiln_abi_dtype_t */
  uint32_t rank;            /* <= KILN_ABI_MAX_RANK; 0 for a scalar */
  const int64_t *shape;     /* rank entries, each >= 0 */
  uint64_t byte_size;       /* product(shape) * element size */
  const void *initial_data; /* byte_size bytes, or NULL (zero-initialised) */
} kiln_abi_buffer_t;

/* The `prepare` entry, when an artifact has one, computes the `prepared` buffers (laid-out,
 * packed and batch-norm-folded weights) from parameter and state buffers; `forward` reads
 * them. The runtime runs it before an entry that takes prepared buffers whenever parameters
 * or state may have changed since: at first, after the user asked for a pointer to such a
 * buffer, and after any other entry that takes them (a training step writes them). */

/* An entry point: buffers[i] is the pointer for descriptor buffer i. Buffers are at least
 * 64-byte aligned. Entry points are not reentrant on the same buffer table. */
typedef void (*kiln_abi_entry_fn_t)(void *const *buffers);

/* An entry point. Its temporaries live at offsets the compiler planned (the static memory
 * plan) in a buffer of role KILN_ROLE_WORKSPACE among its arguments, so a call allocates nothing
 * for them; what the plan could not place (dynamic shapes, buffers inside loops) is malloc'ed
 * and freed inside the call. The plan's figures are informative, except workspace_bytes: the
 * entry's workspace argument must hold at least that many bytes. */
typedef struct kiln_abi_entry_s {
  const char *name;            /* "forward", "fwd_bwd", "apply_update", ... */
  kiln_abi_entry_fn_t fn;
  uint32_t num_args;
  const uint32_t *arg_buffers; /* indices into the buffer table, in call order */
  uint64_t workspace_bytes;    /* the plan's peak; 0 if the entry takes no workspace */
  uint32_t planned_buffers;    /* temporaries placed in the workspace */
  uint32_t heap_buffers;       /* temporaries left to malloc/free inside the call */
  uint64_t planned_bytes;      /* the planned temporaries' sizes summed (without reuse) */
} kiln_abi_entry_t;

typedef struct kiln_abi_descriptor_s {
  uint64_t magic;          /* KILN_ABI_MAGIC */
  uint32_t abi_version;    /* KILN_ABI_VERSION */
  uint32_t num_buffers;
  const kiln_abi_buffer_t *buffers;
  uint32_t num_entries;
  const kiln_abi_entry_t *entries;
  int64_t batch;           /* the batch the artifact was compiled for, 0 if none was pinned */
  const char *producer;    /* "kiln <version>" */
  const char *source;      /* the model file it was compiled from */
  const char *options;     /* the compile options, "key=value;..." */
} kiln_abi_descriptor_t;

typedef const kiln_abi_descriptor_t *(*kiln_abi_descriptor_fn_t)(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_ABI_H */
