//===- onnx_export.h - trained weights back into the ONNX model -----------===//
#ifndef KILN_RUNTIME_SRC_TRAIN_ONNX_EXPORT_H
#define KILN_RUNTIME_SRC_TRAIN_ONNX_EXPORT_H

#include "training_artifact.h"

#include <string>

namespace kiln::train {

/// Reads the ONNX model at `modelPath`, replaces each graph initializer named like a parameter
/// or state buffer of `artifact` with the buffer's values from `session` (float32 raw_data,
/// same dims), and writes the model to `outPath` atomically. Fails, changing nothing, if a
/// parameter or state has no initializer of that name, or one of another element count or a
/// non-float type; the message lists every such buffer.
kiln_status_t exportToOnnx(const std::string &modelPath, const std::string &outPath,
                           kiln_session_t *session, const TrainingArtifact &artifact);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_ONNX_EXPORT_H
