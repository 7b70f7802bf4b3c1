//===- Initializers.h - parameters' initial values -------------------------===//
#ifndef KILN_FRONTENDS_LANG_INITIALIZERS_H
#define KILN_FRONTENDS_LANG_INITIALIZERS_H

#include "frontends/lang/Datum.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace kiln::lang {

/// The initial value of the parameter `key` of `type` drawn by `init`. Fans follow PyTorch's
/// weight layouts: [out, in] for dense layers, [out, in / groups, kh, kw] for convolutions
/// (fan_in = in * receptive field, fan_out = out * receptive field). Random draws are seeded
/// from the key, so a parameter's initial value does not change when others are added.
mlir::DenseElementsAttr initialValue(const InitSpec &init, mlir::RankedTensorType type,
                                     llvm::StringRef key);

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANG_INITIALIZERS_H
