//===- kiln/train.h - the runtime's training driver (C++ API) -------------===//
//
// Trains a training artifact (docs/training.md: entries forward, fwd_bwd, apply_update) on a
// dataset: the loop behind `kiln-run train`. Options mirror the command-line flags one to one;
// docs/runtime.md describes each flag, the checkpoint format and the log files.
//
// This is a C++ API (strings, vectors, optionals) on top of the C API of kiln/runtime.h; errors
// still come back as kiln_status_t, and no exception escapes runTraining.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TRAIN_H
#define KILN_TRAIN_H

#include "kiln/runtime.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace kiln::train {

/// How the learning rate moves over training (after the optional linear warm-up).
enum class LrSchedule { Constant, Step, Cosine };

/// The learning-rate recipe. Epoch positions are fractional: update u (1-based) of a run with
/// P updates per epoch starts at epoch (u - 1) / P.
struct LrOptions {
  double baseLr = 0.01;            /// --lr
  LrSchedule schedule = LrSchedule::Constant;
  double warmupEpochs = 0;         /// --warmup-epochs: linear from base/W up to base
  std::vector<double> stepEpochs;  /// --lr-steps: epochs at which Step multiplies by gamma
  double gamma = 0.1;              /// --lr-gamma
  uint64_t baseBatch = 0;          /// --lr-base-batch: base = lr * global batch / N (0: off)
};

/// Where progress goes while training.
enum class ProgressStyle {
  Auto,  /// a bar on stderr if it is a terminal, lines on stdout otherwise
  Bar,
  Lines,
};

/// Every option of `kiln-run train`.
struct TrainOptions {
  std::string artifactPath;
  std::string dataSpec;      /// --data: idx:DIR, cifar10:DIR, jpeg:DIR, tfrecord:GLOB, ...
  std::string evalDataSpec;  /// --eval-data: default derived from dataSpec
  std::optional<uint64_t> epochs; /// --epochs: total epochs from the start of training
  std::optional<uint64_t> steps;  /// --steps: total updates from the start of training
  uint32_t accum = 1;        /// --accum: micro-batches per update
  uint32_t replicas = 1;     /// --replicas: copies of the model trained here, a thread each
  LrOptions lr;
  bool shuffle = true;       /// --no-shuffle turns it off
  std::optional<uint64_t> seed; /// --seed (0 when not given)
  bool evaluate = true;      /// --no-eval turns it off
  uint64_t syntheticSamples = 1024;
  std::optional<std::pair<double, double>> normalize; /// --normalize MEAN,STD
  std::array<float, 3> channelMean = {0, 0, 0}; /// --channel-mean R,G,B (image datasets)
  std::array<float, 3> channelStd = {1, 1, 1};  /// --channel-std R,G,B (image datasets)
  int64_t labelOffset = 0;   /// --label-offset: subtracted from TFRecord labels
  uint32_t dataThreads = 2;  /// --data-threads: worker threads that load samples
  uint32_t prefetch = 2;     /// --prefetch: batches loaded ahead of training
  uint64_t logEvery = 50;
  std::string logPath;       /// --log: .csv, or .jsonl / .json for JSON lines
  std::string checkpointPath;
  uint64_t checkpointEvery = 0; /// --checkpoint-every: also every N updates (0: off)
  std::string resumePath;
  std::string evaluateCheckpoint; /// --evaluate: evaluation only, from this checkpoint
  std::string exportPath;    /// --export: trained weights into a copy of the ONNX model
  std::string onnxModelPath; /// --onnx-model: the model --export starts from
  ProgressStyle progress = ProgressStyle::Auto;
  FILE *out = stdout;        /// where lines and the summary go
};

/// Runs training (or, with evaluateCheckpoint, evaluation only) as the options say: loads the
/// artifact, checks it against docs/training.md, opens the datasets, trains, evaluates, writes
/// checkpoints, logs and the export. Every failure comes back as a status whose message names
/// the file, buffer or option involved.
kiln_status_t runTraining(const TrainOptions &options);

} // namespace kiln::train

#endif // KILN_TRAIN_H
