//===- EmitArtifact.h - LLVM-dialect module -> LLVM IR -> object -> .kx ---===//
#ifndef KILN_COMPILER_TARGET_EMITARTIFACT_H
#define KILN_COMPILER_TARGET_EMITARTIFACT_H

#include "compiler/Target/ArtifactAbi.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>

#include <memory>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace kiln {

struct TargetOptions {
  std::string cpu = "native"; // "native" = the host CPU and its features
  int optLevel = 3;
};

/// Translates a module lowered to the LLVM dialect into LLVM IR, adds the entry-point
/// wrappers and the descriptor of `abi`, and optimises it for the target CPU.
std::unique_ptr<llvm::Module> buildArtifactModule(mlir::ModuleOp module, const ArtifactAbi &abi,
                                                  const TargetOptions &options,
                                                  llvm::LLVMContext &llvmContext,
                                                  bool optimize = true);

/// Runs LLVM's default pipeline of `options.optLevel` on `module` for the target CPU.
mlir::LogicalResult optimizeModule(llvm::Module &module, const TargetOptions &options);

/// Writes `module` as an object file for the target CPU.
mlir::LogicalResult writeObjectFile(llvm::Module &module, const TargetOptions &options,
                                    llvm::StringRef path);

/// Links the object at `objectPath` into the shared object `outputPath` (the .kx), writing
/// a temporary file first and renaming it so an existing artifact is never half-overwritten.
/// Splits the unoptimised `module` into up to `jobs` parts of similar size and optimises and
/// compiles them on that many threads, one object file each (appended to `objectPaths`,
/// temporary files the caller removes). 0 jobs: one per hardware thread.
mlir::LogicalResult writeObjectFilesInParallel(std::unique_ptr<llvm::Module> module,
                                               const TargetOptions &options, unsigned jobs,
                                               llvm::SmallVectorImpl<std::string> &objectPaths);

mlir::LogicalResult linkArtifact(llvm::ArrayRef<std::string> objectPaths,
                                 llvm::StringRef outputPath);

} // namespace kiln

#endif // KILN_COMPILER_TARGET_EMITARTIFACT_H
