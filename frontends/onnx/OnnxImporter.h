//===- OnnxImporter.h - ONNX models into the kiln dialect -----------------===//
//
// The ONNX frontend's whole public API. libonnx stays behind it (no ONNX headers here).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_ONNX_ONNXIMPORTER_H
#define KILN_FRONTENDS_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <optional>
#include <string>

namespace kiln {

/// How to make a model's shapes static (kiln compiles static shapes).
struct OnnxImportOptions {
  /// Pins the symbolic leading (batch) dimension of every graph input (a warning if none has
  /// one); other symbolic dimensions need `namedDims`.
  std::optional<int64_t> batch;
  /// Whether a `batch` that pins nothing is worth a warning (kilnc --emit=onnx pins one
  /// itself and says nothing when the model has a static batch).
  bool warnUnusedBatch = true;
  /// Pins symbolic dimensions by their ONNX dim_param name; wins over `batch`.
  llvm::StringMap<int64_t> namedDims;
  /// Freezes graph inputs (by name) to the tensor in a TensorProto file at compile time.
  llvm::StringMap<std::string> bindings;
};

/// Reads the ONNX model at `path` (opsets 7 to 17), validates it with ONNX's checker and
/// shape inference, and returns a verified module holding one `kiln.parameter @"<name>"` per
/// float initializer that a node reads as a tensor, then `func.func @forward`: its arguments
/// are the graph inputs (graph order) and then one per parameter (the parameters' order),
/// its results the graph outputs; each argument and result carries `kiln.buffer` (the ONNX
/// name) and `kiln.role` ("input", "parameter", "output"). Ops are located at
/// NameLoc("<node name>", path:0:0). On failure returns null after reporting every problem
/// through the context's diagnostics ("node 'conv3' (Conv): ..."), all unsupported ops at
/// once. An input whose symbolic leading dimension `batch` pinned is named in the module
/// attribute `kiln.symbolic_batch`; the metadata `kiln.loss` and `kiln.label_smoothing`
/// (written by the exporter) become the module attributes of those names. Loads the kiln and func dialects into `context`.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(llvm::StringRef path, mlir::MLIRContext &context,
                                                 const OnnxImportOptions &options);

} // namespace kiln

#endif // KILN_FRONTENDS_ONNX_ONNXIMPORTER_H
