//===- OnnxImporter.h - ONNX models into the kiln dialect -----------------===//
#ifndef KILN_FRONTENDS_ONNX_ONNXIMPORTER_H
#define KILN_FRONTENDS_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <optional>

namespace kiln {

struct OnnxImportOptions {
  /// Pins the symbolic leading (batch) dimension of every graph input.
  std::optional<int64_t> batch;
  /// Pins symbolic dimensions by their ONNX dim_param name; wins over `batch`.
  llvm::StringMap<int64_t> namedDims;
  /// Freezes graph inputs (by name) to the tensor in a TensorProto file at compile time.
  llvm::StringMap<std::string> bindings;
};

/// Reads the ONNX model at `path` and returns a module holding one `kiln.parameter` per
/// weight and `func.func @forward` (inputs, then parameters -> outputs, each tagged with
/// `kiln.buffer` and `kiln.role`). On failure returns null after reporting every problem
/// through the context's diagnostics, each naming the file and, where there is one, the node.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(llvm::StringRef path, mlir::MLIRContext &context,
                                                 const OnnxImportOptions &options);

} // namespace kiln

#endif // KILN_FRONTENDS_ONNX_ONNXIMPORTER_H
