//===- main.cpp - kiln-run: run compiled kiln artifacts -------------------===//
//
// A thin command line over the runtime's C API. Subcommands live in the `commands` table
// (`info`, `infer`, `train`; train's flags are in train_command.cpp). Exit codes: 0 success, 1 runtime error (bad
// artifact, bad tensor file, I/O), 2 usage error (unknown command or flag, missing value,
// wrong number of inputs).
//
//===----------------------------------------------------------------------===//
#include "cli.h"

#include "kiln/runtime.h"

#include <sys/stat.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace kiln::cli;

namespace {

/// One subcommand: its name, a one-line summary for the command list, its full help, and the
/// function that runs it on the arguments after the subcommand's name.
struct Command {
  const char *name;
  const char *summary;
  const char *help;
  int (*run)(const Args &args);
};

const char *const kInfoHelp =
    "usage: kiln-run info ARTIFACT.kx\n"
    "\n"
    "Loads and validates the artifact, then prints its descriptor: producer, source model,\n"
    "compile options and batch; every buffer (index, role, dtype, shape, bytes, name); and\n"
    "every entry point with the buffers it takes, in call order, and its memory plan: how\n"
    "many temporaries share how many bytes of the workspace buffer, what they would take\n"
    "without reuse, and how many are left to malloc/free inside a call.\n";

const char *const kInferHelp =
    "usage: kiln-run infer ARTIFACT.kx [--input FILE.pb]... [--output-dir DIR] [--repeat N]\n"
    "                      [--warmup N] [--print]\n"
    "\n"
    "Runs the artifact's `forward` entry point and prints the wall time of the run. An\n"
    "artifact with a `prepare` entry (weights laid out and packed for the code) runs it once\n"
    "first and prints its time apart.\n"
    "\n"
    "  --input FILE.pb   an ONNX TensorProto file for the next input. Inputs are the buffers\n"
    "                    with role `input`, in descriptor order (`kiln-run info` lists them;\n"
    "                    for an ONNX model, its graph inputs in order, initializers excluded).\n"
    "                    Give one file per input, or none: then every input is filled with\n"
    "                    deterministic pseudo-random values (floats in [0, 1), integers 0..9,\n"
    "                    booleans 0/1) and kiln-run says so. A file's dtype and shape must\n"
    "                    match its buffer exactly.\n"
    "  --output-dir DIR  write the buffers with role `output`, in descriptor order, to\n"
    "                    DIR/output_0.pb, DIR/output_1.pb, ... (TensorProto with name, dims,\n"
    "                    data_type and raw_data), creating DIR if it is missing. Without it,\n"
    "                    nothing is written.\n"
    "  --repeat N        run N times (N >= 1) on the same inputs and print the median and the\n"
    "                    minimum time; the outputs are those of the last run.\n"
    "  --warmup N        run N times first, untimed (default 0): a short model timed from a\n"
    "                    cold start measures the idle CPUs waking up (a 0.8-ms network ran\n"
    "                    at 2-3 ms in its first few runs on a shared 2-vCPU machine).\n"
    "  --print           print each output's name, dtype, shape and first values, and for a\n"
    "                    2-D output the argmax of each row (the predicted class of logits).\n"
    "  -h, --help        this text\n"
    "\n"
    "Flags with a value also accept --flag=VALUE.\n";

int runInfo(const Args &args);
int runInfer(const Args &args);

const Command commands[] = {
    {"train", "train a training artifact on a dataset; checkpoints, evaluation, ONNX export",
     kTrainHelp, runTrain},
    {"info", "print an artifact's buffers, entry points and compile options", kInfoHelp,
     runInfo},
    {"infer", "run an artifact's `forward` entry point on TensorProto inputs", kInferHelp,
     runInfer},
};

const Command *findCommand(const std::string &name) {
  for (const Command &command : commands)
    if (name == command.name)
      return &command;
  return nullptr;
}

void printHelp() {
  std::printf("usage: kiln-run <command> [options]\n"
              "\n"
              "Runs artifacts (.kx) compiled by kilnc.\n"
              "\n"
              "commands:\n");
  for (const Command &command : commands)
    std::printf("  %-8s %s\n", command.name, command.summary);
  std::printf("\n`kiln-run <command> --help` shows one command's help.\n"
              "Exit codes: 0 success, 1 runtime error (bad artifact, bad tensor file, I/O),\n"
              "2 usage error.\n"
              "Threads: an artifact's loops run on OpenMP threads (LLVM's libomp), one per\n"
              "hardware thread unless OMP_NUM_THREADS says otherwise; between loops they\n"
              "wait spinning (OMP_WAIT_POLICY=active) unless OMP_WAIT_POLICY, KMP_LIBRARY or\n"
              "KMP_BLOCKTIME is set.\n");
  for (const Command &command : commands)
    std::printf("\n%s", command.help);
}

std::string shapeOf(const kiln_buffer_info_t &info) {
  std::string text = "[";
  for (uint32_t i = 0; i < info.rank; ++i)
    text += (i ? ", " : "") + std::to_string(info.shape[i]);
  return text + "]";
}

std::vector<uint32_t> buffersWithRole(const kiln_artifact_t *artifact, kiln_abi_role_t role) {
  std::vector<uint32_t> indices;
  for (uint32_t i = 0; i < kiln_artifact_buffer_count(artifact); ++i)
    if (kiln_artifact_buffer_info(artifact, i).role == role)
      indices.push_back(i);
  return indices;
}

/// Owns an artifact or a session for the length of a subcommand.
struct ArtifactRef {
  kiln_artifact_t *artifact = nullptr;
  ~ArtifactRef() { kiln_artifact_release(artifact); }
};
struct SessionRef {
  kiln_session_t *session = nullptr;
  ~SessionRef() { kiln_session_release(session); }
};

int runInfo(const Args &args) {
  ArgReader reader("info", args);
  std::string artifactPath;
  while (reader.next()) {
    if (reader.isFlag())
      return usageError("info", "unknown option '" + reader.arg() + "' for info");
    if (!artifactPath.empty())
      return usageError("info", "info takes exactly one artifact");
    artifactPath = reader.arg();
  }
  if (artifactPath.empty())
    return usageError("info", "info needs an artifact");

  ArtifactRef ref;
  if (kiln_status_t status = kiln_artifact_load(artifactPath.c_str(), &ref.artifact))
    return runtimeError(status);
  const kiln_artifact_t *artifact = ref.artifact;
  int64_t batch = kiln_artifact_batch(artifact);
  std::printf("artifact: %s\nproducer: %s\nsource:   %s\noptions:  %s\nbatch:    %lld%s\n",
              kiln_artifact_path(artifact), kiln_artifact_producer(artifact),
              kiln_artifact_source(artifact), kiln_artifact_options(artifact),
              static_cast<long long>(batch), batch ? "" : " (not pinned)");

  uint64_t total = 0;
  for (uint32_t i = 0; i < kiln_artifact_buffer_count(artifact); ++i)
    total += kiln_artifact_buffer_info(artifact, i).byte_size;
  std::printf("buffers (%u, %llu bytes):\n", kiln_artifact_buffer_count(artifact),
              static_cast<unsigned long long>(total));
  std::printf("  %3s  %-16s %-9s %-20s %12s  %s\n", "#", "role", "dtype", "shape", "bytes",
              "name");
  for (uint32_t i = 0; i < kiln_artifact_buffer_count(artifact); ++i) {
    kiln_buffer_info_t b = kiln_artifact_buffer_info(artifact, i);
    std::printf("  %3u  %-16s %-9s %-20s %12llu  %s\n", i, kiln_role_name(b.role),
                kiln_dtype_name(b.dtype), shapeOf(b).c_str(),
                static_cast<unsigned long long>(b.byte_size), b.name);
  }

  std::printf("entry points (%u):\n", kiln_artifact_entry_count(artifact));
  for (uint32_t e = 0; e < kiln_artifact_entry_count(artifact); ++e) {
    std::printf("  %s(", kiln_artifact_entry_name(artifact, e));
    for (uint32_t a = 0; a < kiln_artifact_entry_arg_count(artifact, e); ++a) {
      uint32_t buffer = kiln_artifact_entry_arg(artifact, e, a);
      std::printf("%s%s", a ? ", " : "", kiln_artifact_buffer_info(artifact, buffer).name);
    }
    std::printf(")\n");
    kiln_entry_memory_plan_t plan = kiln_artifact_entry_memory_plan(artifact, e);
    if (plan.planned_buffers || plan.heap_buffers)
      std::printf("    memory plan: %u temporaries (%llu bytes without reuse) in %llu bytes of "
                  "workspace, %u left to the heap\n",
                  plan.planned_buffers, static_cast<unsigned long long>(plan.planned_bytes),
                  static_cast<unsigned long long>(plan.workspace_bytes), plan.heap_buffers);
  }
  return ExitSuccess;
}

bool isFloatDtype(kiln_abi_dtype_t dtype) {
  return dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F64 || dtype == KILN_DTYPE_F16 ||
         dtype == KILN_DTYPE_BF16;
}

/// Fills a buffer with reproducible values: floats in [0, 1), integers 0..9, booleans 0/1.
void fillPseudoRandom(void *data, const kiln_buffer_info_t &info, uint32_t seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  uint64_t count = info.byte_size / kiln_dtype_size(info.dtype);
  for (uint64_t i = 0; i < count; ++i) {
    double value = uniform(engine);
    if (info.dtype == KILN_DTYPE_BOOL)
      value = value < 0.5 ? 0.0 : 1.0;
    else if (!isFloatDtype(info.dtype))
      value = static_cast<double>(static_cast<int>(value * 10));
    kiln_element_store(info.dtype, data, i, value);
  }
}

/// Prints an output's name, dtype, shape and first values, and for a 2-D output the argmax of
/// each row.
void printOutput(const kiln_buffer_info_t &info, const void *data) {
  constexpr uint64_t maxValues = 10;
  constexpr int64_t maxRows = 64;
  std::printf("%s %s %s:", info.name, kiln_dtype_name(info.dtype), shapeOf(info).c_str());
  uint64_t count = info.byte_size / kiln_dtype_size(info.dtype);
  for (uint64_t i = 0; i < std::min(count, maxValues); ++i)
    std::printf(" %.6g", kiln_element_load(info.dtype, data, i));
  std::printf(count > maxValues ? " ...\n" : "\n");
  if (info.rank != 2 || info.shape[1] == 0)
    return;
  std::printf("  argmax per row:");
  int64_t rows = info.shape[0], columns = info.shape[1];
  for (int64_t r = 0; r < std::min(rows, maxRows); ++r) {
    int64_t best = 0;
    double bestValue = kiln_element_load(info.dtype, data, r * columns);
    for (int64_t c = 1; c < columns; ++c) {
      double value = kiln_element_load(info.dtype, data, r * columns + c);
      if (value > bestValue) {
        best = c;
        bestValue = value;
      }
    }
    std::printf(" %lld", static_cast<long long>(best));
  }
  std::printf(rows > maxRows ? " ...\n" : "\n");
}

/// Creates `path` and its missing parents, like `mkdir -p`; an existing directory is fine.
bool makeDirectories(const std::string &path, std::string &error) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    struct stat info;
    if (stat(prefix.c_str(), &info) == 0) {
      if (!S_ISDIR(info.st_mode)) {
        error = "'" + prefix + "' is not a directory";
        return false;
      }
    } else if (mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) {
      error = std::strerror(errno);
      return false;
    }
    if (slash == std::string::npos)
      return true;
  }
}

int runInfer(const Args &args) {
  ArgReader reader("infer", args);
  std::string artifactPath, outputDir;
  std::vector<std::string> inputs;
  long repeat = 1, warmup = 0;
  bool print = false;
  int error = 0;
  while (reader.next()) {
    const std::string &arg = reader.arg();
    if (arg == "--input") {
      std::optional<std::string> file = reader.value("a file", error);
      if (!file)
        return error;
      inputs.push_back(*file);
    } else if (arg == "--output-dir") {
      std::optional<std::string> dir = reader.value("a directory", error);
      if (!dir)
        return error;
      outputDir = *dir;
    } else if (arg == "--repeat" || arg == "--warmup") {
      std::optional<std::string> count = reader.value("a count", error);
      if (!count)
        return error;
      bool isRepeat = arg == "--repeat";
      char *end = nullptr;
      errno = 0;
      long parsed = std::strtol(count->c_str(), &end, 10);
      if (count->empty() || *end || errno == ERANGE || parsed < (isRepeat ? 1 : 0))
        return usageError("infer", arg + (isRepeat ? " needs a positive count" :
                                                     " needs a count of 0 or more") +
                                       ", not '" + *count + "'");
      (isRepeat ? repeat : warmup) = parsed;
    } else if (arg == "--print") {
      if (!reader.noValue(error))
        return error;
      print = true;
    } else if (reader.isFlag()) {
      return usageError("infer", "unknown option '" + arg + "' for infer");
    } else if (artifactPath.empty()) {
      artifactPath = arg;
    } else {
      return usageError("infer", "unexpected argument '" + arg + "' (input files go after "
                                 "--input)");
    }
  }
  if (artifactPath.empty())
    return usageError("infer", "infer needs an artifact");

  ArtifactRef artifactRef;
  if (kiln_status_t status = kiln_artifact_load(artifactPath.c_str(), &artifactRef.artifact))
    return runtimeError(status);
  kiln_artifact_t *artifact = artifactRef.artifact;

  std::vector<uint32_t> inputBuffers = buffersWithRole(artifact, KILN_ROLE_INPUT);
  if (!inputs.empty() && inputs.size() != inputBuffers.size()) {
    std::string expected;
    for (uint32_t index : inputBuffers)
      expected += std::string(expected.empty() ? "" : ", ") +
                  kiln_artifact_buffer_info(artifact, index).name;
    return usageError("infer", artifactPath + " takes " + std::to_string(inputBuffers.size()) +
                                   " input(s) (" + expected + "), got " +
                                   std::to_string(inputs.size()));
  }

  SessionRef sessionRef;
  if (kiln_status_t status = kiln_session_create(artifact, &sessionRef.session))
    return runtimeError(status);
  kiln_session_t *session = sessionRef.session;

  if (inputs.empty() && !inputBuffers.empty())
    std::fprintf(stderr, "kiln-run: no --input given: filling %zu input(s) with deterministic "
                         "pseudo-random values\n",
                 inputBuffers.size());
  for (size_t i = 0; i < inputBuffers.size(); ++i) {
    if (inputs.empty()) {
      fillPseudoRandom(kiln_session_buffer_data(session, inputBuffers[i]),
                       kiln_artifact_buffer_info(artifact, inputBuffers[i]),
                       1234 + static_cast<uint32_t>(i));
      continue;
    }
    if (kiln_status_t status =
            kiln_session_read_tensor_file(session, inputBuffers[i], inputs[i].c_str()))
      return runtimeError(status);
  }

  // Before running, so that a long run does not end in a failure to write its results.
  std::string directoryError;
  if (!outputDir.empty() && !makeDirectories(outputDir, directoryError))
    return runtimeError("cannot create output directory '" + outputDir + "': " +
                        directoryError);

  // Weights laid out once (kilnc's `prepare` entry): timed apart, so that `forward`'s time is
  // what every later run costs.
  if (kiln_artifact_find_entry(artifact, "prepare") >= 0) {
    auto start = std::chrono::steady_clock::now();
    if (kiln_status_t status = kiln_session_run(session, "prepare"))
      return runtimeError(status);
    std::printf("prepare: %.3f ms (once, before the first forward)\n",
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                          start)
                    .count());
  }

  for (long r = 0; r < warmup; ++r)
    if (kiln_status_t status = kiln_session_run(session, "forward"))
      return runtimeError(status);
  std::vector<double> millis;
  for (long r = 0; r < repeat; ++r) {
    auto start = std::chrono::steady_clock::now();
    if (kiln_status_t status = kiln_session_run(session, "forward"))
      return runtimeError(status);
    millis.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(millis.begin(), millis.end());
  if (repeat == 1) {
    std::printf("forward: %.3f ms\n", millis[0]);
  } else {
    size_t middle = millis.size() / 2;
    double median = millis.size() % 2 ? millis[middle] : (millis[middle - 1] + millis[middle]) / 2;
    std::printf("forward: median %.3f ms, min %.3f ms over %ld runs\n", median, millis[0],
                repeat);
  }

  std::vector<uint32_t> outputBuffers = buffersWithRole(artifact, KILN_ROLE_OUTPUT);
  for (size_t i = 0; i < outputBuffers.size(); ++i) {
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, outputBuffers[i]);
    if (print)
      printOutput(info, kiln_session_buffer_data(session, outputBuffers[i]));
    if (outputDir.empty())
      continue;
    std::string path = outputDir + "/output_" + std::to_string(i) + ".pb";
    if (kiln_status_t status =
            kiln_session_write_tensor_file(session, outputBuffers[i], path.c_str()))
      return runtimeError(status);
  }
  if (!outputDir.empty())
    std::printf("wrote %zu output(s) to %s\n", outputBuffers.size(), outputDir.c_str());
  return ExitSuccess;
}

bool isHelpFlag(const std::string &arg) { return arg == "--help" || arg == "-h"; }

} // namespace

/// Artifacts allocate their temporaries with malloc and free them within each call (until the
/// static memory plan lands). glibc serves large blocks with mmap and returns them at free, so
/// every step would page-fault its temporaries in again (16 % of a training step here);
/// keeping them in the heap makes later steps reuse the same pages.
static void keepLargeAllocationsInHeap() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

/// OpenMP threads wait for the next parallel region by spinning, unless the environment
/// says otherwise (OMP_WAIT_POLICY, or libomp's KMP_LIBRARY / KMP_BLOCKTIME). With libomp's
/// default policy a CIFAR ResNet-20 forward at batch 1 ran at 0.69-0.83 ms on these 2-vCPU
/// machines, about its one-thread time (a thread that yields while it waits comes late to a
/// short nest's tasks, and the other takes them all), where spinning threads ran it at
/// 0.43-0.48 ms in alternating runs; at batch 8 it ran at 3.0 or 5.8 ms from one run to the
/// next. Set before any artifact loads libomp, which reads its settings when it starts.
static void spinWaitingThreads() {
  for (const char *name : {"OMP_WAIT_POLICY", "KMP_LIBRARY", "KMP_BLOCKTIME"})
    if (std::getenv(name))
      return;
  setenv("OMP_WAIT_POLICY", "active", /*overwrite=*/0);
}

int main(int argc, char **argv) {
  keepLargeAllocationsInHeap();
  spinWaitingThreads();
  Args args(argv + 1, argv + argc);
  if (args.empty())
    return usageError(nullptr, "missing command");
  if (isHelpFlag(args[0]) || args[0] == "help") {
    const Command *command = args.size() > 1 ? findCommand(args[1]) : nullptr;
    if (args[0] == "help" && args.size() > 1 && !command)
      return usageError(nullptr, "unknown command '" + args[1] + "'");
    if (command)
      std::fputs(command->help, stdout);
    else
      printHelp();
    return ExitSuccess;
  }
  const Command *command = findCommand(args[0]);
  if (!command)
    return usageError(nullptr, "unknown command '" + args[0] + "'");
  Args rest(args.begin() + 1, args.end());
  if (std::any_of(rest.begin(), rest.end(), isHelpFlag)) {
    std::fputs(command->help, stdout);
    return ExitSuccess;
  }
  return command->run(rest);
}
