//===- GradientPlan.h - which buffers kiln-gradcheck checks ---------------===//
//
// Reads the autodiff contract out of an artifact's descriptor: the entry F and its gradient
// entry F_grad, F's scalar loss (its first output), and each argument X that has a gradient
// buffer X@grad in F_grad's arguments. F may be missing (a private source function is
// consumed by kiln-autodiff): F_grad computes the same loss, so it stands in for F. Anything that breaks the contract is an error naming
// the entry or buffer, so a malformed artifact is refused before any check runs.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_GRADCHECK_GRADIENTPLAN_H
#define KILN_GRADCHECK_GRADIENTPLAN_H

#include "kiln/runtime.h"

#include <string>
#include <vector>

namespace kiln::gradcheck {

/// A differentiated argument and its gradient buffer (same shape and dtype).
struct GradientTarget {
  std::string name;   /// the argument's buffer name
  uint32_t argument;  /// buffer index of X
  uint32_t gradient;  /// buffer index of X@grad
  uint64_t elements;
  kiln_abi_dtype_t dtype;
};

/// Everything the checks need to know about the artifact.
struct GradientPlan {
  std::string entry;      /// F
  std::string gradEntry;  /// F_grad
  std::string lossEntry;  /// what the finite differences run: F, or F_grad if there is no F
  uint32_t loss;          /// buffer index of F's first output
  kiln_abi_dtype_t lossDtype;
  bool gradEntryWritesLoss; /// whether F_grad takes the loss buffer too
  std::vector<GradientTarget> targets;
  /// Every input and parameter buffer of F or F_grad, randomised before the checks.
  std::vector<uint32_t> arguments;
};

/// Builds the plan for entry `entry` (empty: the one entry E with an E_grad). Returns false
/// with `error` set if the artifact does not follow the contract.
bool buildPlan(const kiln_artifact_t *artifact, const std::string &entry, GradientPlan &plan,
               std::string &error);

/// The suffix that names a gradient buffer after its argument: "w" -> "w@grad".
inline const char *gradientSuffix() { return "@grad"; }

} // namespace kiln::gradcheck

#endif // KILN_GRADCHECK_GRADIENTPLAN_H
