//===- LangImporter.cpp - model-language files into the kiln dialect -------===//
#include "frontends/lang/LangImporter.h"
#include "frontends/lang/Evaluator.h"
#include "frontends/lang/Parser.h"

#include "dialects/Kiln/IR/KilnDialect.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace kiln::lang;

namespace {

/// Parses `path` and, depth first, the files it imports; their constants come before the
/// importer's and their blocks join its. An imported file's model is not used.
LogicalResult load(llvm::StringRef path, llvm::SMLoc importedAt, SourceDiagnostics &diagnostics,
                   llvm::StringSet<> &loaded, Program &into, bool isMain) {
  llvm::SmallString<256> absolute(path);
  llvm::sys::fs::make_absolute(absolute);
  llvm::sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  if (!loaded.insert(absolute).second)
    return success(); // imported already (or an import cycle): its blocks are there
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!file) {
    if (isMain)
      llvm::errs() << path << ": error: cannot read the model: " << file.getError().message()
                   << "\n";
    else
      diagnostics.error(importedAt, "cannot import '" + path + "': " +
                                        file.getError().message());
    return failure();
  }
  unsigned buffer = diagnostics.manager().AddNewSourceBuffer(std::move(*file), importedAt);
  std::unique_ptr<Program> program = parseProgram(buffer, diagnostics);
  if (!program)
    return failure();
  for (const Import &import : program->imports) {
    llvm::SmallString<256> imported(llvm::sys::path::parent_path(path));
    llvm::sys::path::append(imported, import.path);
    if (failed(load(imported, import.loc, diagnostics, loaded, into, /*isMain=*/false)))
      return failure();
  }
  for (StmtPtr &global : program->globals)
    into.globals.push_back(std::move(global));
  for (auto &definition : program->definitions)
    if (isMain || !definition->isModel)
      into.definitions.push_back(std::move(definition));
  return success();
}

} // namespace

OwningOpRef<ModuleOp> kiln::importLangFile(llvm::StringRef path, MLIRContext &context,
                                           const LangImportOptions &options) {
  context.loadDialect<kiln::KilnDialect, func::FuncDialect>();
  llvm::SourceMgr sourceMgr;
  SourceDiagnostics diagnostics(sourceMgr);
  Program program;
  llvm::StringSet<> loaded;
  if (failed(load(path, llvm::SMLoc(), diagnostics, loaded, program, /*isMain=*/true)))
    return nullptr;

  Location fileLoc = FileLineColLoc::get(&context, path, 1, 1);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  Evaluator evaluator(program, diagnostics, *module, options);
  if (failed(evaluator.run()))
    return nullptr;
  // Each op was verified as it was built; this checks the function and module around them.
  if (failed(verify(*module))) {
    emitError(fileLoc) << "the lowered module does not verify (a frontend bug: please report it)";
    return nullptr;
  }
  return module;
}
