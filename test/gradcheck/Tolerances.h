//===- Tolerances.h - default step and tolerances per dtype ---------------===//
//
// A central difference (f(x+h) - f(x-h)) / 2h errs in two ways: truncation, about
// h^2 / 6 * |f'''|, and rounding, about ulp(f) / h (the loss is rounded to its dtype, and the
// difference of two nearly equal losses keeps only the bits they do not share). The best h
// balances the two, h ~ cbrt(machine epsilon) times the scale of x:
//
//  - float64: epsilon 2.2e-16, so h = 1e-6 leaves a truncation error near 1e-13 and a rounding
//    error near 1e-10 * |f| (for |f| ~ 1). rtol 1e-5 and atol 1e-7 leave a margin of 100x and
//    more, and still catch any wrong term of a gradient.
//  - float32: epsilon 1.2e-7, so h = 1e-2 (cbrt gives 5e-3; a larger step keeps the rounding
//    error down when the loss sums many terms). Rounding then costs about 6e-8 * |f| / 1e-2,
//    ~1e-5 * |f|, truncation ~2e-5 * |f'''|. rtol 1e-2 with atol 1e-3 accepts those for losses
//    of order 1-10 while a wrong factor or sign (an error of 100% or more) still fails.
//
// The accumulation check compares two runs of the same compiled code, so it needs only room
// for a different summation order of the gradient's contributions: 1e-9 (f64), 1e-4 (f32).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_GRADCHECK_TOLERANCES_H
#define KILN_GRADCHECK_TOLERANCES_H

#include "kiln/abi.h"

namespace kiln::gradcheck {

/// The numbers one comparison uses.
struct Tolerances {
  double eps;  /// finite-difference step
  double rtol;
  double atol;
  double accumulationRtol;
};

/// The defaults for `dtype` (float32 or float64), the less precise of the loss and the
/// argument.
inline Tolerances defaultTolerances(kiln_abi_dtype_t dtype) {
  if (dtype == KILN_DTYPE_F64)
    return {1e-6, 1e-5, 1e-7, 1e-9};
  return {1e-2, 1e-2, 1e-3, 1e-4};
}

} // namespace kiln::gradcheck

#endif // KILN_GRADCHECK_TOLERANCES_H
