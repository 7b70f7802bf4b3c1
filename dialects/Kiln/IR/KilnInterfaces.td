//===- KilnInterfaces.td - op interfaces the graph passes rely on --------===//
//
// Passes ask ops what they need through interfaces instead of switching on op names, so a new
// op carries its own rules (DESIGN.md, "The dialect").
//
//===----------------------------------------------------------------------===//

#ifndef KILN_INTERFACES_TD
#define KILN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Kiln_VjpOpInterface : OpInterface<"VjpOpInterface"> {
  let cppNamespace = "::kiln";
  let description = [{
    The vector-Jacobian product of an op, used by the `kiln-autodiff` pass. Given the gradient
    of the objective with respect to each result (a null Value where a result does not affect
    the objective), the op builds kiln ops that compute the gradient with respect to each
    operand and appends them to `operandGrads`, one entry per operand in operand order (null for
    an operand that has no gradient, such as an integer index tensor). Each gradient has its
    operand's exact type. The op reports an error (and returns failure) for the cases it
    cannot differentiate.
  }];
  let methods = [
    InterfaceMethod<"Builds the gradients of the operands from those of the results.",
      "::llvm::LogicalResult", "buildVjp",
      (ins "::mlir::OpBuilder &":$builder, "::llvm::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // KILN_INTERFACES_TD
