//===- LangImporter.cpp - model-language files into the kiln dialect -------===//
#include "frontends/lang/LangImporter.h"
#include "frontends/lang/Evaluator.h"
#include "frontends/lang/Parser.h"

#include "dialects/Kiln/IR/KilnDialect.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

OwningOpRef<ModuleOp> kiln::importLangFile(llvm::StringRef path, MLIRContext &context,
                                           const LangImportOptions &options) {
  context.loadDialect<kiln::KilnDialect, func::FuncDialect>();
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!file) {
    llvm::errs() << path << ": error: cannot read the model: " << file.getError().message()
                 << "\n";
    return nullptr;
  }
  llvm::SourceMgr sourceMgr;
  unsigned buffer = sourceMgr.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
  lang::SourceDiagnostics diagnostics(sourceMgr);
  std::unique_ptr<lang::Program> program = lang::parseProgram(buffer, diagnostics);
  if (!program)
    return nullptr;

  Location fileLoc = FileLineColLoc::get(&context, path, 1, 1);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  lang::Evaluator evaluator(*program, diagnostics, *module, options);
  if (failed(evaluator.run()))
    return nullptr;
  // Each op was verified as it was built; this checks the function and module around them.
  if (failed(verify(*module))) {
    emitError(fileLoc) << "the lowered module does not verify (a frontend bug: please report it)";
    return nullptr;
  }
  return module;
}
