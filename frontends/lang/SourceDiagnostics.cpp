//===- SourceDiagnostics.cpp - errors that point into a model file --------===//
#include "frontends/lang/SourceDiagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

using namespace kiln::lang;

void SourceDiagnostics::error(llvm::SMLoc loc, const llvm::Twine &message) {
  ++errors;
  sourceMgr.PrintMessage(llvm::errs(), loc, llvm::SourceMgr::DK_Error, message);
}

void SourceDiagnostics::note(llvm::SMLoc loc, const llvm::Twine &message) {
  sourceMgr.PrintMessage(llvm::errs(), loc, llvm::SourceMgr::DK_Note, message);
}

mlir::Location SourceDiagnostics::location(mlir::MLIRContext *context, llvm::SMLoc loc) const {
  unsigned buffer = sourceMgr.FindBufferContainingLoc(loc);
  if (buffer == 0)
    return mlir::UnknownLoc::get(context);
  auto [line, column] = sourceMgr.getLineAndColumn(loc, buffer);
  llvm::StringRef file = sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier();
  return mlir::FileLineColLoc::get(context, file, line, column);
}
