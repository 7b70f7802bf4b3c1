//===- KilnOps.h - ops of the kiln dialect --------------------------------===//
#ifndef KILN_DIALECT_KILN_IR_KILNOPS_H
#define KILN_DIALECT_KILN_IR_KILNOPS_H

#include "dialects/Kiln/IR/KilnDialect.h"
#include "dialects/Kiln/IR/KilnInterfaces.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Kiln/IR/KilnOps.h.inc"

namespace kiln {
/// Attribute names on entry-function arguments and results that tie them to artifact buffers.
constexpr llvm::StringLiteral kBufferAttrName = "kiln.buffer";
constexpr llvm::StringLiteral kRoleAttrName = "kiln.role";
/// Module attribute the frontends set when `--batch` pinned a symbolic leading dimension:
/// a dictionary from each such input's name to the dimension's symbolic name ("" when the
/// model left it unnamed). The ONNX exporter writes those dimensions back as symbolic.
constexpr llvm::StringLiteral kSymbolicBatchAttrName = "kiln.symbolic_batch";
} // namespace kiln

#endif // KILN_DIALECT_KILN_IR_KILNOPS_H
