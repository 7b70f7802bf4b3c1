//===- batch.cpp - samples into the artifact's input and label buffers ----===//
#include "batch.h"

#include <cstring>

void kiln::train::storeBatch(kiln_session_t *session, const TrainingArtifact &artifact,
                             const data::LoadedBatch &batch,
                             const Normalization &normalization) {
  uint64_t elements = artifact.sample.elements();
  auto *input = static_cast<float *>(kiln_session_buffer_data(session, artifact.input));
  const std::vector<int32_t> &labels = batch.labels;
  size_t count = batch.rows();
  std::memcpy(input, batch.samples.data(), count * elements * sizeof(float));
  std::memset(input + count * elements, 0,
              (static_cast<uint64_t>(artifact.batch) - count) * elements * sizeof(float));
  if (normalization) {
    float mean = static_cast<float>(normalization->first);
    float scale = static_cast<float>(1.0 / normalization->second);
    for (uint64_t i = 0; i < count * elements; ++i)
      input[i] = (input[i] - mean) * scale;
  }
  if (artifact.label) {
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact.artifact, *artifact.label);
    void *label = kiln_session_buffer_data(session, *artifact.label);
    for (int64_t row = 0; row < artifact.batch; ++row)
      kiln_element_store(info.dtype, label, static_cast<uint64_t>(row),
                         static_cast<size_t>(row) < count ? labels[row] : 0);
  }
}

void kiln::train::scoreLogits(kiln_session_t *session, const TrainingArtifact &artifact,
                              const std::vector<int32_t> &labels, bool withLoss,
                              ClassificationStats &stats) {
  kiln_abi_dtype_t dtype = kiln_artifact_buffer_info(artifact.artifact, artifact.logits).dtype;
  const void *logits = kiln_session_buffer_data(session, artifact.logits);
  int64_t classes = artifact.sample.classes;
  std::vector<double> row(static_cast<size_t>(classes));
  for (size_t r = 0; r < labels.size(); ++r) {
    for (int64_t c = 0; c < classes; ++c)
      row[c] = kiln_element_load(dtype, logits, r * classes + c);
    stats.addSample(row.data(), classes, labels[r], withLoss);
  }
}
