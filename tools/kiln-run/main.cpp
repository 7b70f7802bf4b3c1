//===- kiln-run.cpp - run compiled kiln artifacts -------------------------===//
//
// Subcommands: `info` prints an artifact's descriptor, `infer` runs its forward entry on
// TensorProto inputs. Exit codes: 0 success, 1 runtime error, 2 usage error.
//
//===----------------------------------------------------------------------===//
#include "kiln/runtime.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

const char *kUsage =
    "usage: kiln-run <command> [options]\n"
    "\n"
    "commands:\n"
    "  info ARTIFACT.kx          print the buffers, entry points and compile options\n"
    "  infer ARTIFACT.kx [--input FILE.pb]... [--output-dir DIR] [--repeat N] [--print]\n"
    "                            run the `forward` entry point. Inputs are ONNX TensorProto\n"
    "                            files given in graph-input order (parameters excluded);\n"
    "                            outputs are written as DIR/output_0.pb, output_1.pb, ... in\n"
    "                            graph-output order. Without --input, inputs are filled with\n"
    "                            deterministic pseudo-random values in [0, 1).\n"
    "      --repeat N            run N times and report the median and fastest time\n"
    "      --print               print each output's shape and first values (and the argmax\n"
    "                            of each row of a 2-D output)\n"
    "\n"
    "  kiln-run --help           this text\n";

int usageError(const std::string &message) {
  std::fprintf(stderr, "kiln-run: error: %s\n(run `kiln-run --help` for usage)\n",
               message.c_str());
  return 2;
}

int runtimeError(kiln_status_t status) {
  std::fprintf(stderr, "kiln-run: error: %s\n", kiln_status_message(status));
  kiln_status_free(status);
  return 1;
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

int info(const std::vector<std::string> &args) {
  if (args.size() != 1)
    return usageError("info takes exactly one artifact");
  kiln_artifact_t *artifact = nullptr;
  if (kiln_status_t status = kiln_artifact_load(args[0].c_str(), &artifact))
    return runtimeError(status);
  std::printf("artifact: %s\nproducer: %s\nsource:   %s\noptions:  %s\nbatch:    %lld\n",
              kiln_artifact_path(artifact), kiln_artifact_producer(artifact),
              kiln_artifact_source(artifact), kiln_artifact_options(artifact),
              static_cast<long long>(kiln_artifact_batch(artifact)));
  std::printf("buffers (%u):\n", kiln_artifact_buffer_count(artifact));
  uint64_t total = 0;
  for (uint32_t i = 0; i < kiln_artifact_buffer_count(artifact); ++i) {
    kiln_buffer_info_t b = kiln_artifact_buffer_info(artifact, i);
    std::printf("  %3u  %-16s %-8s %-20s %10llu B  %s\n", i, kiln_role_name(b.role),
                kiln_dtype_name(b.dtype), shapeOf(b).c_str(),
                static_cast<unsigned long long>(b.byte_size), b.name);
    total += b.byte_size;
  }
  std::printf("  total %llu bytes\nentry points (%u):\n", static_cast<unsigned long long>(total),
              kiln_artifact_entry_count(artifact));
  for (uint32_t e = 0; e < kiln_artifact_entry_count(artifact); ++e) {
    std::printf("  %s(", kiln_artifact_entry_name(artifact, e));
    for (uint32_t a = 0; a < kiln_artifact_entry_arg_count(artifact, e); ++a)
      std::printf("%s%s", a ? ", " : "",
                  kiln_artifact_buffer_info(artifact, kiln_artifact_entry_arg(artifact, e, a)).name);
    std::printf(")\n");
  }
  kiln_artifact_release(artifact);
  return 0;
}

/// Fills a buffer with reproducible values in [0, 1) (integers: 0..9, booleans: 0/1).
void fillPseudoRandom(void *data, const kiln_buffer_info_t &info, uint32_t seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  size_t count = info.byte_size / kiln_dtype_size(info.dtype);
  for (size_t i = 0; i < count; ++i) {
    double v = uniform(engine);
    switch (info.dtype) {
    case KILN_DTYPE_F32: static_cast<float *>(data)[i] = static_cast<float>(v); break;
    case KILN_DTYPE_F64: static_cast<double *>(data)[i] = v; break;
    case KILN_DTYPE_I64: static_cast<int64_t *>(data)[i] = static_cast<int64_t>(v * 10); break;
    case KILN_DTYPE_I32: static_cast<int32_t *>(data)[i] = static_cast<int32_t>(v * 10); break;
    case KILN_DTYPE_BOOL: static_cast<uint8_t *>(data)[i] = v < 0.5; break;
    default: static_cast<uint8_t *>(data)[i * kiln_dtype_size(info.dtype)] = 0; break;
    }
  }
}

/// Prints shape, the first values, and for an N x K float output the argmax of each row.
void printOutput(const kiln_buffer_info_t &info, const void *data) {
  std::printf("%s %s %s:", info.name, kiln_dtype_name(info.dtype), shapeOf(info).c_str());
  size_t count = info.byte_size / kiln_dtype_size(info.dtype);
  auto valueAt = [&](size_t i) -> double {
    switch (info.dtype) {
    case KILN_DTYPE_F32: return static_cast<const float *>(data)[i];
    case KILN_DTYPE_F64: return static_cast<const double *>(data)[i];
    case KILN_DTYPE_I64: return static_cast<double>(static_cast<const int64_t *>(data)[i]);
    case KILN_DTYPE_I32: return static_cast<const int32_t *>(data)[i];
    case KILN_DTYPE_BOOL: case KILN_DTYPE_U8: return static_cast<const uint8_t *>(data)[i];
    case KILN_DTYPE_I8: return static_cast<const int8_t *>(data)[i];
    default: return 0.0;
    }
  };
  for (size_t i = 0; i < std::min<size_t>(count, 10); ++i)
    std::printf(" %.6g", valueAt(i));
  std::printf(count > 10 ? " ...\n" : "\n");
  if (info.rank == 2 && info.shape[1] > 0) {
    std::printf("  argmax per row:");
    for (int64_t r = 0; r < info.shape[0]; ++r) {
      int64_t best = 0;
      for (int64_t c = 1; c < info.shape[1]; ++c)
        if (valueAt(r * info.shape[1] + c) > valueAt(r * info.shape[1] + best))
          best = c;
      std::printf(" %lld", static_cast<long long>(best));
    }
    std::printf("\n");
  }
}

int infer(const std::vector<std::string> &args) {
  std::string artifactPath, outputDir;
  std::vector<std::string> inputs;
  long repeat = 1;
  bool print = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    // The value of a flag that takes one, or null when the command line ends first.
    auto value = [&]() -> const std::string * {
      return i + 1 < args.size() ? &args[++i] : nullptr;
    };
    if (arg == "--input") {
      const std::string *v = value();
      if (!v)
        return usageError("--input needs a file");
      inputs.push_back(*v);
    } else if (arg == "--output-dir") {
      const std::string *v = value();
      if (!v)
        return usageError("--output-dir needs a directory");
      outputDir = *v;
    } else if (arg == "--repeat") {
      const std::string *v = value();
      char *end = nullptr;
      repeat = v ? std::strtol(v->c_str(), &end, 10) : 0;
      if (!v || *end || repeat < 1)
        return usageError("--repeat needs a positive count");
    } else if (arg == "--print") {
      print = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return usageError("unknown option '" + arg + "' for infer");
    } else if (artifactPath.empty()) {
      artifactPath = arg;
    } else {
      return usageError("unexpected argument '" + arg + "' (inputs go after --input)");
    }
  }
  if (artifactPath.empty())
    return usageError("infer needs an artifact");

  kiln_artifact_t *artifact = nullptr;
  if (kiln_status_t status = kiln_artifact_load(artifactPath.c_str(), &artifact))
    return runtimeError(status);
  kiln_session_t *session = nullptr;
  kiln_status_t status = kiln_session_create(artifact, &session);
  kiln_artifact_release(artifact); // the session holds its own reference
  if (status)
    return runtimeError(status);
  auto finish = [&](int code) {
    kiln_session_release(session);
    return code;
  };

  std::vector<uint32_t> inputBuffers = buffersWithRole(artifact, KILN_ROLE_INPUT);
  if (!inputs.empty() && inputs.size() != inputBuffers.size()) {
    std::string expected;
    for (uint32_t index : inputBuffers)
      expected += std::string(expected.empty() ? "" : ", ") +
                  kiln_artifact_buffer_info(artifact, index).name;
    return finish(usageError(artifactPath + " takes " + std::to_string(inputBuffers.size()) +
                             " input(s) (" + expected + "), got " +
                             std::to_string(inputs.size())));
  }
  for (size_t i = 0; i < inputBuffers.size(); ++i) {
    if (inputs.empty()) {
      fillPseudoRandom(kiln_session_buffer_data(session, inputBuffers[i]),
                       kiln_artifact_buffer_info(artifact, inputBuffers[i]), 1234 + i);
      continue;
    }
    if (kiln_status_t s = kiln_session_read_tensor_file(session, inputBuffers[i], inputs[i].c_str()))
      return finish(runtimeError(s));
  }
  if (inputs.empty() && !inputBuffers.empty())
    std::fprintf(stderr, "kiln-run: no --input given: using pseudo-random inputs in [0, 1)\n");

  std::vector<double> millis;
  for (long r = 0; r < repeat; ++r) {
    auto start = std::chrono::steady_clock::now();
    if (kiln_status_t s = kiln_session_run(session, "forward"))
      return finish(runtimeError(s));
    millis.push_back(std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - start)
                         .count());
  }
  std::vector<double> sorted = millis;
  std::sort(sorted.begin(), sorted.end());
  if (repeat == 1)
    std::printf("forward: %.3f ms\n", millis[0]);
  else
    std::printf("forward: median %.3f ms, min %.3f ms over %ld runs\n", sorted[sorted.size() / 2],
                sorted[0], repeat);

  std::vector<uint32_t> outputBuffers = buffersWithRole(artifact, KILN_ROLE_OUTPUT);
  if (!outputDir.empty()) {
    mkdir(outputDir.c_str(), 0777); // an existing directory is fine
    struct stat st;
    if (stat(outputDir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return finish(usageError("cannot create output directory '" + outputDir + "'"));
  }
  for (size_t i = 0; i < outputBuffers.size(); ++i) {
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, outputBuffers[i]);
    if (print)
      printOutput(info, kiln_session_buffer_data(session, outputBuffers[i]));
    if (outputDir.empty())
      continue;
    std::string path = outputDir + "/output_" + std::to_string(i) + ".pb";
    if (kiln_status_t s = kiln_session_write_tensor_file(session, outputBuffers[i], path.c_str()))
      return finish(runtimeError(s));
  }
  return finish(0);
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty())
    return usageError("missing command");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  static const std::map<std::string, std::function<int(const std::vector<std::string> &)>>
      commands = {{"info", info}, {"infer", infer}};
  auto command = commands.find(args[0]);
  if (command == commands.end())
    return usageError("unknown command '" + args[0] + "'");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  return command->second(rest);
}
