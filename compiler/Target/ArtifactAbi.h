//===- ArtifactAbi.h - what an artifact's descriptor will say -------------===//
//
// The buffer table and entry points of an artifact, collected from a kiln-level module
// before lowering erases the names: entry functions carry `kiln.buffer` / `kiln.role` on
// their arguments and results, and `kiln.parameter` ops carry initial values. The emitter
// turns this into the kiln_abi_descriptor_t of runtime/include/kiln/abi.h.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_TARGET_ARTIFACTABI_H
#define KILN_COMPILER_TARGET_ARTIFACTABI_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"

#include <string>
#include <vector>

namespace kiln {

struct AbiBuffer {
  std::string name;
  uint32_t role = 0;  // kiln_abi_role_t
  uint32_t dtype = 0; // kiln_abi_dtype_t
  llvm::SmallVector<int64_t> shape;
  uint64_t byteSize = 0;
  mlir::ElementsAttr initialValue; // null: zero-initialised
};

struct AbiEntry {
  std::string name;                  // the function's symbol, also the entry's name
  llvm::SmallVector<uint32_t> args;  // buffer indices: arguments, then results (then workspace)
  uint32_t numArguments = 0;         // how many of `args` are the function's arguments
  // The static memory plan (kiln-plan-memory): the arena the lowered function takes as its
  // last argument, when workspaceBytes > 0, and what the plan placed in it.
  uint64_t workspaceBytes = 0;
  uint32_t plannedBuffers = 0;
  uint32_t heapBuffers = 0;
  uint64_t plannedBytes = 0;
};

struct ArtifactAbi {
  std::vector<AbiBuffer> buffers;
  std::vector<AbiEntry> entries;
  int64_t batch = 0;
  std::string source;
  std::string options;
};

/// Collects the buffer table and entry points of `module` (kiln level, before lowering).
/// Every public function is an entry point. Reports errors on the module's diagnostics.
mlir::FailureOr<ArtifactAbi> collectArtifactAbi(mlir::ModuleOp module);

/// Brings `abi` up to date with entry functions that lowering added (kiln-hoist-parameter-math's
/// `prepare`) and arguments it appended to known entries (their prepared buffers), which the
/// entry then takes after its old arguments. Call before kiln-strip-abi.
mlir::LogicalResult amendArtifactAbi(mlir::ModuleOp module, ArtifactAbi &abi);

/// Adds the workspace buffer (role workspace, uint8, as large as the largest entry's arena;
/// entry points never run concurrently on one buffer table, so they share it) and appends it
/// to the arguments of every entry with workspaceBytes > 0. Adds nothing if no entry has one.
void addWorkspaceBuffer(ArtifactAbi &abi);

/// The ABI dtype code of an MLIR element type, or 0 if the artifact cannot carry it.
uint32_t abiDtypeOf(mlir::Type elementType);

/// Bytes of one element of an ABI dtype.
uint64_t abiDtypeSize(uint32_t dtype);

/// The contents of `value` laid out as the runtime expects (row-major, booleans one byte).
std::vector<char> serializeElements(mlir::ElementsAttr value);

} // namespace kiln

#endif // KILN_COMPILER_TARGET_ARTIFACTABI_H
