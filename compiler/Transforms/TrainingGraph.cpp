//===- TrainingGraph.cpp - the training-mode loss function of a model -----===//
//
// `@forward` stays the evaluation entry. Its copy becomes the loss of one micro-batch in
// training mode, which kiln-autodiff then turns into `@fwd_bwd` (docs/training.md).
//
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/EntryBuffers.h"
#include "compiler/Transforms/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/VjpUtils.h"

#include "llvm/Support/Regex.h"

namespace kiln {
#define GEN_PASS_DEF_KILNTRAININGGRAPHPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::vjp;

namespace {

constexpr StringLiteral kForwardName = "forward";
constexpr StringLiteral kLossSourceName = "loss";
constexpr StringLiteral kGradientEntryName = "fwd_bwd";

struct StateUpdate {
  unsigned argument;
  Value newValue;
};

/// Batch norm on running statistics becomes batch norm on batch statistics; the running
/// statistics (arguments of the entry) are updated from the batch's.
LogicalResult useBatchStatistics(func::FuncOp func, double momentum,
                                 SmallVectorImpl<StateUpdate> &updates,
                                 llvm::SmallSetVector<unsigned, 8> &stateArgs) {
  SmallVector<BatchNormInferenceOp> norms;
  func.walk([&](BatchNormInferenceOp op) { norms.push_back(op); });
  for (BatchNormInferenceOp op : norms) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto training = b.create<BatchNormTrainingOp>(loc, op.getInput(), op.getScale(),
                                                  op.getBias(), op.getEpsilonAttr());
    op.getOutput().replaceAllUsesWith(training.getOutput());
    auto runningMean = dyn_cast<BlockArgument>(op.getMean());
    auto runningVar = dyn_cast<BlockArgument>(op.getVariance());
    if (runningMean && runningVar) {
      RankedTensorType xType = typeOf(op.getInput());
      double count = static_cast<double>(xType.getNumElements() / xType.getDimSize(1));
      // PyTorch and TensorFlow keep the unbiased variance as the running estimate.
      double unbias = count > 1 ? count / (count - 1) : 1.0;
      if (stateArgs.insert(runningMean.getArgNumber()))
        updates.push_back({runningMean.getArgNumber(),
                           blendRunning(b, loc, runningMean, training.getMean(), momentum)});
      if (stateArgs.insert(runningVar.getArgNumber()))
        updates.push_back({runningVar.getArgNumber(),
                           blendRunning(b, loc, runningVar, training.getVariance(), momentum,
                                        unbias)});
    }
    op.erase();
  }
  return success();
}

/// Dropout in training form: keep each element with probability 1 - ratio and scale it by
/// 1 / (1 - ratio); the mask comes from the `seed` scalar input, one stream per dropout.
void useRandomDropout(func::FuncOp func) {
  SmallVector<DropoutOp> dropouts;
  func.walk([&](DropoutOp op) {
    if (op.getRatio().convertToDouble() > 0.0)
      dropouts.push_back(op);
  });
  if (dropouts.empty())
    return;
  auto seedType = RankedTensorType::get({}, IntegerType::get(func.getContext(), 64));
  Value seed = appendArgument(func, seedType, "seed", "scalar_input");
  int64_t stream = 0;
  for (DropoutOp op : dropouts) {
    OpBuilder b(op);
    Value kept = trainingDropout(b, op.getLoc(), op.getInput(), seed, stream++,
                                 op.getRatio().convertToDouble())
                     .first;
    op.getOutput().replaceAllUsesWith(kept);
    op.erase();
  }
}

/// Mean over the batch of softmax cross-entropy between `logits` (N x K) and class indices.
FailureOr<Value> softmaxCrossEntropy(func::FuncOp func, Value logits, double smoothing) {
  RankedTensorType type = typeOf(logits);
  if (type.getRank() != 2)
    return func.emitError("softmax cross-entropy needs N x classes logits as the first output, "
                          "got ")
           << type;
  OpBuilder b(func.getBody().front().getTerminator());
  Location loc = func.getLoc();
  int64_t batch = type.getDimSize(0), classes = type.getDimSize(1);
  auto labelType = RankedTensorType::get({batch}, b.getI32Type());
  Value labels = appendArgument(func, labelType, "label", "label");
  double off = smoothing / classes, on = 1.0 - smoothing + off;
  Value target = b.create<OneHotOp>(loc, type, labels, b.getI64IntegerAttr(classes),
                                    b.getF64FloatAttr(on), b.getF64FloatAttr(off));
  Value logProbs = b.create<LogSoftmaxOp>(loc, logits, b.getI64IntegerAttr(1));
  Value perSample = reduceSum(b, loc, mul(b, loc, target, logProbs), {1}, false);
  Value mean = b.create<ReduceMeanOp>(loc, perSample, ArrayRef<int64_t>{0}, false);
  return Value(b.create<NegOp>(loc, mean));
}

/// Mean over all elements of (output - label)^2.
Value meanSquaredError(func::FuncOp func, Value output) {
  OpBuilder b(func.getBody().front().getTerminator());
  Location loc = func.getLoc();
  Value labels = appendArgument(func, output.getType(), "label", "label");
  Value diff = sub(b, loc, output, labels);
  SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, typeOf(output).getRank()));
  return b.create<ReduceMeanOp>(loc, mul(b, loc, diff, diff), all, false);
}

struct KilnTrainingGraphPass : kiln::impl::KilnTrainingGraphPassBase<KilnTrainingGraphPass> {
  using KilnTrainingGraphPassBase::KilnTrainingGraphPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>(kForwardName);
    if (!forward) {
      module.emitError("training needs an entry function named 'forward'");
      return signalPassFailure();
    }
    for (StringRef taken : {kLossSourceName, kGradientEntryName})
      if (module.lookupSymbol(taken)) {
        module.emitError("the module already has a symbol named '") << taken << "'";
        return signalPassFailure();
      }
    if (forward.getNumResults() == 0) {
      forward.emitError("'forward' has no outputs to compute a loss from");
      return signalPassFailure();
    }
    SmallVector<llvm::Regex> frozen;
    for (const std::string &pattern : freeze) {
      std::string error;
      llvm::Regex regex(pattern);
      if (!regex.isValid(error)) {
        module.emitError("invalid --freeze pattern '") << pattern << "': " << error;
        return signalPassFailure();
      }
      frozen.push_back(std::move(regex));
    }
    if (bnMomentum < 0.0 || bnMomentum > 1.0 || labelSmoothing < 0.0 || labelSmoothing >= 1.0) {
      module.emitError("bn-momentum must be in [0, 1] and label-smoothing in [0, 1)");
      return signalPassFailure();
    }

    OpBuilder moduleBuilder(forward);
    moduleBuilder.setInsertionPointAfter(forward);
    auto loss = cast<func::FuncOp>(moduleBuilder.clone(*forward));
    loss.setSymName(kLossSourceName);
    loss.setPrivate();
    loss->setAttr("kiln.autodiff", moduleBuilder.getStringAttr(kGradientEntryName));

    SmallVector<StateUpdate> updates;
    llvm::SmallSetVector<unsigned, 8> stateArgs;
    if (failed(useBatchStatistics(loss, bnMomentum, updates, stateArgs)))
      return signalPassFailure();
    useRandomDropout(loss);

    auto ret = cast<func::ReturnOp>(loss.getBody().front().getTerminator());
    SmallVector<Value> outputs(ret.getOperands());
    FailureOr<Value> objective;
    if (this->loss == "softmax-cross-entropy")
      objective = softmaxCrossEntropy(loss, outputs[0], labelSmoothing);
    else if (this->loss == "mse")
      objective = meanSquaredError(loss, outputs[0]);
    else
      objective = module.emitError("unknown loss '")
                  << this->loss << "' (expected softmax-cross-entropy or mse)";
    if (failed(objective))
      return signalPassFailure();

    // Results: the loss, the model outputs, then the updated running statistics in place.
    SmallVector<Value> results = {*objective};
    SmallVector<DictionaryAttr> attrs = {bufferAttrs(&getContext(), "loss", "output")};
    for (unsigned i = 0; i < outputs.size(); ++i) {
      results.push_back(outputs[i]);
      attrs.push_back(loss.getResultAttrDict(i));
    }
    for (const StateUpdate &update : updates) {
      results.push_back(update.newValue);
      attrs.push_back(bufferAttrs(&getContext(), argBuffer(loss, update.argument), "state"));
    }
    setResults(loss, results, attrs);

    // Running statistics are state in every entry; trained parameters get kiln.wrt.
    for (unsigned index : stateArgs) {
      StringRef name = argBuffer(loss, index);
      for (func::FuncOp func : {forward, loss})
        if (std::optional<unsigned> arg = findArgument(func, name))
          func.setArgAttrs(*arg, bufferAttrs(&getContext(), name, "state"));
    }
    for (unsigned i = 0; i < loss.getNumArguments(); ++i) {
      StringRef name = argBuffer(loss, i);
      if (argRole(loss, i) != "parameter" || !isDifferentiable(loss.getArgument(i)))
        continue;
      if (llvm::any_of(frozen, [&](const llvm::Regex &r) { return r.match(name); }))
        continue;
      loss.setArgAttr(i, "kiln.wrt", UnitAttr::get(&getContext()));
    }
  }
};

} // namespace
