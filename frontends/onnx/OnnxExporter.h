//===- OnnxExporter.h - the kiln dialect as an ONNX model ------------------===//
//
// The ONNX exporter's whole public API, the inverse of OnnxImporter.h. libonnx stays behind
// it (no ONNX headers here).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_ONNX_ONNXEXPORTER_H
#define KILN_FRONTENDS_ONNX_ONNXEXPORTER_H

#include "mlir/IR/BuiltinOps.h"

namespace kiln {

struct OnnxExportOptions {
  /// Writes the leading dimension of the inputs that the module attribute
  /// `kiln.symbolic_batch` names as symbolic (the model's batch was not pinned by the user).
  bool symbolicBatch = false;
};

/// Writes the inference function `@forward` of an imported module (the form both frontends
/// produce, before any training pass) to `path` ("-" is stdout) as an ONNX model of
/// default-domain opset 17: each kiln op becomes one ONNX node (plus Constant nodes for
/// shapes, axes and bounds), each `kiln.parameter` an initializer named by its checkpoint key
/// and holding its initial value, the inputs and outputs keep their `kiln.buffer` names and
/// shapes; a declared loss (`kiln.loss`, `kiln.label_smoothing`) becomes metadata of those
/// names. The model is checked with ONNX's checker and strict shape inference before it is
/// written. Every op that ONNX cannot express is reported at its location, all at once;
/// returns failure after reporting through the context's diagnostics.
mlir::LogicalResult exportOnnxFile(mlir::ModuleOp module, llvm::StringRef path,
                                   const OnnxExportOptions &options);

} // namespace kiln

#endif // KILN_FRONTENDS_ONNX_ONNXEXPORTER_H
