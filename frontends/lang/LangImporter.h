//===- LangImporter.h - model-language files into the kiln dialect ---------===//
//
// The model-language frontend's whole public API (docs/model-language.md).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_LANG_LANGIMPORTER_H
#define KILN_FRONTENDS_LANG_LANGIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <optional>

namespace kiln {

struct LangImportOptions {
  /// Pins a symbolic leading (batch) dimension of the inputs.
  std::optional<int64_t> batch;
  /// Pins symbolic dimensions by name, and sets the model's integer parameters
  /// (`model resnet(classes = 1000)` with `classes=10`); wins over `batch`.
  llvm::StringMap<int64_t> namedDims;
};

/// Reads the model file at `path`, evaluates it and returns a verified module in the form
/// the ONNX importer produces: one `kiln.parameter @"<checkpoint key>"` per parameter, then
/// `func.func @forward` whose arguments are the inputs and then the parameters, and whose
/// results are the outputs, each with `kiln.buffer` and `kiln.role`. A `loss` statement
/// becomes the module attributes `kiln.loss` and `kiln.label_smoothing`; inputs whose
/// symbolic leading dimension `batch` pinned are named in `kiln.symbolic_batch`. Errors are printed
/// as "file:line:col: error: ..." with the source line and a caret; returns null after them.
mlir::OwningOpRef<mlir::ModuleOp> importLangFile(llvm::StringRef path, mlir::MLIRContext &context,
                                                 const LangImportOptions &options);

} // namespace kiln

#endif // KILN_FRONTENDS_LANG_LANGIMPORTER_H
