//===- TrainTestUtil.h - datasets, runs and checkpoints for training tests ===//
#ifndef KILN_TEST_UNIT_TRAINTESTUTIL_H
#define KILN_TEST_UNIT_TRAINTESTUTIL_H

#include "TestUtil.h"

#include "kiln/train.h"
#include "train/checkpoint.h"

#include <onnx/onnx_pb.h>

#include <dirent.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

namespace kiln::test {

/// What an artifact with input 'x' of one-sample `shape` and `classes` logits asks of data.
inline data::SampleSpec sampleSpec(std::vector<int64_t> shape = {1, 4, 4}, int64_t classes = 3) {
  data::SampleSpec spec;
  spec.inputName = "x";
  spec.shape = std::move(shape);
  spec.classes = classes;
  return spec;
}

/// The bytes of an unsigned-byte IDX file with `dims` and `data`.
inline std::string idxBytes(const std::vector<uint32_t> &dims, const std::vector<uint8_t> &data) {
  std::string bytes = {0, 0, 0x08, static_cast<char>(dims.size())};
  for (uint32_t dim : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes += static_cast<char>((dim >> shift) & 0xff);
  bytes.append(data.begin(), data.end());
  return bytes;
}

inline void writeGzip(const std::string &path, const std::string &bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr) << path;
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(file);
}

/// A learnable toy dataset: the image of class c is bright in row c (of 4) over low noise.
struct ToyData {
  std::vector<uint8_t> images, labels;
};

inline ToyData toyData(uint32_t count, uint32_t rows, uint32_t columns, uint32_t classes,
                       uint32_t salt) {
  ToyData data;
  uint32_t state = 12345 + salt;
  for (uint32_t n = 0; n < count; ++n) {
    uint32_t label = (n * 7 + salt) % classes;
    data.labels.push_back(static_cast<uint8_t>(label));
    for (uint32_t r = 0; r < rows; ++r)
      for (uint32_t c = 0; c < columns; ++c) {
        state = state * 1103515245u + 12345u;
        uint8_t noise = static_cast<uint8_t>((state >> 16) % 64);
        data.images.push_back(static_cast<uint8_t>(r == label ? 192 + noise : noise));
      }
  }
  return data;
}

/// Writes MNIST-style files for `train` and `test` samples into `dir` (gzipped or raw).
inline void writeIdxDir(const std::string &dir, uint32_t train, uint32_t test, bool gzip = false,
                        uint32_t rows = 4, uint32_t columns = 4, uint32_t classes = 3) {
  for (auto [prefix, count] : {std::pair<const char *, uint32_t>{"train", train}, {"t10k", test}}) {
    if (!count)
      continue;
    ToyData data = toyData(count, rows, columns, classes, std::string(prefix) == "t10k");
    std::string images = idxBytes({count, rows, columns}, data.images);
    std::string labels = idxBytes({count}, data.labels);
    std::string base = dir + "/" + prefix;
    if (gzip) {
      writeGzip(base + "-images-idx3-ubyte.gz", images);
      writeGzip(base + "-labels-idx1-ubyte.gz", labels);
    } else {
      writeFile(base + "-images-idx3-ubyte", images);
      writeFile(base + "-labels-idx1-ubyte", labels);
    }
  }
}

/// Options for training `artifact` on `dataSpec` quietly (lines, every step not logged).
inline train::TrainOptions trainOptions(const std::string &artifact, const std::string &dataSpec) {
  train::TrainOptions options;
  options.artifactPath = artifact;
  options.dataSpec = dataSpec;
  options.progress = train::ProgressStyle::Lines;
  options.logEvery = 1000;
  return options;
}

/// What runTraining printed and the message of its status ("" for success).
struct TrainResult {
  std::string error, output;
};

inline TrainResult runTrainingCaptured(train::TrainOptions options) {
  char *buffer = nullptr;
  size_t size = 0;
  FILE *out = open_memstream(&buffer, &size);
  options.out = out;
  TrainResult result;
  result.error = takeMessage(train::runTraining(options));
  std::fclose(out);
  result.output.assign(buffer, size);
  std::free(buffer);
  return result;
}

/// The float32 values of buffer `name` as the checkpoint at `path` stores them for `artifact`.
inline std::vector<float> checkpointValues(const char *artifactPath, const std::string &path,
                                           const char *name) {
  ArtifactPtr artifact = loadOrFail(artifactPath);
  SessionPtr session = sessionOrFail(artifact.get());
  train::TrainingArtifact bound;
  train::TrainingNeeds needs;
  EXPECT_EQ(takeMessage(train::bindTrainingArtifact(artifact.get(), needs, bound)), "");
  train::TrainingPosition position;
  EXPECT_EQ(takeMessage(train::loadCheckpoint(path, session.get(), bound, position)), "");
  int64_t index = kiln_artifact_find_buffer(artifact.get(), name);
  EXPECT_GE(index, 0) << name;
  kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact.get(), static_cast<uint32_t>(index));
  const float *data = static_cast<const float *>(
      kiln_session_buffer_data(session.get(), static_cast<uint32_t>(index)));
  return std::vector<float>(data, data + info.byte_size / sizeof(float));
}

/// ONNX models for --export.
inline void addInitializer(onnx::GraphProto &graph, const std::string &name, std::vector<int64_t> dims,
                    float fill) {
  onnx::TensorProto *tensor = graph.add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto::FLOAT);
  int64_t count = 1;
  for (int64_t dim : dims) {
    tensor->add_dims(dim);
    count *= dim;
  }
  for (int64_t i = 0; i < count; ++i) // typed field: the export must switch it to raw_data
    tensor->add_float_data(fill);
}

/// A small model whose initializers are named like the train fixture's parameters and state,
/// plus one that is not, and a node that must survive the export.
inline onnx::ModelProto fixtureModel(bool withState = true) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  onnx::GraphProto &graph = *model.mutable_graph();
  graph.set_name("softmax_regression");
  onnx::NodeProto *node = graph.add_node();
  node->set_op_type("Gemm");
  node->set_name("fc");
  addInitializer(graph, "fc.weight", {3, 16}, 9.0f);
  addInitializer(graph, "fc.bias", {3}, 9.0f);
  if (withState)
    addInitializer(graph, "x.running_mean", {1, 16}, 9.0f); // same count, other dims: fine
  addInitializer(graph, "unrelated", {2}, 5.0f);
  return model;
}

inline void writeModel(const std::string &path, const onnx::ModelProto &model) {
  std::ofstream out(path, std::ios::binary);
  ASSERT_TRUE(model.SerializeToOstream(&out));
}

inline onnx::ModelProto readModel(const std::string &path) {
  onnx::ModelProto model;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(model.ParseFromIstream(&in)) << path;
  return model;
}

/// Names of the entries of `dir`, without "." and "..".
inline std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  if (DIR *handle = opendir(dir.c_str())) {
    while (dirent *entry = readdir(handle))
      if (std::string(entry->d_name) != "." && std::string(entry->d_name) != "..")
        names.push_back(entry->d_name);
    closedir(handle);
  }
  return names;
}

/// Removes the plain files in `dir` (left by an earlier run of the same test) and creates it if
/// it is missing; returns `dir`.
inline std::string emptyDir(const std::string &dir) {
  mkdir(dir.c_str(), 0777);
  for (const std::string &name : listDir(dir))
    std::remove((dir + "/" + name).c_str());
  return dir;
}

} // namespace kiln::test

#endif // KILN_TEST_UNIT_TRAINTESTUTIL_H
