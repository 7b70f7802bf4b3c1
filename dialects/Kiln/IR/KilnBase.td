//===- KilnBase.td - the kiln dialect and its base op classes ------------===//
//
// The kiln dialect is tensor-level with value semantics and static shapes: the batch is a
// compile-time constant, as on the seeds' accelerators. Layout is NCHW for images.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BASE_TD
#define KILN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "dialects/Kiln/IR/KilnInterfaces.td"

/// Ops that the autodiff pass can differentiate.
defvar Kiln_Differentiable = DeclareOpInterfaceMethods<Kiln_VjpOpInterface>;

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "Tensor-level neural-network ops with static shapes";
  let description = [{
    The graph dialect of kiln. Frontends (ONNX, the model language) produce it; graph passes
    (autodiff, optimizers, precision conversion, pipeline splitting) transform it; the
    kiln-to-linalg conversion lowers it to upstream dialects.
  }];
  let hasConstantMaterializer = 1;
}

/// Any kiln op. Every kiln op is side-effect free unless it says otherwise.
class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

/// A tensor whose every dimension is known at compile time.
def Kiln_Tensor : StaticShapeTensorOf<[AnyType]>;
def Kiln_FloatTensor : StaticShapeTensorOf<[AnyFloat]>;

/// Elementwise op with one operand; the result has the operand's type.
class Kiln_UnaryOp<string mnemonic, string summaryText, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType, Kiln_Differentiable])> {
  let summary = summaryText;
  let description = summaryText # [{, applied to each element.

    Example: `%y = kiln.}] # mnemonic # [{ %x : tensor<8x16xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

/// Elementwise op with two operands and numpy-style (multidirectional) broadcasting.
class Kiln_BroadcastBinaryOp<string mnemonic, string summaryText, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor, Kiln_Differentiable])> {
  let summary = summaryText;
  let description = summaryText # [{ with numpy broadcasting: shapes are aligned on the
    right and a dimension of size 1 stretches to the other operand's size.

    Example: `%z = kiln.}] # mnemonic # [{ %x, %y : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

/// Reduction over a set of axes.
class Kiln_ReduceOp<string mnemonic, string summaryText>
    : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = summaryText;
  let description = summaryText # [{ over `axes` (sorted, non-negative, unique). With
    `keepdims` the reduced axes stay as size 1.

    Example: `%s = kiln.}] # mnemonic # [{ %x {axes = array<i64: 1>, keepdims = false} : (tensor<4x5xf32>) -> tensor<4xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

/// Normalisation along one axis (softmax family).
class Kiln_AxisNormOp<string mnemonic, string summaryText>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultType, Kiln_Differentiable]> {
  let summary = summaryText;
  let description = summaryText # [{ along `axis` (non-negative).

    Example: `%p = kiln.}] # mnemonic # [{ %x {axis = 1} : tensor<8x10xf32>`
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

#endif // KILN_BASE_TD
