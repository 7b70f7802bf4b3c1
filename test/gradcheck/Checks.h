//===- Checks.h - the checks kiln-gradcheck runs on one session -----------===//
//
// Each check prints one line, PASS or FAIL, and counts itself in a Report:
//   - loss:          F_grad computes the same loss as F (it returns F's results too);
//   - accumulation:  a second run of F_grad doubles every X@grad (gradients add up);
//   - arguments:     F_grad leaves its inputs and parameters as they were;
//   - one per X:     every (or a sample of) X@grad element equals a central difference of F.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_GRADCHECK_CHECKS_H
#define KILN_GRADCHECK_CHECKS_H

#include "GradientPlan.h"
#include "Options.h"

#include <string>

namespace kiln::gradcheck {

/// How many checks passed and failed so far.
struct Report {
  unsigned passed = 0;
  unsigned failed = 0;
};

/// Fills the plan's float inputs and parameters with seeded uniform values (options.ranges,
/// else [-1, 1]), then runs every check on `session`. Returns false with `error` set only if
/// the session cannot run (a check that fails is counted in `report`, not an error).
bool runChecks(kiln_session_t *session, const GradientPlan &plan, const Options &options,
               Report &report, std::string &error);

} // namespace kiln::gradcheck

#endif // KILN_GRADCHECK_CHECKS_H
