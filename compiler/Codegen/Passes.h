//===- Passes.h - kiln CPU code generation passes -------------------------===//
#ifndef KILN_COMPILER_CODEGEN_PASSES_H
#define KILN_COMPILER_CODEGEN_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "compiler/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Codegen/Passes.h.inc"

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_PASSES_H
