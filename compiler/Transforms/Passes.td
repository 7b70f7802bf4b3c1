//===- Passes.td - kiln graph transformations -----------------------------===//
#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnTrainingGraphPass : Pass<"kiln-training-graph", "mlir::ModuleOp"> {
  let summary = "Builds the training-mode loss function from the `forward` entry point";
  let description = [{
    Clones `@forward` into a private function that computes the loss of one micro-batch in
    training mode and marks it for `kiln-autodiff` (which turns it into `@fwd_bwd`):
    - batch norm uses batch statistics; the running mean and variance arguments become
      `state` buffers, updated in place with `running = momentum * running + (1 - momentum) *
      batch` (variance unbiased);
    - dropout draws a mask from `random_uniform` seeded by a new `seed` scalar input;
    - the loss (softmax cross-entropy with optional label smoothing over the first output's
      last axis against an i32 `label` input, or mean squared error against a `label` of the
      output's shape) becomes the first result, named `loss`, followed by the model outputs;
    - every float parameter not matched by a `freeze` pattern gets `kiln.wrt`.
  }];
  let options = [
    Option<"loss", "loss", "std::string", "\"softmax-cross-entropy\"",
           "softmax-cross-entropy or mse">,
    Option<"labelSmoothing", "label-smoothing", "double", "0.0",
           "Label smoothing for softmax cross-entropy">,
    Option<"bnMomentum", "bn-momentum", "double", "0.9",
           "Weight of the old running statistics in batch norm (PyTorch's 1 - momentum)">,
    ListOption<"freeze", "freeze", "std::string",
               "Regular expressions: matching parameters are not trained">
  ];
  let dependentDialects = ["::kiln::KilnDialect"];
}

def KilnAutodiffPass : Pass<"kiln-autodiff", "mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of functions marked `kiln.autodiff`";
  let description = [{
    For each function with `kiln.autodiff = "<name>"`, whose first result is a scalar float
    objective, creates the public function `<name>`: the same arguments, plus for each
    argument marked `kiln.wrt` a gradient buffer `<buffer>@grad` (role `gradient`); the same
    results, plus each gradient buffer with the gradient of the objective added to it. Each
    op's vector-Jacobian product comes from its `VjpOpInterface`; an op without one between a
    `kiln.wrt` argument and the objective is an error that names it. A private source
    function is removed afterwards.
  }];
  let dependentDialects = ["::kiln::KilnDialect"];
}

def KilnOptimizerPass : Pass<"kiln-optimizer", "mlir::ModuleOp"> {
  let summary = "Emits `apply_update`: one optimizer step over `fwd_bwd`'s gradient buffers";
  let description = [{
    For every gradient buffer `<p>@grad` of `@fwd_bwd`, updates parameter `<p>` from
    `g = grad_scale * <p>@grad` (the runtime sets `grad_scale` to 1 / micro-batches
    accumulated) with the chosen optimizer, learning rate `lr` and 1-based `step` (scalar
    inputs), and zeroes the gradient. Optimizer state lives in `optimizer_state` buffers
    `<p>@<slot>`. `l2` adds `l2 * p` to the gradient (through momentum, like a loss term);
    `weight-decay` subtracts `lr * weight-decay * p` from the parameter (decoupled). By default
    rank-1 parameters (biases, batch-norm scale and shift) are not decayed.
  }];
  let options = [
    Option<"optimizer", "optimizer", "std::string", "\"sgd\"", "sgd, adam or rmsprop">,
    Option<"momentum", "momentum", "double", "0.0", "SGD / RMSprop momentum">,
    Option<"nesterov", "nesterov", "bool", "false", "Nesterov momentum (SGD)">,
    Option<"weightDecay", "weight-decay", "double", "0.0", "Decoupled weight decay">,
    Option<"l2", "l2", "double", "0.0", "L2 regularisation added to the gradient">,
    Option<"decayAll", "decay-all", "bool", "false",
           "Also decay biases and batch-norm parameters (rank-1 parameters)">,
    Option<"beta1", "beta1", "double", "0.9", "Adam first-moment decay">,
    Option<"beta2", "beta2", "double", "0.999", "Adam second-moment decay">,
    Option<"epsilon", "epsilon", "double", "1e-8", "Adam / RMSprop denominator epsilon">,
    Option<"alpha", "alpha", "double", "0.99", "RMSprop squared-gradient decay">
  ];
  let dependentDialects = ["::kiln::KilnDialect"];
}

def KilnFoldBatchNormPass : Pass<"kiln-fold-batch-norm", "mlir::func::FuncOp"> {
  let summary = "Folds inference batch norm into the convolution that feeds it";
  let description = [{
    `batch_norm_inference(conv2d(x, W, b), s, beta, mean, var)`, where the convolution has no
    other user, becomes `conv2d(x, W * f, (b - mean) * f + beta)` with
    `f = s / sqrt(var + epsilon)` per output channel. The new weights are computed from the
    parameters by kiln arithmetic (parameters are buffers a user may replace, not constants),
    which costs one pass over the filter instead of one over the activations, and leaves one
    op where the convolution's epilogue can later absorb the bias. Run on inference graphs:
    kilnc applies it after the training passes, which replace the batch norms of the training
    graph by batch-statistics ones, so only evaluation entries are affected.
  }];
  let dependentDialects = ["::kiln::KilnDialect"];
}

def KilnHoistParameterMathPass : Pass<"kiln-hoist-parameter-math", "mlir::ModuleOp"> {
  let summary = "Moves what `forward` computes from parameters alone into a `prepare` entry";
  let description = [{
    On tensors, after kiln-lower-to-linalg and before kiln-strip-abi (it reads the
    `kiln.role` of the entry's arguments). In `forward`, every side-effect-free top-level op
    that reads at least one `parameter` or `state` argument and otherwise only such values and
    constants (filter layout changes, packed filters, batch-norm folding) moves into a new
    public function `prepare` that takes those arguments; each moved value that `forward`
    still reads becomes a result of `prepare` and a new argument of `forward`, both bound to
    a buffer `kiln.prepared.<n>` of role `prepared`. The runtime runs `prepare` before a
    `forward` whose parameters changed since the last run, so a step of inference no longer
    repeats the weights' preparation. A view of a parameter (reshape, slice) that nothing
    else moved reads stays in `forward`: moving it would only copy the parameter. An op that
    writes more elements than it reads (a bias broadcast) stays too, unless it carries the
    unit attribute `kiln.worth_preparing` (kiln-winograd's filter transforms).
  }];
  let options = [
    Option<"entry", "entry", "std::string", "\"forward\"", "The entry point to split">
  ];
}

#endif // KILN_TRANSFORMS_PASSES_TD
