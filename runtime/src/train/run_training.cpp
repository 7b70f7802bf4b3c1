//===- run_training.cpp - the training loop behind `kiln-run train` -------===//
//
// For each update: `accum` times { a micro-batch into the input and label buffers, set the
// seed scalar, run fwd_bwd }, then set lr, step and grad_scale = 1/accum and run apply_update
// (docs/training.md). With --replicas N, N sessions do so at once, each on a thread of its
// own and its own micro-batches, and their gradients are summed before apply_update
// (grad_scale = 1/(accum N); replicas.h). Everything that decides what an update computes
// (sample order, seed scalars, learning rate) is a function of the TrainingPosition and the
// options, never of wall time or earlier runs, which is what makes a resumed run
// bit-identical.
//
//===----------------------------------------------------------------------===//
#include "checkpoint.h"
#include "console_progress.h"
#include "epoch_order.h"
#include "evaluation.h"
#include "lr_schedule.h"
#include "metrics_log.h"
#include "onnx_export.h"
#include "replicas.h"

#include "../files.h"
#include "../internal.h"

#include "kiln/train.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>

using namespace kiln::runtime;
using namespace kiln::train;
namespace data = kiln::data;
using kiln::data::Dataset;

namespace {

using Clock = std::chrono::steady_clock;

/// `status` with `context` put in front of its message (NULL stays NULL).
kiln_status_t withContext(kiln_status_t status, const std::string &context) {
  if (!status)
    return nullptr;
  kiln_status_t wrapped = makeStatus(kiln_status_code(status),
                                     context + kiln_status_message(status));
  kiln_status_free(status);
  return wrapped;
}

kiln_status_t invalid(const std::string &message) {
  return makeStatus(KILN_STATUS_INVALID_ARGUMENT, message);
}

kiln_status_t checkOptions(const TrainOptions &o) {
  if (o.artifactPath.empty())
    return invalid("no artifact to train");
  if (o.dataSpec.empty() && (o.evaluateCheckpoint.empty() || o.evalDataSpec.empty()))
    return invalid("no training data (--data SPEC: idx:DIR, cifar10:DIR, cifar100:DIR, "
                   "jpeg:DIR, tfrecord:GLOB or synthetic)");
  if (o.epochs && o.steps)
    return invalid("--epochs and --steps both given; training stops at one of them");
  if ((o.epochs && !*o.epochs) || (o.steps && !*o.steps) || !o.accum || !o.replicas ||
      !o.logEvery)
    return invalid("--epochs, --steps, --accum, --replicas and --log-every must be at least 1");
  if (o.normalize && !(o.normalize->second > 0))
    return invalid("--normalize needs a positive standard deviation");
  for (float deviation : o.channelStd)
    if (!(deviation > 0))
      return invalid("--channel-std needs three positive standard deviations");
  if (!o.dataThreads)
    return invalid("--data-threads must be at least 1");
  if (!(o.lr.baseLr >= 0) || !(o.lr.warmupEpochs >= 0) || !(o.lr.gamma > 0))
    return invalid("--lr and --warmup-epochs must be >= 0, --lr-gamma > 0");
  if (o.lr.schedule == LrSchedule::Step && o.lr.stepEpochs.empty())
    return invalid("--lr-schedule step needs --lr-steps EPOCH,...");
  if (!o.resumePath.empty() && !o.evaluateCheckpoint.empty())
    return invalid("--resume and --evaluate both given; --evaluate only evaluates");
  return nullptr;
}

/// Fails now, not after hours of training, if `path` cannot be created: its directory must
/// exist and be writable, and `path` must not be a directory.
kiln_status_t checkWritable(const std::string &path, const char *what) {
  std::string dir = directoryOf(path);
  struct stat info;
  if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
    return makeStatus(KILN_STATUS_IO_ERROR,
                      path + ": cannot write " + what + ": it is a directory");
  if (stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || access(dir.c_str(), W_OK) != 0)
    return makeStatus(KILN_STATUS_IO_ERROR, path + ": cannot write " + what + ": directory '" +
                                                dir + "' does not exist or is not writable");
  return nullptr;
}

void storeScalar(kiln_session_t *session, const TrainingArtifact &artifact,
                 std::optional<uint32_t> buffer, double value) {
  if (!buffer)
    return;
  kiln_abi_dtype_t dtype = kiln_artifact_buffer_info(artifact.artifact, *buffer).dtype;
  kiln_element_store(dtype, kiln_session_buffer_data(session, *buffer), 0, value);
}

double loadScalar(kiln_session_t *session, const TrainingArtifact &artifact, uint32_t buffer) {
  kiln_abi_dtype_t dtype = kiln_artifact_buffer_info(artifact.artifact, buffer).dtype;
  return kiln_element_load(dtype, kiln_session_buffer_data(session, buffer), 0);
}

struct ArtifactOwner {
  kiln_artifact_t *artifact = nullptr;
  ~ArtifactOwner() { kiln_artifact_release(artifact); }
};
/// One session per replica; sessions[0] is the one evaluation, checkpoints and the export use.
struct SessionsOwner {
  std::vector<kiln_session_t *> sessions;
  ~SessionsOwner() {
    for (kiln_session_t *session : sessions)
      kiln_session_release(session);
  }
};

/// One run of runTraining: what it opened and where it stands.
class Trainer {
public:
  explicit Trainer(const TrainOptions &options)
      : options(options), progress(options.progress, options.out) {}

  kiln_status_t run();

private:
  kiln_status_t open();
  kiln_status_t openDatasets();
  kiln_status_t resume();
  kiln_status_t train();
  /// Starts the training loader on the rest of the current epoch, in `order`.
  void startEpoch(std::vector<uint64_t> order);
  kiln_status_t runUpdate();
  /// Runs `entry` in the first `count` replicas' sessions (all: every one), each on its
  /// thread (one replica: here).
  kiln_status_t runEverywhere(const char *entry, uint32_t count = UINT32_MAX);
  /// A log record of `kind` at the current position.
  LogRecord record(const char *kind, const ClassificationStats &stats, uint64_t images,
                   double seconds) const;
  kiln_status_t logStep();
  kiln_status_t evaluateNow();
  kiln_status_t saveCheckpointNow();
  void printSummary();

  uint64_t seed() const { return position.seed; }
  bool training() const { return options.evaluateCheckpoint.empty(); }
  /// 1-based number of the epoch in progress (or just finished).
  uint64_t epochNumber() const { return position.epoch + 1; }

  const TrainOptions &options;
  ConsoleProgress progress;
  ArtifactOwner artifactOwner;
  SessionsOwner sessionsOwner;
  std::vector<kiln_session_t *> &sessions = sessionsOwner.sessions;
  kiln_session_t *session = nullptr; // sessions[0]
  std::unique_ptr<ReplicaThreads> replicaThreads; // with more than one replica
  ReplicaReduction reduction;
  TrainingArtifact artifact;
  std::unique_ptr<Dataset> trainSet, evalSet;
  std::unique_ptr<data::BatchLoader> trainLoader, evalLoader;
  std::vector<data::LoadedBatch> batches; // one per replica
  std::unique_ptr<MetricsLog> log;

  TrainingPosition position;
  uint64_t stepsPerEpoch = 0, totalSteps = 0;
  uint64_t globalBatch = 0;
  double baseLr = 0, lr = 0;

  ClassificationStats epochStats;      // since the epoch began (or the run resumed)
  double trainSeconds = 0;             // in updates only: evaluation and checkpoints excluded
  uint64_t imagesTrained = 0, stepsTrained = 0;
  double secondsAtLastLog = 0;
  uint64_t imagesAtLastLog = 0;
  std::optional<uint64_t> evaluatedAtStep, savedAtStep;
};

kiln_status_t Trainer::open() {
  KILN_RETURN_IF_ERROR(checkOptions(options));
  KILN_RETURN_IF_ERROR(kiln_artifact_load(options.artifactPath.c_str(), &artifactOwner.artifact));
  for (uint32_t replica = 0; replica < options.replicas; ++replica) {
    sessions.push_back(nullptr);
    KILN_RETURN_IF_ERROR(kiln_session_create(artifactOwner.artifact, &sessions.back()));
  }
  session = sessions.front();
  batches.resize(options.replicas);
  if (options.replicas > 1) {
    KILN_RETURN_IF_ERROR(planReplicaReduction(sessions, reduction));
    replicaThreads = std::make_unique<ReplicaThreads>(options.replicas);
  }
  TrainingNeeds needs;
  needs.train = training();
  needs.evaluate = options.evaluate || !training();
  KILN_RETURN_IF_ERROR(bindTrainingArtifact(artifactOwner.artifact, needs, artifact));
  if (!options.checkpointPath.empty())
    KILN_RETURN_IF_ERROR(checkWritable(options.checkpointPath, "checkpoint"));
  if (!options.exportPath.empty()) {
    KILN_RETURN_IF_ERROR(checkWritable(options.exportPath, "ONNX model"));
    if (options.onnxModelPath.empty() && !*kiln_artifact_source(artifactOwner.artifact))
      return invalid(options.artifactPath +
                     ": the artifact names no source model; give --onnx-model for --export");
    // A model file or MLIR source has no ONNX model to write the weights into; kilnc
    // --emit=onnx makes one with the same initializer names (said now, not after training).
    std::string source = kiln_artifact_source(artifactOwner.artifact);
    auto endsWith = [&](const std::string &suffix) {
      return source.size() >= suffix.size() &&
             source.compare(source.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (options.onnxModelPath.empty() && (endsWith(".kiln") || endsWith(".mlir")))
      return invalid(options.artifactPath + ": the artifact was compiled from " + source +
                     ", not from an ONNX model; write its ONNX form with `kilnc " + source +
                     " --emit=onnx -o MODEL.onnx` and give --onnx-model MODEL.onnx for --export");
  }
  if (!options.logPath.empty())
    KILN_RETURN_IF_ERROR(MetricsLog::open(options.logPath, !options.resumePath.empty(), log));
  return openDatasets();
}

kiln_status_t Trainer::openDatasets() {
  data::DatasetOptions dataOptions;
  dataOptions.syntheticSamples = options.syntheticSamples;
  dataOptions.channelMean = options.channelMean;
  dataOptions.channelStd = options.channelStd;
  dataOptions.labelOffset = options.labelOffset;
  data::LoaderOptions loaderOptions;
  loaderOptions.threads = options.dataThreads;
  loaderOptions.prefetch = options.prefetch;
  uint64_t elements = artifact.sample.elements();
  if (training()) {
    KILN_RETURN_IF_ERROR(withContext(openDataset(options.dataSpec, data::Split::Train,
                                                 artifact.sample, dataOptions, trainSet),
                                     "training data: "));
    globalBatch = static_cast<uint64_t>(artifact.batch) * options.accum * options.replicas;
    stepsPerEpoch = trainSet->size() / globalBatch;
    if (!stepsPerEpoch)
      return makeStatus(KILN_STATUS_DATA_ERROR,
                        "training data: " + trainSet->describe() + " has fewer samples than " +
                            "one update takes (batch " + std::to_string(artifact.batch) +
                            " x accum " + std::to_string(options.accum) +
                            (options.replicas > 1
                                 ? " x replicas " + std::to_string(options.replicas)
                                 : std::string()) +
                            ")");
    totalSteps = options.steps ? *options.steps : options.epochs.value_or(1) * stepsPerEpoch;
    baseLr = scaledBaseLr(options.lr, globalBatch);
    trainLoader = std::make_unique<data::BatchLoader>(*trainSet, elements, loaderOptions);
  }
  if (options.evaluate || !training()) {
    const std::string &spec = options.evalDataSpec.empty() ? options.dataSpec
                                                           : options.evalDataSpec;
    KILN_RETURN_IF_ERROR(withContext(
        openDataset(spec, data::Split::Eval, artifact.sample, dataOptions, evalSet),
        "evaluation data (--eval-data names another set, --no-eval skips evaluation): "));
    evalLoader = std::make_unique<data::BatchLoader>(*evalSet, elements, loaderOptions);
  }
  return nullptr;
}

kiln_status_t Trainer::resume() {
  position.seed = options.seed.value_or(0);
  const std::string &path = training() ? options.resumePath : options.evaluateCheckpoint;
  if (path.empty())
    return nullptr;
  TrainingPosition stored;
  KILN_RETURN_IF_ERROR(loadCheckpoint(path, session, artifact, stored));
  for (size_t replica = 1; replica < sessions.size(); ++replica)
    for (uint32_t index : artifact.persistent)
      std::memcpy(kiln_session_buffer_data(sessions[replica], index),
                  kiln_session_buffer_data(session, index),
                  kiln_artifact_buffer_info(artifact.artifact, index).byte_size);
  position = stored;
  if (!training())
    return nullptr;
  bool midEpoch = stored.stepInEpoch != 0 && stored.stepInEpoch != stepsPerEpoch;
  if (midEpoch && (stored.globalBatch != globalBatch || stored.trainSamples != trainSet->size()))
    return makeStatus(KILN_STATUS_INCOMPATIBLE,
                      path + ": stopped in the middle of an epoch of a run with global batch " +
                          std::to_string(stored.globalBatch) + " over " +
                          std::to_string(stored.trainSamples) +
                          " samples; this run has global batch " + std::to_string(globalBatch) +
                          " over " + std::to_string(trainSet->size()) +
                          ", so it cannot continue that epoch");
  if (stored.stepInEpoch > stepsPerEpoch)
    position.stepInEpoch = stepsPerEpoch; // a run with longer epochs; this one's is over
  if (options.seed && *options.seed != stored.seed)
    std::fprintf(stderr, "kiln-run: warning: --seed %llu ignored: a resumed run keeps its "
                         "checkpoint's seed %llu\n",
                 static_cast<unsigned long long>(*options.seed),
                 static_cast<unsigned long long>(stored.seed));
  progress.line("resumed from " + path + " at step " + std::to_string(stored.step) +
                " (epoch " + std::to_string(epochNumber()) + ", " +
                std::to_string(position.stepInEpoch) + "/" + std::to_string(stepsPerEpoch) +
                " steps)");
  return nullptr;
}

void Trainer::startEpoch(std::vector<uint64_t> order) {
  data::EpochPlan plan;
  plan.order = std::move(order);
  plan.first = position.stepInEpoch * globalBatch;
  plan.end = stepsPerEpoch * globalBatch; // the samples of a last partial update are dropped
  plan.batch = static_cast<uint64_t>(artifact.batch);
  plan.seed = augmentationSeed(seed(), position.epoch);
  trainLoader->start(std::move(plan));
}

kiln_status_t Trainer::runEverywhere(const char *entry, uint32_t count) {
  if (!replicaThreads)
    return kiln_session_run(session, entry);
  return replicaThreads->run([&](uint32_t replica) -> kiln_status_t {
    return replica < count ? kiln_session_run(sessions[replica], entry) : nullptr;
  });
}

kiln_status_t Trainer::runUpdate() {
  auto start = Clock::now();
  uint64_t rows = static_cast<uint64_t>(artifact.batch);
  for (uint32_t micro = 0; micro < options.accum; ++micro) {
    for (uint32_t replica = 0; replica < sessions.size(); ++replica) {
      KILN_RETURN_IF_ERROR(trainLoader->next(batches[replica]));
      storeBatch(sessions[replica], artifact, batches[replica], options.normalize);
      storeScalar(sessions[replica], artifact, artifact.seed,
                  static_cast<double>(microBatchSeed(seed(), position.microBatch)));
      ++position.microBatch;
    }
    KILN_RETURN_IF_ERROR(runEverywhere("fwd_bwd"));
    for (uint32_t replica = 0; replica < sessions.size(); ++replica) {
      epochStats.addMeanLoss(loadScalar(sessions[replica], artifact, *artifact.loss), rows);
      scoreLogits(sessions[replica], artifact, batches[replica].labels, /*withLoss=*/false,
                  epochStats);
    }
  }
  lr = learningRate(options.lr, baseLr, position.step + 1, totalSteps, stepsPerEpoch);
  for (kiln_session_t *replica : sessions) {
    storeScalar(replica, artifact, artifact.lr, lr);
    storeScalar(replica, artifact, artifact.step, static_cast<double>(position.step + 1));
    storeScalar(replica, artifact, artifact.gradScale,
                1.0 / (static_cast<double>(options.accum) * options.replicas));
  }
  if (replicaThreads)
    KILN_RETURN_IF_ERROR(replicaThreads->run([&](uint32_t replica) -> kiln_status_t {
      reduceReplicaSlice(reduction, replica);
      return nullptr;
    }));
  KILN_RETURN_IF_ERROR(runEverywhere("apply_update"));
  ++position.step;
  ++position.stepInEpoch;
  trainSeconds += std::chrono::duration<double>(Clock::now() - start).count();
  imagesTrained += globalBatch;
  ++stepsTrained;
  return nullptr;
}

LogRecord Trainer::record(const char *kind, const ClassificationStats &stats, uint64_t images,
                          double seconds) const {
  LogRecord record;
  record.kind = kind;
  record.epoch = epochNumber();
  record.step = position.step;
  record.lr = lr;
  record.loss = stats.meanLoss();
  record.top1 = stats.top1Percent();
  record.top5 = stats.top5Percent();
  record.imagesPerSecond = seconds > 0 ? static_cast<double>(images) / seconds : 0;
  return record;
}

kiln_status_t Trainer::logStep() {
  bool logged = position.step % options.logEvery == 0 ||
                position.stepInEpoch == stepsPerEpoch || position.step == totalSteps;
  LogRecord record = this->record("train", epochStats, imagesTrained - imagesAtLastLog,
                                  trainSeconds - secondsAtLastLog);
  progress.step(record, position.stepInEpoch, stepsPerEpoch, logged);
  if (!logged)
    return nullptr;
  secondsAtLastLog = trainSeconds;
  imagesAtLastLog = imagesTrained;
  return log ? log->write(record) : nullptr;
}

kiln_status_t Trainer::evaluateNow() {
  ClassificationStats stats;
  double seconds = 0;
  // With replicas, each evaluates batches on its own thread (a team of OpenMP threads
  // started here would keep spinning beside the replicas' threads afterwards).
  auto runForwards = [&](uint32_t count) { return runEverywhere("forward", count); };
  KILN_RETURN_IF_ERROR(evaluate(sessions, runForwards, artifact, *evalLoader, evalSet->size(),
                                options.normalize, stats, seconds));
  evaluatedAtStep = position.step;
  progress.line(evalLine(epochNumber(), stats));
  return log ? log->write(record("eval", stats, stats.samples, seconds)) : nullptr;
}

kiln_status_t Trainer::saveCheckpointNow() {
  if (options.checkpointPath.empty() || savedAtStep == position.step)
    return nullptr;
  position.globalBatch = globalBatch;
  position.trainSamples = trainSet->size();
  KILN_RETURN_IF_ERROR(saveCheckpoint(options.checkpointPath, session, artifact, position));
  savedAtStep = position.step;
  return nullptr;
}

kiln_status_t Trainer::train() {
  startEpoch(epochOrder(trainSet->size(), options.shuffle, seed(), position.epoch));
  while (position.step < totalSteps) {
    if (position.stepInEpoch == stepsPerEpoch) {
      ++position.epoch;
      position.stepInEpoch = 0;
      startEpoch(epochOrder(trainSet->size(), options.shuffle, seed(), position.epoch));
      epochStats = ClassificationStats();
    }
    KILN_RETURN_IF_ERROR(runUpdate());
    KILN_RETURN_IF_ERROR(logStep());
    if (options.checkpointEvery && position.step % options.checkpointEvery == 0)
      KILN_RETURN_IF_ERROR(saveCheckpointNow());
    if (position.stepInEpoch == stepsPerEpoch) {
      if (options.evaluate)
        KILN_RETURN_IF_ERROR(evaluateNow());
      KILN_RETURN_IF_ERROR(saveCheckpointNow());
    }
  }
  if (options.evaluate && evaluatedAtStep != position.step)
    KILN_RETURN_IF_ERROR(evaluateNow());
  return saveCheckpointNow();
}

void Trainer::printSummary() {
  char line[200];
  double rate = trainSeconds > 0 ? static_cast<double>(imagesTrained) / trainSeconds : 0.0;
  // Whole images/s, but decimals for a slow model, which would otherwise read "0".
  std::snprintf(line, sizeof(line),
                "train: %.*f images/s (%llu steps, %llu images in %.2f s; %llu steps in all)",
                rate < 10 ? 2 : 0, rate,
                static_cast<unsigned long long>(stepsTrained),
                static_cast<unsigned long long>(imagesTrained), trainSeconds,
                static_cast<unsigned long long>(position.step));
  progress.line(line);
  uint64_t skipped = trainLoader->skipped() + (evalLoader ? evalLoader->skipped() : 0);
  if (skipped)
    progress.line(std::to_string(skipped) +
                  (skipped == 1 ? " sample failed to load and was skipped"
                                : " samples failed to load and were skipped") +
                  " (see the warnings above)");
}

kiln_status_t Trainer::run() {
  KILN_RETURN_IF_ERROR(open());
  KILN_RETURN_IF_ERROR(resume());
  if (!training()) {
    KILN_RETURN_IF_ERROR(evaluateNow());
  } else {
    uint64_t epochs = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch;
    progress.line("training " + options.artifactPath + " on " + trainSet->describe() + ": batch " +
                  std::to_string(artifact.batch) + " x accum " + std::to_string(options.accum) +
                  (options.replicas > 1 ? " x replicas " + std::to_string(options.replicas)
                                        : std::string()) +
                  ", " + std::to_string(stepsPerEpoch) + " steps per epoch, " +
                  std::to_string(totalSteps) + " steps (" + std::to_string(epochs) +
                  (epochs == 1 ? " epoch)" : " epochs)") + (evalSet ? ", evaluating on " + evalSet->describe() : ""));
    KILN_RETURN_IF_ERROR(train());
    printSummary();
  }
  if (options.exportPath.empty())
    return nullptr;
  std::string model = options.onnxModelPath.empty() ? kiln_artifact_source(artifact.artifact)
                                                    : options.onnxModelPath;
  KILN_RETURN_IF_ERROR(exportToOnnx(model, options.exportPath, session, artifact));
  progress.line("exported the trained weights to " + options.exportPath);
  return nullptr;
}

} // namespace

kiln_status_t kiln::train::runTraining(const TrainOptions &options) {
  return guardApi("kiln-run train", [&] { return Trainer(options).run(); });
}
