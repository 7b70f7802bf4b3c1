//===- MemoryPlan.h - the summary kiln-plan-memory leaves on a module -----===//
//
// kiln-plan-memory records, per entry function, what it placed in the function's arena as a
// module attribute. kilnc reads it after lowering (the attribute survives every later pass)
// and copies it into the artifact's descriptor, which is where the runtime and users see it.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_CONVERSION_MEMORYPLAN_H
#define KILN_COMPILER_CONVERSION_MEMORYPLAN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>

namespace kiln {

/// The module attribute: a dictionary from entry-function name to the fields below.
constexpr llvm::StringLiteral kMemoryPlanAttrName = "kiln.memory_plan";

/// The static memory plan of one entry function.
struct EntryMemoryPlan {
  uint64_t arenaBytes = 0;   ///< the arena's size: the plan's peak; 0 means no arena argument
  uint64_t plannedBuffers = 0;
  uint64_t bufferBytes = 0;  ///< the planned buffers' sizes summed (their memory without reuse)
  uint64_t heapBuffers = 0;  ///< allocs left to malloc/free (dynamic shapes, nested, escaping)
};

/// Reads the plans kiln-plan-memory recorded on `module` and removes the attribute (it has no
/// meaning in LLVM IR). A module without one gives an empty map; a malformed one is reported on
/// the module's diagnostics.
mlir::FailureOr<llvm::StringMap<EntryMemoryPlan>> takeMemoryPlans(mlir::ModuleOp module);

} // namespace kiln

#endif // KILN_COMPILER_CONVERSION_MEMORYPLAN_H
