//===- KilnOps.td - the ops of the kiln dialect --------------------------===//
//
// Shapes are static. Ops whose result shape follows from operands and attributes infer it
// (InferTypeOpAdaptor), so frontends build them without naming result types and the verifier
// rejects a written type that disagrees with the rule.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "dialects/Kiln/IR/KilnBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Model state
//===----------------------------------------------------------------------===//

def Kiln_ParameterOp : Kiln_Op<"parameter", [Symbol]> {
  let summary = "A named, persistent model parameter and its initial value";
  let description = [{
    Declares a parameter buffer at module level. Entry functions receive the parameter as an
    argument carrying `kiln.buffer = "<name>"` and `kiln.role = "parameter"`; the artifact
    stores `initial_value` so the runtime can initialise the buffer. The symbol name is the
    stable checkpoint key (`layer3.2.conv1.weight`).

    Example:
    ```mlir
    kiln.parameter @"fc.bias" : tensor<10xf32> = dense<0.0> : tensor<10xf32>
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<Kiln_Tensor>:$type,
                       ElementsAttr:$initial_value);
  let assemblyFormat = "$sym_name attr-dict `:` $type `=` $initial_value";
  let hasVerifier = 1;
}

def Kiln_ConstantOp : Kiln_Op<"constant", [Pure, ConstantLike, InferTypeOpAdaptor]> {
  let summary = "A constant tensor";
  let description = [{
    Example: `%c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>`
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Kiln_Conv2DOp : Kiln_Op<"conv2d", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "2-D convolution (cross-correlation), NCHW input, FCHW filter";
  let description = [{
    `input` is N x C x H x W, `filter` is F x C/groups x KH x KW, the optional `bias` has F
    elements. `pads` is [top, left, bottom, right] (ONNX order: begins then ends) and may be
    asymmetric; frontends resolve ONNX's `auto_pad` into explicit pads.

    Example:
    ```mlir
    %y = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                                 dilations = array<i64: 1, 1>, groups = 1 : i64}
        : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x16x16xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_Tensor:$filter,
                       Optional<Kiln_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_GemmOp : Kiln_Op<"gemm", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "General matrix multiply: alpha * op(A) * op(B) + beta * C";
  let description = [{
    `op(X)` is X or its transpose (`trans_a`, `trans_b`). The optional `c` broadcasts to the
    M x N result.

    Example:
    ```mlir
    %y = kiln.gemm %a, %w, %b {trans_b = true}
        : (tensor<8x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$a, Kiln_Tensor:$b, Optional<Kiln_Tensor>:$c,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b,
                       DefaultValuedAttr<F64Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F64Attr, "1.0">:$beta);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_MatMulOp : Kiln_Op<"matmul", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "Matrix product with numpy semantics (batch broadcasting, 1-D promotion)";
  let description = [{
    Example: `%y = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def Kiln_BatchNormInferenceOp : Kiln_Op<"batch_norm_inference",
    [Pure, Kiln_Differentiable, AllTypesMatch<["input", "output"]>,
     AllTypesMatch<["scale", "bias", "mean", "variance"]>]> {
  let summary = "Batch normalisation with fixed statistics";
  let description = [{
    `y = (x - mean) / sqrt(variance + epsilon) * scale + bias`, per channel (dimension 1).

    Example:
    ```mlir
    %y = kiln.batch_norm_inference %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f64}
        : tensor<8x16x4x4xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                       Kiln_FloatTensor:$bias, Kiln_FloatTensor:$mean,
                       Kiln_FloatTensor:$variance,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp : Kiln_AxisNormOp<"softmax", "Softmax">;
def Kiln_LogSoftmaxOp : Kiln_AxisNormOp<"log_softmax", "Logarithm of the softmax">;

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def Kiln_ReluOp : Kiln_UnaryOp<"relu", "max(x, 0)">;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", "Hyperbolic tangent">;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", "Exponential">;
def Kiln_LogOp : Kiln_UnaryOp<"log", "Natural logarithm">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", "Square root">;
def Kiln_NegOp : Kiln_UnaryOp<"neg", "Negation">;
def Kiln_ReciprocalOp : Kiln_UnaryOp<"reciprocal", "1 / x">;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", "Absolute value">;
def Kiln_IdentityOp : Kiln_UnaryOp<"identity", "The input itself"> {
  let hasFolder = 1;
}

def Kiln_LeakyReluOp : Kiln_Op<"leaky_relu", [Kiln_Differentiable, Pure, SameOperandsAndResultType]> {
  let summary = "x if x >= 0, else alpha * x";
  let description = [{
    Example: `%y = kiln.leaky_relu %x {alpha = 1.0e-01 : f64} : tensor<4xf32>`
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DefaultValuedAttr<F64Attr, "0.01">:$alpha);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kiln_ClipOp : Kiln_Op<"clip", [Kiln_Differentiable, Pure, SameOperandsAndResultType]> {
  let summary = "Clamps each element to [min, max]; a missing bound does not clamp";
  let description = [{
    Example: `%y = kiln.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input, OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kiln_DropoutOp : Kiln_Op<"dropout", [Kiln_Differentiable, Pure, SameOperandsAndResultType]> {
  let summary = "Dropout; in inference it passes its input through";
  let description = [{
    Example: `%y = kiln.dropout %x {ratio = 5.0e-01 : f64} : tensor<8x64xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input, DefaultValuedAttr<F64Attr, "0.5">:$ratio);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Kiln_CastOp : Kiln_Op<"cast", [Kiln_Differentiable, Pure, SameOperandsAndResultShape]> {
  let summary = "Converts each element to the result's element type";
  let description = [{
    Floats round to nearest, float to integer truncates toward zero, to bool is `x != 0`.

    Example: `%y = kiln.cast %x : tensor<4xf32> -> tensor<4xi64>`
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_AddOp : Kiln_BroadcastBinaryOp<"add", "Sum", [Commutative]>;
def Kiln_SubOp : Kiln_BroadcastBinaryOp<"sub", "Difference">;
def Kiln_MulOp : Kiln_BroadcastBinaryOp<"mul", "Product", [Commutative]>;
def Kiln_DivOp : Kiln_BroadcastBinaryOp<"div", "Quotient (integers truncate toward zero)">;
def Kiln_MaxOp : Kiln_BroadcastBinaryOp<"max", "Larger of two elements", [Commutative]>;
def Kiln_MinOp : Kiln_BroadcastBinaryOp<"min", "Smaller of two elements", [Commutative]>;
def Kiln_PowOp : Kiln_BroadcastBinaryOp<"pow", "lhs raised to the power rhs">;

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Kiln_MaxPool2DOp : Kiln_Op<"max_pool2d", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "2-D max pooling over NCHW";
  let description = [{
    `pads` is [top, left, bottom, right]; padded positions never win. With `ceil_mode` the
    output size rounds up, but a window must start inside the input or its leading padding.

    Example:
    ```mlir
    %y = kiln.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                             pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
        : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_AvgPool2DOp : Kiln_Op<"avg_pool2d", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "2-D average pooling over NCHW";
  let description = [{
    With `count_include_pad` the divisor counts explicit padding; positions added only by
    `ceil_mode` are never counted.

    Example:
    ```mlir
    %y = kiln.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                             pads = array<i64: 0, 0, 0, 0>}
        : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_GlobalAvgPoolOp : Kiln_Op<"global_avg_pool", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "Mean over all spatial dimensions (N x C x ... -> N x C x 1 x ...)";
  let description = [{
    Example: `%y = kiln.global_avg_pool %x : (tensor<8x512x7x7xf32>) -> tensor<8x512x1x1xf32>`
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_GlobalMaxPoolOp : Kiln_Op<"global_max_pool", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "Maximum over all spatial dimensions (N x C x ... -> N x C x 1 x ...)";
  let description = [{
    Example: `%y = kiln.global_max_pool %x : (tensor<8x512x7x7xf32>) -> tensor<8x512x1x1xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "Sum">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "Mean">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "Maximum">;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Kiln_ConcatOp : Kiln_Op<"concat", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "Joins tensors along `axis` (non-negative)";
  let description = [{
    Example: `%y = kiln.concat %a, %b {axis = 1} : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>`
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def Kiln_ReshapeOp : Kiln_Op<"reshape", [Kiln_Differentiable, Pure]> {
  let summary = "Same elements in row-major order, new static shape";
  let description = [{
    Example: `%y = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_FlattenOp : Kiln_Op<"flatten", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "Collapses to 2-D: dimensions before `axis` and from `axis` on";
  let description = [{
    Example: `%y = kiln.flatten %x {axis = 1} : (tensor<8x512x1x1xf32>) -> tensor<8x512xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_SqueezeOp : Kiln_Op<"squeeze", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "Removes the size-1 dimensions listed in `axes`";
  let description = [{
    Example: `%y = kiln.squeeze %x {axes = array<i64: 2, 3>} : (tensor<8x512x1x1xf32>) -> tensor<8x512xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_UnsqueezeOp : Kiln_Op<"unsqueeze", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "Inserts size-1 dimensions at `axes` (positions in the result)";
  let description = [{
    Example: `%y = kiln.unsqueeze %x {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<1x3xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_TransposeOp : Kiln_Op<"transpose", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "Permutes dimensions: result dimension i is input dimension perm[i]";
  let description = [{
    Example: `%y = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_PadOp : Kiln_Op<"pad", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "Pads with a constant: `pads` lists all begins, then all ends";
  let description = [{
    Example:
    `%y = kiln.pad %x {pads = array<i64: 0, 1, 0, 1>, value = 0.0 : f64} : (tensor<2x3xf32>) -> tensor<2x5xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_SliceOp : Kiln_Op<"slice", [Kiln_Differentiable, Pure, InferTypeOpAdaptor]> {
  let summary = "Strided slice with one start, end and step per dimension";
  let description = [{
    Element i of dimension d is input element `starts[d] + i * steps[d]`. Bounds are
    normalised by the frontend: for a positive step 0 <= start <= end <= size; for a negative
    step -1 <= end <= start < size (or an empty slice).

    Example:
    ```mlir
    %y = kiln.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 2, 3>,
                        steps = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

include "dialects/Kiln/IR/KilnTrainingOps.td"

#endif // KILN_OPS_TD
