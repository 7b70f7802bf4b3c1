//===- input_pipeline_bench.cpp - images/s of kiln's input pipeline -------===//
//
// kiln-input-bench MODE THREADS SECONDS DIR, where DIR/train/<class>/*.JPEG:
//   decode    raw full-size TurboJPEG decodes (tjDecompressHeader3 + tjDecompress2 to RGB) of
//             the files' bytes, already in memory, on THREADS threads
//   pipeline  kiln's training pipeline through kiln/data.h: a loader with THREADS workers
//             over the jpeg:DIR dataset (file read, decode of the crop, random resized crop to
//             224 x 224, flip, ImageNet normalisation, CHW fp32), batches of 32
// Prints one line, "MODE THREADS IMAGES_PER_S IMAGES SECONDS", after at least SECONDS of
// work. bench/input_pipeline.py runs it next to Pillow and explains the numbers.
//
//===----------------------------------------------------------------------===//
#include "kiln/data.h"

#include <turbojpeg.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::string> jpegFiles(const std::string &dir) {
  std::vector<std::string> files;
  for (const auto &entry : fs::recursive_directory_iterator(dir + "/train"))
    if (entry.is_regular_file())
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

/// Each thread decodes images t, t + threads, ... of the in-memory files, round after round,
/// until `seconds` have passed.
int benchDecode(const std::vector<std::string> &files, unsigned threads, double seconds) {
  std::vector<std::string> bytes;
  for (const std::string &file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    bytes.push_back(contents.str());
  }
  std::atomic<uint64_t> decoded{0};
  std::atomic<bool> failed{false};
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      tjhandle handle = tjInitDecompress();
      std::vector<unsigned char> rgb;
      uint64_t count = 0;
      for (size_t i = t; since(start) < seconds; i += threads, ++count) {
        const std::string &jpeg = bytes[i % bytes.size()];
        const auto *data = reinterpret_cast<const unsigned char *>(jpeg.data());
        int width, height, subsampling, colorspace;
        if (tjDecompressHeader3(handle, data, jpeg.size(), &width, &height, &subsampling,
                                &colorspace) != 0)
          failed = true;
        rgb.resize(static_cast<size_t>(width) * height * 3);
        if (tjDecompress2(handle, data, jpeg.size(), rgb.data(), width, 0, height, TJPF_RGB, 0))
          failed = true;
      }
      decoded += count;
      tjDestroy(handle);
    });
  for (std::thread &worker : workers)
    worker.join();
  double elapsed = since(start);
  if (failed) {
    std::fprintf(stderr, "kiln-input-bench: a JPEG failed to decode\n");
    return 1;
  }
  std::printf("decode %u %.1f %llu %.3f\n", threads, decoded / elapsed,
              static_cast<unsigned long long>(decoded.load()), elapsed);
  return 0;
}

/// Prints `status`'s message and frees it; true if there was one.
bool failed(kiln_status_t status) {
  if (!status)
    return false;
  std::fprintf(stderr, "kiln-input-bench: %s\n", kiln_status_message(status));
  kiln_status_free(status);
  return true;
}

/// kiln's loader over jpeg:DIR, epoch after epoch, until `seconds` have passed.
int benchPipeline(const std::string &dir, unsigned threads, double seconds) {
  const int64_t shape[] = {3, 224, 224};
  kiln_dataset_options_t options;
  kiln_dataset_options_initialize(&options);
  options.shape = shape;
  options.rank = 3;
  options.classes = 1000;
  const float mean[3] = {0.485f, 0.456f, 0.406f}, deviation[3] = {0.229f, 0.224f, 0.225f};
  for (int c = 0; c < 3; ++c) {
    options.channel_mean[c] = mean[c];
    options.channel_std[c] = deviation[c];
  }
  kiln_dataset_t *dataset = nullptr;
  if (failed(kiln_dataset_open(("jpeg:" + dir).c_str(), &options, &dataset)))
    return 1;
  kiln_loader_options_t loaderOptions;
  kiln_loader_options_initialize(&loaderOptions);
  loaderOptions.batch = 32;
  loaderOptions.threads = threads;
  loaderOptions.prefetch = 2 * threads;
  kiln_loader_t *loader = nullptr;
  if (failed(kiln_loader_create(dataset, &loaderOptions, &loader)))
    return 1;
  kiln_dataset_release(dataset);
  uint64_t images = 0;
  int status = 0;
  auto start = Clock::now();
  for (uint64_t epoch = 0; since(start) < seconds && !status; ++epoch) {
    if (failed(kiln_loader_start_epoch(loader, epoch)))
      status = 1;
    for (uint64_t i = 0; !status && i < kiln_loader_batches(loader) && since(start) < seconds;
         ++i) {
      const float *samples = nullptr;
      const int32_t *labels = nullptr;
      uint64_t rows = 0;
      if (failed(kiln_loader_next(loader, &samples, &labels, &rows)))
        status = 1;
      images += rows;
    }
  }
  double elapsed = since(start);
  kiln_loader_release(loader);
  if (status)
    return status;
  std::printf("pipeline %u %.1f %llu %.3f\n", threads, images / elapsed,
              static_cast<unsigned long long>(images), elapsed);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: kiln-input-bench decode|pipeline THREADS SECONDS DIR\n");
    return 2;
  }
  std::string mode = argv[1];
  unsigned threads = static_cast<unsigned>(std::max(1, std::atoi(argv[2])));
  double seconds = std::atof(argv[3]);
  std::vector<std::string> files = jpegFiles(argv[4]);
  if (files.empty()) {
    std::fprintf(stderr, "kiln-input-bench: no files under %s/train\n", argv[4]);
    return 1;
  }
  if (mode == "decode")
    return benchDecode(files, threads, seconds);
  if (mode == "pipeline")
    return benchPipeline(argv[4], threads, seconds);
  std::fprintf(stderr, "kiln-input-bench: unknown mode '%s'\n", mode.c_str());
  return 2;
}
