//===- WorthPreparing.h - ops that kiln-hoist-parameter-math always moves --===//
#ifndef KILN_COMPILER_TRANSFORMS_WORTHPREPARING_H
#define KILN_COMPILER_TRANSFORMS_WORTHPREPARING_H

#include "llvm/ADT/StringRef.h"

namespace kiln {
/// Unit attribute of an op that rewrites parameters into a larger form that its users read
/// from memory anyway (a Winograd transformed filter): kiln-hoist-parameter-math moves it
/// into `prepare` whatever the size of its result, where it keeps other growing ops (a bias
/// broadcast, cheaper to recompute in its users' loops than to read back) in `forward`.
constexpr llvm::StringLiteral kWorthPreparingAttrName = "kiln.worth_preparing";
} // namespace kiln

#endif // KILN_COMPILER_TRANSFORMS_WORTHPREPARING_H
