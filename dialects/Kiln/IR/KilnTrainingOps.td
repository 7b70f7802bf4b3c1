//===- KilnTrainingOps.td - ops that training graphs add -----------------===//
//
// Backward forms of the contractions and pools, batch norm in training mode, and the small
// set of masking, broadcasting and random ops that gradients, losses and dropout are built
// from. The autodiff pass emits them; frontends may too (ONNX's training-mode BatchNorm).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINING_OPS_TD
#define KILN_TRAINING_OPS_TD

//===----------------------------------------------------------------------===//
// Broadcasting, comparison and selection
//===----------------------------------------------------------------------===//

def Kiln_BroadcastToOp : Kiln_Op<"broadcast_to", [Pure, Kiln_Differentiable]> {
  let summary = "Broadcasts the input numpy-style to the result's shape";
  let description = [{
    Example: `%y = kiln.broadcast_to %x : tensor<16x1x1xf32> -> tensor<8x16x4x4xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_CompareOp : Kiln_Op<"compare", [Pure, InferTypeOpAdaptor]> {
  let summary = "Elementwise comparison with numpy broadcasting, giving booleans (i1)";
  let description = [{
    `predicate` is one of `eq`, `ne`, `lt`, `le`, `gt`, `ge`; floats compare ordered (a NaN
    compares false except under `ne`).

    Example:
    `%m = kiln.compare %x, %zero {predicate = "gt"} : (tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xi1>`
  }];
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs, StrAttr:$predicate);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Kiln_SelectOp : Kiln_Op<"select", [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Picks on_true where the condition holds, else on_false (numpy broadcasting)";
  let description = [{
    Example:
    ```mlir
    %y = kiln.select %m, %x, %zero
        : (tensor<8x16xi1>, tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$condition, Kiln_Tensor:$on_true, Kiln_Tensor:$on_false);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_OneHotOp : Kiln_Op<"one_hot", [Pure]> {
  let summary = "Expands class indices into rows of off_value with on_value at the index";
  let description = [{
    The result has the indices' shape plus a trailing dimension of `depth`. An index outside
    [0, depth) gives a row of `off_value` (label smoothing uses on = 1 - e + e/depth,
    off = e/depth).

    Example:
    `%t = kiln.one_hot %labels {depth = 10, on_value = 1.0, off_value = 0.0} : tensor<8xi32> -> tensor<8x10xf32>`
  }];
  let arguments = (ins Kiln_Tensor:$indices, I64Attr:$depth,
                       DefaultValuedAttr<F64Attr, "1.0">:$on_value,
                       DefaultValuedAttr<F64Attr, "0.0">:$off_value);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$indices attr-dict `:` type($indices) `->` type($output)";
  let hasVerifier = 1;
}

def Kiln_RandomUniformOp : Kiln_Op<"random_uniform", [Pure]> {
  let summary = "Counter-based uniform random numbers in [0, 1) from a seed";
  let description = [{
    Element i is a hash of (seed, stream, i): the same seed and stream give the same tensor on
    every run and every thread count, so a resumed training run draws the same dropout masks.
    `stream` separates the random ops of one graph.

    Example: `%u = kiln.random_uniform %seed {stream = 3} : tensor<i64> -> tensor<8x64xf32>`
  }];
  let arguments = (ins TensorOf<[I64]>:$seed, DefaultValuedAttr<I64Attr, "0">:$stream);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$seed attr-dict `:` type($seed) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Backward contractions and pools
//===----------------------------------------------------------------------===//

def Kiln_Conv2DBackwardDataOp : Kiln_Op<"conv2d_backward_data", [Pure]> {
  let summary = "Gradient of conv2d with respect to its input";
  let description = [{
    Given the gradient of a conv2d's output and its filter, computes the gradient of its
    input (a transposed convolution). The attributes are the forward convolution's; the
    result type is the forward input's.

    Example:
    ```mlir
    %dx = kiln.conv2d_backward_data %dy, %w {strides = array<i64: 1, 1>,
        pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}
        : (tensor<8x16x28x28xf32>, tensor<16x1x3x3xf32>) -> tensor<8x1x28x28xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$output_grad, Kiln_FloatTensor:$filter,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$input_grad);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_Conv2DBackwardFilterOp : Kiln_Op<"conv2d_backward_filter", [Pure]> {
  let summary = "Gradient of conv2d with respect to its filter";
  let description = [{
    Given a conv2d's input and the gradient of its output, computes the gradient of the
    filter. The attributes are the forward convolution's; the result type is the filter's.

    Example:
    ```mlir
    %dw = kiln.conv2d_backward_filter %x, %dy {strides = array<i64: 1, 1>,
        pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}
        : (tensor<8x1x28x28xf32>, tensor<8x16x28x28xf32>) -> tensor<16x1x3x3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$output_grad,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$filter_grad);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_MaxPool2DBackwardOp : Kiln_Op<"max_pool2d_backward",
    [Pure, AllTypesMatch<["input", "input_grad"]>]> {
  let summary = "Gradient of max_pool2d: each window's gradient goes to its first maximum";
  let description = [{
    The attributes are the forward pool's. Within a window, the first maximum in row-major
    order receives the gradient (as in PyTorch), so ties never duplicate it.

    Example:
    ```mlir
    %dx = kiln.max_pool2d_backward %x, %dy {kernel = array<i64: 2, 2>,
        strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
        : (tensor<8x16x28x28xf32>, tensor<8x16x14x14xf32>) -> tensor<8x16x28x28xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$output_grad,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Kiln_FloatTensor:$input_grad);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_AvgPool2DBackwardOp : Kiln_Op<"avg_pool2d_backward", [Pure]> {
  let summary = "Gradient of avg_pool2d: each window's gradient spread over what it averaged";
  let description = [{
    The attributes are the forward pool's; the result type is the forward input's.

    Example:
    ```mlir
    %dx = kiln.avg_pool2d_backward %dy {kernel = array<i64: 2, 2>,
        strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
        : (tensor<8x16x14x14xf32>) -> tensor<8x16x28x28xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$output_grad, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs Kiln_FloatTensor:$input_grad);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_SliceBackwardOp : Kiln_Op<"slice_backward", [Pure]> {
  let summary = "Gradient of slice: the sliced gradient placed back into zeros";
  let description = [{
    Element i of dimension d of `output_grad` lands at `starts[d] + i * steps[d]` of a zero
    tensor of the result type. Steps are positive.

    Example:
    ```mlir
    %dx = kiln.slice_backward %dy {starts = array<i64: 0, 1>, steps = array<i64: 2, 1>}
        : (tensor<2x2xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$output_grad, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$steps);
  let results = (outs Kiln_Tensor:$input_grad);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalisation in training mode
//===----------------------------------------------------------------------===//

def Kiln_BatchNormTrainingOp : Kiln_Op<"batch_norm_training",
    [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Batch normalisation with the statistics of the batch";
  let description = [{
    Per channel (dimension 1): `mean` and `variance` (biased, divided by the element count)
    over all other dimensions, then
    `y = (x - mean) / sqrt(variance + epsilon) * scale + bias`. The running statistics are
    updated by ordinary arithmetic around the op, from its `mean` and `variance` results.

    Example:
    ```mlir
    %y, %mean, %var = kiln.batch_norm_training %x, %s, %b {epsilon = 1.0e-05 : f64}
        : (tensor<8x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>)
        -> (tensor<8x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>)
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                       Kiln_FloatTensor:$bias,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Kiln_FloatTensor:$output, Kiln_FloatTensor:$mean,
                      Kiln_FloatTensor:$variance);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

#endif // KILN_TRAINING_OPS_TD
