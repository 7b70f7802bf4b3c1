//===- Passes.h - kiln conversion passes ----------------------------------===//
#ifndef KILN_COMPILER_CONVERSION_PASSES_H
#define KILN_COMPILER_CONVERSION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
} // namespace mlir

namespace kiln {

#define GEN_PASS_DECL
#include "compiler/Conversion/Passes.h.inc"

/// Patterns lowering kiln ops to linalg / tensor / arith / math, one family per file.
void populateKilnElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateKilnContractionToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateKilnPoolingToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateKilnReductionToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateKilnNormalizationToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateKilnDataMovementToTensorPatterns(mlir::RewritePatternSet &patterns);
void populateKilnContractionBackwardToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateKilnGeneratorToLinalgPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "compiler/Conversion/Passes.h.inc"

} // namespace kiln

#endif // KILN_COMPILER_CONVERSION_PASSES_H
