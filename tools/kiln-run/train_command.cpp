//===- train_command.cpp - `kiln-run train`: flags into TrainOptions ------===//
//
// Only the command line lives here: each flag is a row of one table that parses its value into
// kiln::train::TrainOptions. The training itself is the runtime's (kiln/train.h). A bad flag
// or value is a usage error (exit 2); anything the runtime refuses is exit 1.
//
//===----------------------------------------------------------------------===//
#include "cli.h"

#include "kiln/train.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>

using namespace kiln::cli;
using kiln::train::LrSchedule;
using kiln::train::ProgressStyle;
using kiln::train::TrainOptions;

const char *const kiln::cli::kTrainHelp =
    "usage: kiln-run train ARTIFACT.kx --data SPEC [options]\n"
    "\n"
    "Trains a training artifact (kilnc --train; docs/training.md): for each update, --accum\n"
    "micro-batches through fwd_bwd, then apply_update. Evaluates with forward after each epoch\n"
    "and at the end, and prints `eval epoch E: loss L top1 P% top5 Q% (N images)` and\n"
    "`train: N images/s (...)`.\n"
    "\n"
    "data:\n"
    "  --data SPEC              training set, pixels scaled to [0, 1]:\n"
    "                             idx:DIR       MNIST-style train-images-idx3-ubyte and\n"
    "                                           train-labels-idx1-ubyte in DIR, raw or .gz\n"
    "                             cifar10:DIR   CIFAR-10 data_batch_1..5.bin in DIR\n"
    "                             cifar100:DIR  CIFAR-100 train.bin in DIR (fine labels)\n"
    "                             jpeg:DIR      DIR/train/<class>/*.JPEG; classes in sorted\n"
    "                                           order or as DIR/labels.txt lists them;\n"
    "                                           random resized crop and flip\n"
    "                             tfrecord:GLOB TFRecord shards of tf.Example records\n"
    "                                           (image/encoded, image/class/label)\n"
    "                             synthetic     fixed random samples and labels\n"
    "  --eval-data SPEC         evaluation set (default: the --data spec's evaluation split:\n"
    "                           t10k-* for idx:, test_batch.bin / test.bin for cifar, val/\n"
    "                           (resized and centre-cropped) for jpeg:, the same set for\n"
    "                           tfrecord: and synthetic)\n"
    "  --synthetic-samples N    samples of a synthetic set (default 1024)\n"
    "  --normalize MEAN,STD     then (x - MEAN) / STD (default: none)\n"
    "  --channel-mean R,G,B     image sets: (x - MEAN[c]) / STD[c] per channel on [0, 1]\n"
    "  --channel-std R,G,B      pixels (ImageNet: 0.485,0.456,0.406 and 0.229,0.224,0.225)\n"
    "  --label-offset N         subtracted from TFRecord labels (1 for TensorFlow's ImageNet\n"
    "                           records, whose classes count from 1)\n"
    "  --data-threads N         worker threads that load and augment samples (default 2)\n"
    "  --prefetch N             batches loaded ahead of training (default 2)\n"
    "  --no-shuffle             visit samples in file order (default: shuffled per epoch)\n"
    "  --seed S                 shuffle, augmentation and dropout seed (default 0); a resumed\n"
    "                           run keeps its checkpoint's\n"
    "  --drop-remainder         accepted for clarity: training always drops the samples that do\n"
    "                           not fill a last whole update (batch x accum x replicas)\n"
    "\n"
    "length (totals from the start of training, also when resuming):\n"
    "  --epochs N               train N epochs (default 1)\n"
    "  --steps N                train N updates instead\n"
    "  --accum K                micro-batches per update, grad_scale = 1/K (default 1)\n"
    "  --replicas N             train N copies of the model at once, each on a thread of its\n"
    "                           own and its own micro-batches (global batch = batch x accum x\n"
    "                           N; gradients summed before each update, batch-norm statistics\n"
    "                           per micro-batch; default 1: one copy whose loops use all\n"
    "                           OpenMP threads). An artifact compiled for batch B / N trains\n"
    "                           at global batch B\n"
    "\n"
    "learning rate:\n"
    "  --lr X                   base learning rate (default 0.01)\n"
    "  --lr-schedule NAME       constant, step or cosine (default constant)\n"
    "  --warmup-epochs E        linear warm-up over E epochs, any schedule (default 0)\n"
    "  --lr-steps E1,E2,...     step: multiply by --lr-gamma at these epochs\n"
    "  --lr-gamma G             step factor (default 0.1)\n"
    "  --lr-base-batch N        linear scaling: base = X * global batch / N (default: off)\n"
    "\n"
    "evaluation, logs, checkpoints, export:\n"
    "  --no-eval                no evaluation\n"
    "  --log-every N            a progress line (and log record) every N updates (default 50)\n"
    "  --log FILE               also write records to FILE: CSV (.csv) or JSON lines (.jsonl,\n"
    "                           .json): kind,epoch,step,lr,loss,top1,top5,images_per_s\n"
    "  --progress STYLE         auto (a bar on stderr if it is a terminal, else lines), bar or\n"
    "                           lines (default auto)\n"
    "  --checkpoint FILE        save after each epoch and at the end (written atomically)\n"
    "  --checkpoint-every N     also every N updates (default: off)\n"
    "  --resume FILE            continue a run from its checkpoint, bit-identically given the\n"
    "                           same options\n"
    "  --evaluate FILE          load this checkpoint and only evaluate\n"
    "  --export FILE.onnx       write the trained parameters and states into the source ONNX\n"
    "                           model's initializers\n"
    "  --onnx-model FILE        the model --export starts from (default: the artifact's source;\n"
    "                           for a .kiln source, `kilnc model.kiln --emit=onnx` writes one)\n"
    "  -h, --help               this text\n"
    "\n"
    "Flags with a value also accept --flag=VALUE.\n";

namespace {

/// Parses a flag's value into the options; returns an error message, empty if it was fine.
using Apply = std::function<std::string(const std::string &value, TrainOptions &options)>;

struct Flag {
  const char *name;
  const char *what; // the value it needs ("a count"), or nullptr for a switch
  Apply apply;
};

std::optional<uint64_t> parseCount(const std::string &text, uint64_t minimum) {
  if (text.empty() || text[0] == '-' || text[0] == '+')
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (*end || errno == ERANGE || value < minimum)
    return std::nullopt;
  return value;
}

std::optional<double> parseNumber(const std::string &text) {
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || !std::isfinite(value))
    return std::nullopt;
  return value;
}

std::optional<std::vector<double>> parseNumbers(const std::string &text) {
  std::vector<double> values;
  for (size_t start = 0;;) {
    size_t comma = text.find(',', start);
    std::optional<double> value = parseNumber(text.substr(start, comma - start));
    if (!value)
      return std::nullopt;
    values.push_back(*value);
    if (comma == std::string::npos)
      return values;
    start = comma + 1;
  }
}

/// A flag whose value is a whole number >= `minimum`, handed to `set`.
Apply count(uint64_t minimum, void (*set)(TrainOptions &, uint64_t)) {
  return [=](const std::string &value, TrainOptions &o) -> std::string {
    std::optional<uint64_t> parsed = parseCount(value, minimum);
    if (!parsed)
      return "needs a whole number >= " + std::to_string(minimum) + ", not '" + value + "'";
    set(o, *parsed);
    return "";
  };
}

/// A flag whose value is a number (> 0 if `positive`, else >= 0), handed to `set`.
Apply number(bool positive, void (*set)(TrainOptions &, double)) {
  return [=](const std::string &value, TrainOptions &o) -> std::string {
    std::optional<double> parsed = parseNumber(value);
    if (!parsed || *parsed < 0 || (positive && *parsed == 0))
      return std::string("needs a number ") + (positive ? "> 0" : ">= 0") + ", not '" + value +
             "'";
    set(o, *parsed);
    return "";
  };
}

/// A flag whose value must be one of `names`; `set` gets its position in the list.
Apply choice(std::vector<std::string> names, void (*set)(TrainOptions &, size_t)) {
  return [=](const std::string &value, TrainOptions &o) -> std::string {
    for (size_t i = 0; i < names.size(); ++i)
      if (value == names[i]) {
        set(o, i);
        return "";
      }
    std::string list;
    for (size_t i = 0; i < names.size(); ++i)
      list += (i ? (i + 1 == names.size() ? " or " : ", ") : "") + names[i];
    return "needs " + list + ", not '" + value + "'";
  };
}

/// A flag whose value is a non-empty string stored in `field`.
Apply text(std::string TrainOptions::*field) {
  return [=](const std::string &value, TrainOptions &o) -> std::string {
    if (value.empty())
      return "needs a value";
    o.*field = value;
    return "";
  };
}

/// A flag whose value is three numbers R,G,B (each > 0 if `positive`) stored in `field`.
Apply channels(bool positive, std::array<float, 3> TrainOptions::*field) {
  return [=](const std::string &value, TrainOptions &o) -> std::string {
    std::optional<std::vector<double>> values = parseNumbers(value);
    if (!values || values->size() != 3 ||
        (positive && !std::all_of(values->begin(), values->end(), [](double x) { return x > 0; })))
      return std::string("needs three numbers R,G,B") + (positive ? " > 0" : "") + ", not '" +
             value + "'";
    for (int c = 0; c < 3; ++c)
      (o.*field)[c] = static_cast<float>((*values)[c]);
    return "";
  };
}

/// A switch (no value), applied by `set`.
Apply toggle(void (*set)(TrainOptions &)) {
  return [=](const std::string &, TrainOptions &o) -> std::string {
    set(o);
    return "";
  };
}

using O = TrainOptions;

const Flag flags[] = {
    {"--data", "a spec", text(&O::dataSpec)},
    {"--eval-data", "a spec", text(&O::evalDataSpec)},
    {"--synthetic-samples", "a count", count(1, [](O &o, uint64_t n) { o.syntheticSamples = n; })},
    {"--normalize", "MEAN,STD",
     [](const std::string &v, O &o) -> std::string {
       std::optional<std::vector<double>> values = parseNumbers(v);
       if (!values || values->size() != 2 || !((*values)[1] > 0))
         return "needs MEAN,STD with STD > 0, not '" + v + "'";
       o.normalize = std::make_pair((*values)[0], (*values)[1]);
       return "";
     }},
    {"--channel-mean", "R,G,B", channels(false, &O::channelMean)},
    {"--channel-std", "R,G,B", channels(true, &O::channelStd)},
    {"--label-offset", "a count",
     count(0, [](O &o, uint64_t n) { o.labelOffset = static_cast<int64_t>(std::min<uint64_t>(n, INT32_MAX)); })},
    {"--data-threads", "a count",
     count(1, [](O &o, uint64_t n) { o.dataThreads = static_cast<uint32_t>(std::min<uint64_t>(n, 256)); })},
    {"--prefetch", "a count",
     count(1, [](O &o, uint64_t n) { o.prefetch = static_cast<uint32_t>(std::min<uint64_t>(n, 1024)); })},
    {"--no-shuffle", nullptr, toggle([](O &o) { o.shuffle = false; })},
    {"--seed", "a number", count(0, [](O &o, uint64_t n) { o.seed = n; })},
    {"--drop-remainder", nullptr, toggle([](O &) {})}, // always so; accepted for clarity
    {"--epochs", "a count", count(1, [](O &o, uint64_t n) { o.epochs = n; })},
    {"--steps", "a count", count(1, [](O &o, uint64_t n) { o.steps = n; })},
    {"--accum", "a count",
     count(1, [](O &o, uint64_t n) { o.accum = static_cast<uint32_t>(std::min<uint64_t>(n, UINT32_MAX)); })},
    {"--replicas", "a count",
     count(1, [](O &o, uint64_t n) { o.replicas = static_cast<uint32_t>(std::min<uint64_t>(n, 256)); })},
    {"--lr", "a number", number(false, [](O &o, double x) { o.lr.baseLr = x; })},
    // choice() lists follow the order of the enums in kiln/train.h.
    {"--lr-schedule", "a schedule name",
     choice({"constant", "step", "cosine"},
            [](O &o, size_t i) { o.lr.schedule = static_cast<LrSchedule>(i); })},
    {"--warmup-epochs", "a number", number(false, [](O &o, double x) { o.lr.warmupEpochs = x; })},
    {"--lr-steps", "epochs",
     [](const std::string &v, O &o) -> std::string {
       std::optional<std::vector<double>> values = parseNumbers(v);
       if (!values)
         return "needs comma-separated epochs such as 30,60,80, not '" + v + "'";
       o.lr.stepEpochs = *values;
       return "";
     }},
    {"--lr-gamma", "a number", number(true, [](O &o, double x) { o.lr.gamma = x; })},
    {"--lr-base-batch", "a count", count(1, [](O &o, uint64_t n) { o.lr.baseBatch = n; })},
    {"--no-eval", nullptr, toggle([](O &o) { o.evaluate = false; })},
    {"--log-every", "a count", count(1, [](O &o, uint64_t n) { o.logEvery = n; })},
    {"--log", "a file", text(&O::logPath)},
    {"--progress", "a style",
     choice({"auto", "bar", "lines"},
            [](O &o, size_t i) { o.progress = static_cast<ProgressStyle>(i); })},
    {"--checkpoint", "a file", text(&O::checkpointPath)},
    {"--checkpoint-every", "a count", count(1, [](O &o, uint64_t n) { o.checkpointEvery = n; })},
    {"--resume", "a file", text(&O::resumePath)},
    {"--evaluate", "a file", text(&O::evaluateCheckpoint)},
    {"--export", "a file", text(&O::exportPath)},
    {"--onnx-model", "a file", text(&O::onnxModelPath)},
};

} // namespace

int kiln::cli::runTrain(const Args &args) {
  ArgReader reader("train", args);
  TrainOptions options;
  int error = 0;
  while (reader.next()) {
    const std::string &arg = reader.arg();
    const Flag *flag = nullptr;
    for (const Flag &candidate : flags)
      if (arg == candidate.name)
        flag = &candidate;
    if (!flag && reader.isFlag())
      return usageError("train", "unknown option '" + arg + "' for train");
    if (!flag) {
      if (!options.artifactPath.empty())
        return usageError("train", "unexpected argument '" + arg + "' (train takes one artifact)");
      options.artifactPath = arg;
      continue;
    }
    std::string value;
    if (flag->what) {
      std::optional<std::string> given = reader.value(flag->what, error);
      if (!given)
        return error;
      value = *given;
    } else if (!reader.noValue(error)) {
      return error;
    }
    std::string problem = flag->apply(value, options);
    if (!problem.empty())
      return usageError("train", arg + " " + problem);
  }
  if (options.artifactPath.empty())
    return usageError("train", "train needs an artifact");
  if (options.dataSpec.empty() &&
      (options.evaluateCheckpoint.empty() || options.evalDataSpec.empty()))
    return usageError("train", "train needs --data SPEC (idx:DIR, cifar10:DIR, cifar100:DIR, "
                               "jpeg:DIR, tfrecord:GLOB or synthetic)");
  if (options.epochs && options.steps)
    return usageError("train", "give --epochs or --steps, not both");
  if (options.lr.schedule == LrSchedule::Step && options.lr.stepEpochs.empty())
    return usageError("train", "--lr-schedule step needs --lr-steps");
  if (!options.resumePath.empty() && !options.evaluateCheckpoint.empty())
    return usageError("train", "give --resume or --evaluate, not both");
  if (kiln_status_t status = kiln::train::runTraining(options))
    return runtimeError(status);
  return ExitSuccess;
}
