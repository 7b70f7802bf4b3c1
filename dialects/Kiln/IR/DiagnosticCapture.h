//===- DiagnosticCapture.h - collect MLIR's error messages for a frontend --===//
//
// Frontends build ops one at a time and re-report a failing op's shape-rule or verifier
// message in their own terms (an ONNX node's name, a model file's line and column).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECT_KILN_IR_DIAGNOSTICCAPTURE_H
#define KILN_DIALECT_KILN_IR_DIAGNOSTICCAPTURE_H

#include "mlir/IR/Diagnostics.h"

#include <string>

namespace kiln {

/// Collects the errors MLIR emits while it lives, joined with "; ", instead of printing them.
class DiagnosticCapture {
public:
  explicit DiagnosticCapture(mlir::MLIRContext *context)
      : handler(context, [this](mlir::Diagnostic &diag) {
          if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
            messages += (messages.empty() ? "" : "; ") + diag.str();
          return mlir::success();
        }) {}
  const std::string &text() const { return messages; }

private:
  std::string messages;
  mlir::ScopedDiagnosticHandler handler;
};

} // namespace kiln

#endif // KILN_DIALECT_KILN_IR_DIAGNOSTICCAPTURE_H
