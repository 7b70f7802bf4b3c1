//===- InitKiln.h - one place that registers what kiln's tools use --------===//
#ifndef KILN_COMPILER_INITKILN_H
#define KILN_COMPILER_INITKILN_H

namespace mlir {
class DialectRegistry;
}

namespace kiln {
/// Adds the kiln dialect, the upstream dialects kiln lowers through and their
/// bufferization and LLVM-translation interfaces to `registry`.
void registerKilnDialects(mlir::DialectRegistry &registry);

/// Registers kiln's passes and pipelines and the upstream passes they use, so that
/// kiln-opt can run each of them alone.
void registerKilnPasses();
} // namespace kiln

#endif // KILN_COMPILER_INITKILN_H
