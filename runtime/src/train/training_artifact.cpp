//===- training_artifact.cpp - an artifact's buffers, by their training role ===//
//
// Checks everything the training loop will rely on before anything runs, so a mismatched
// artifact fails with a message instead of a wrong read hours later.
//
//===----------------------------------------------------------------------===//
#include "training_artifact.h"

#include "../internal.h"

#include <cstring>

using namespace kiln::runtime;

namespace {

bool isIntegerDtype(kiln_abi_dtype_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_U8: case KILN_DTYPE_I8: case KILN_DTYPE_U16: case KILN_DTYPE_I16:
  case KILN_DTYPE_I32: case KILN_DTYPE_I64: case KILN_DTYPE_U32: case KILN_DTYPE_U64:
    return true;
  default:
    return false;
  }
}

std::string describe(const kiln_buffer_info_t &info) {
  return std::string(kiln_dtype_name(info.dtype)) + " " + shapeString(info.shape, info.rank);
}

class Binder {
public:
  Binder(kiln_artifact_t *artifact) : artifact(artifact), path(kiln_artifact_path(artifact)) {}

  kiln_status_t error(const std::string &message) const {
    return makeStatus(KILN_STATUS_INVALID_ARTIFACT,
                      path + ": not a training artifact as docs/training.md describes: " +
                          message);
  }

  kiln_status_t requireEntry(const char *name, const char *purpose) const {
    if (kiln_artifact_find_entry(artifact, name) >= 0)
      return nullptr;
    return error(std::string("no entry point '") + name + "' (" + purpose + ")");
  }

  kiln_status_t bindInput(kiln::train::TrainingArtifact &out) const {
    std::vector<uint32_t> inputs;
    for (uint32_t i = 0; i < kiln_artifact_buffer_count(artifact); ++i)
      if (kiln_artifact_buffer_info(artifact, i).role == KILN_ROLE_INPUT)
        inputs.push_back(i);
    if (inputs.size() != 1)
      return error("the data loaders feed exactly one input, it has " +
                   std::to_string(inputs.size()));
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, inputs[0]);
    if (info.dtype != KILN_DTYPE_F32 || info.rank < 2 || info.shape[0] < 1)
      return error("input '" + std::string(info.name) + "' is " + describe(info) +
                   ", expected float32 B x ... with B >= 1");
    out.input = inputs[0];
    out.batch = info.shape[0];
    out.sample.inputName = info.name;
    out.sample.shape.assign(info.shape + 1, info.shape + info.rank);
    return nullptr;
  }

  kiln_status_t bindOutputs(kiln::train::TrainingArtifact &out) const {
    std::optional<uint32_t> logits;
    for (uint32_t i = 0; i < kiln_artifact_buffer_count(artifact); ++i) {
      kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, i);
      if (info.role != KILN_ROLE_OUTPUT)
        continue;
      if (std::strcmp(info.name, "loss") == 0) {
        if (info.rank != 0)
          return error("output 'loss' is " + describe(info) + ", expected a rank-0 scalar");
        out.loss = i;
      } else if (!logits) {
        logits = i;
      }
    }
    if (!logits)
      return error("no model output (the first output other than 'loss' is the logits)");
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, *logits);
    if (info.rank != 2 || info.shape[0] != out.batch || info.shape[1] < 1)
      return error("logits output '" + std::string(info.name) + "' is " + describe(info) +
                   ", expected B x classes with B = " + std::to_string(out.batch) +
                   " (only classification models can be trained from these datasets)");
    out.logits = *logits;
    out.sample.classes = info.shape[1];
    return nullptr;
  }

  kiln_status_t bindLabel(kiln::train::TrainingArtifact &out) const {
    int64_t index = kiln_artifact_find_buffer(artifact, "label");
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, static_cast<uint32_t>(index));
    if (index < 0 || info.role != KILN_ROLE_LABEL)
      return error("no buffer 'label' with role label");
    if (!isIntegerDtype(info.dtype) || info.rank != 1 || info.shape[0] != out.batch)
      return error("'label' is " + describe(info) + ", expected B = " +
                   std::to_string(out.batch) +
                   " integer class indices (float labels, as for MSE, have no data loader "
                   "yet)");
    out.label = static_cast<uint32_t>(index);
    return nullptr;
  }

  kiln_status_t bindScalars(kiln::train::TrainingArtifact &out) const {
    struct Scalar {
      const char *name;
      std::optional<uint32_t> *slot;
    };
    const Scalar scalars[] = {{"lr", &out.lr}, {"step", &out.step},
                              {"grad_scale", &out.gradScale}, {"seed", &out.seed}};
    for (uint32_t i = 0; i < kiln_artifact_buffer_count(artifact); ++i) {
      kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, i);
      if (info.role != KILN_ROLE_SCALAR_INPUT)
        continue;
      const Scalar *match = nullptr;
      for (const Scalar &scalar : scalars)
        if (std::strcmp(info.name, scalar.name) == 0)
          match = &scalar;
      if (!match)
        return error("scalar input '" + std::string(info.name) +
                     "' is none of those the runtime sets (lr, step, grad_scale, seed)");
      if (info.rank != 0)
        return error("scalar input '" + std::string(info.name) + "' is " + describe(info) +
                     ", expected rank 0");
      *match->slot = i;
    }
    return nullptr;
  }

private:
  kiln_artifact_t *artifact;
  std::string path;
};

} // namespace

kiln_status_t kiln::train::bindTrainingArtifact(kiln_artifact_t *artifact,
                                                const TrainingNeeds &needs,
                                                TrainingArtifact &out) {
  Binder binder(artifact);
  out = TrainingArtifact();
  out.artifact = artifact;
  if (needs.evaluate)
    KILN_RETURN_IF_ERROR(binder.requireEntry("forward", "evaluation runs it"));
  if (needs.train) {
    KILN_RETURN_IF_ERROR(binder.requireEntry("fwd_bwd", "each micro-batch runs it"));
    KILN_RETURN_IF_ERROR(binder.requireEntry("apply_update", "each update runs it"));
  }
  KILN_RETURN_IF_ERROR(binder.bindInput(out));
  KILN_RETURN_IF_ERROR(binder.bindOutputs(out));
  KILN_RETURN_IF_ERROR(binder.bindScalars(out));
  if (needs.train) {
    KILN_RETURN_IF_ERROR(binder.bindLabel(out));
    if (!out.loss)
      return binder.error("no output 'loss' (fwd_bwd's loss)");
    const std::pair<const char *, std::optional<uint32_t> *> required[] = {
        {"lr", &out.lr}, {"step", &out.step}, {"grad_scale", &out.gradScale}};
    for (const auto &[name, slot] : required)
      if (!*slot)
        return binder.error(std::string("no scalar input '") + name +
                            "' (apply_update takes lr, step and grad_scale)");
  }
  for (uint32_t i = 0; i < kiln_artifact_buffer_count(artifact); ++i) {
    kiln_abi_role_t role = kiln_artifact_buffer_info(artifact, i).role;
    if (role == KILN_ROLE_PARAMETER || role == KILN_ROLE_STATE ||
        role == KILN_ROLE_OPTIMIZER_STATE)
      out.persistent.push_back(i);
  }
  return nullptr;
}
