//===- EmitArtifact.h - LLVM-dialect module -> LLVM IR -> object -> .kx ---===//
#ifndef KILN_COMPILER_TARGET_EMITARTIFACT_H
#define KILN_COMPILER_TARGET_EMITARTIFACT_H

#include "compiler/Target/ArtifactAbi.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

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
                                                  llvm::LLVMContext &llvmContext);

/// Writes `module` as an object file for the target CPU.
mlir::LogicalResult writeObjectFile(llvm::Module &module, const TargetOptions &options,
                                    llvm::StringRef path);

/// Links the object at `objectPath` into the shared object `outputPath` (the .kx), writing
/// a temporary file first and renaming it so an existing artifact is never half-overwritten.
mlir::LogicalResult linkArtifact(llvm::StringRef objectPath, llvm::StringRef outputPath);

} // namespace kiln

#endif // KILN_COMPILER_TARGET_EMITARTIFACT_H
