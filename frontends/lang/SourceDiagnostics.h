//===- SourceDiagnostics.h - errors that point into a model file ----------===//
//
// Every error of the model-language frontend reads like a compiler's:
//   models/x.kiln:12:9: error: unknown function 'conv'
//       y = conv(x, 64)
//           ^
// llvm::SourceMgr prints that form; this wrapper counts the errors and turns source
// positions into MLIR locations for the ops built from them.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_LANG_SOURCEDIAGNOSTICS_H
#define KILN_FRONTENDS_LANG_SOURCEDIAGNOSTICS_H

#include "mlir/IR/Location.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"

namespace kiln::lang {

class SourceDiagnostics {
public:
  explicit SourceDiagnostics(llvm::SourceMgr &sourceMgr) : sourceMgr(sourceMgr) {}

  /// Prints "file:line:col: error: message", the source line and a caret under `loc`.
  void error(llvm::SMLoc loc, const llvm::Twine &message);
  /// A note in the same form (e.g. where a block was called from).
  void note(llvm::SMLoc loc, const llvm::Twine &message);
  unsigned errorCount() const { return errors; }

  /// file:line:col of `loc`, for the ops built from the expression there.
  mlir::Location location(mlir::MLIRContext *context, llvm::SMLoc loc) const;
  llvm::SourceMgr &manager() { return sourceMgr; }

private:
  llvm::SourceMgr &sourceMgr;
  unsigned errors = 0;
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANG_SOURCEDIAGNOSTICS_H
