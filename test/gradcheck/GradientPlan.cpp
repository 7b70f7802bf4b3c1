//===- GradientPlan.cpp - which buffers kiln-gradcheck checks -------------===//
#include "GradientPlan.h"

#include <algorithm>

using namespace kiln::gradcheck;

namespace {

std::vector<uint32_t> entryArguments(const kiln_artifact_t *artifact, uint32_t entry) {
  std::vector<uint32_t> buffers;
  for (uint32_t a = 0; a < kiln_artifact_entry_arg_count(artifact, entry); ++a)
    buffers.push_back(kiln_artifact_entry_arg(artifact, entry, a));
  return buffers;
}

std::string entryList(const kiln_artifact_t *artifact) {
  std::string list;
  for (uint32_t e = 0; e < kiln_artifact_entry_count(artifact); ++e)
    list += std::string(e ? ", " : "") + kiln_artifact_entry_name(artifact, e);
  return list.empty() ? "none" : list;
}

bool isCheckedFloat(kiln_abi_dtype_t dtype) {
  return dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F64;
}

bool isFloat(kiln_abi_dtype_t dtype) {
  return isCheckedFloat(dtype) || dtype == KILN_DTYPE_F16 || dtype == KILN_DTYPE_BF16;
}

std::string shapeText(const kiln_buffer_info_t &info) {
  std::string text = "[";
  for (uint32_t i = 0; i < info.rank; ++i)
    text += (i ? ", " : "") + std::to_string(info.shape[i]);
  return text + "]";
}

uint64_t elementCount(const kiln_buffer_info_t &info) {
  return info.byte_size / kiln_dtype_size(info.dtype);
}

/// The entry to check when --entry is not given: F for the only entry named F_grad.
bool pickEntry(const kiln_artifact_t *artifact, std::string &entry, std::string &error) {
  const std::string suffix = "_grad";
  std::vector<std::string> candidates;
  for (uint32_t e = 0; e < kiln_artifact_entry_count(artifact); ++e) {
    std::string name = kiln_artifact_entry_name(artifact, e);
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      candidates.push_back(name.substr(0, name.size() - suffix.size()));
  }
  if (candidates.size() == 1) {
    entry = candidates[0];
    return true;
  }
  error = candidates.empty()
              ? "no gradient entry F_grad (entries: " + entryList(artifact) +
                    "); was the function marked kiln.autodiff?"
              : "several gradient entries; choose one with --entry (entries: " +
                    entryList(artifact) + ")";
  return false;
}

/// F's loss: its first argument with role output, a scalar f32 or f64.
bool findLoss(const kiln_artifact_t *artifact, const std::vector<uint32_t> &arguments,
              GradientPlan &plan, std::string &error) {
  for (uint32_t buffer : arguments) {
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, buffer);
    if (info.role != KILN_ROLE_OUTPUT)
      continue;
    if (elementCount(info) != 1 || info.rank != 0 || !isCheckedFloat(info.dtype)) {
      error = "the first output of entry '" + plan.entry + "', '" + info.name + "', is " +
              kiln_dtype_name(info.dtype) + shapeText(info) +
              "; the loss must be a scalar (rank 0) float32 or float64";
      return false;
    }
    plan.loss = buffer;
    plan.lossDtype = info.dtype;
    return true;
  }
  error = "entry '" + plan.entry + "' has no output buffer (its first output is the loss)";
  return false;
}

/// The X@grad buffers of F_grad, each matched with an argument X of F.
bool findTargets(const kiln_artifact_t *artifact, const std::vector<uint32_t> &fArguments,
                 const std::vector<uint32_t> &gradArguments, GradientPlan &plan,
                 std::string &error) {
  const std::string suffix = gradientSuffix();
  for (uint32_t buffer : gradArguments) {
    kiln_buffer_info_t grad = kiln_artifact_buffer_info(artifact, buffer);
    if (grad.role != KILN_ROLE_GRADIENT)
      continue;
    std::string gradName = grad.name;
    if (gradName.size() <= suffix.size() ||
        gradName.compare(gradName.size() - suffix.size(), suffix.size(), suffix) != 0) {
      error = "gradient buffer '" + gradName + "' of entry '" + plan.gradEntry +
              "' is not named after an argument (X" + suffix + ")";
      return false;
    }
    std::string name = gradName.substr(0, gradName.size() - suffix.size());
    int64_t argument = kiln_artifact_find_buffer(artifact, name.c_str());
    if (argument < 0 || std::find(fArguments.begin(), fArguments.end(),
                                  static_cast<uint32_t>(argument)) == fArguments.end()) {
      error = "gradient buffer '" + gradName + "' has no argument '" + name + "' in entry '" +
              plan.entry + "'";
      return false;
    }
    kiln_buffer_info_t arg = kiln_artifact_buffer_info(artifact, static_cast<uint32_t>(argument));
    if (arg.dtype != grad.dtype || shapeText(arg) != shapeText(grad)) {
      error = "gradient buffer '" + gradName + "' is " + kiln_dtype_name(grad.dtype) +
              shapeText(grad) + " but its argument '" + name + "' is " +
              kiln_dtype_name(arg.dtype) + shapeText(arg);
      return false;
    }
    if (!isCheckedFloat(arg.dtype)) {
      error = "argument '" + name + "' is " + kiln_dtype_name(arg.dtype) +
              "; kiln-gradcheck checks float32 and float64 gradients";
      return false;
    }
    plan.targets.push_back({name, static_cast<uint32_t>(argument), buffer, elementCount(arg),
                            arg.dtype});
  }
  if (plan.targets.empty()) {
    error = "entry '" + plan.gradEntry + "' has no gradient buffer (role gradient, named X" +
            suffix + "); was any argument marked kiln.wrt?";
    return false;
  }
  return true;
}

} // namespace

bool kiln::gradcheck::buildPlan(const kiln_artifact_t *artifact, const std::string &entry,
                                GradientPlan &plan, std::string &error) {
  plan.entry = entry;
  if (plan.entry.empty() && !pickEntry(artifact, plan.entry, error))
    return false;
  plan.gradEntry = plan.entry + "_grad";
  int64_t f = kiln_artifact_find_entry(artifact, plan.entry.c_str());
  int64_t fGrad = kiln_artifact_find_entry(artifact, plan.gradEntry.c_str());
  if (fGrad < 0) {
    error = "no entry '" + plan.gradEntry + "' in the artifact (entries: " +
            entryList(artifact) + ")";
    return false;
  }
  std::vector<uint32_t> gradArguments = entryArguments(artifact, static_cast<uint32_t>(fGrad));
  // Without F, F's arguments and results are F_grad's less the gradient buffers.
  plan.lossEntry = f >= 0 ? plan.entry : plan.gradEntry;
  std::vector<uint32_t> fArguments;
  if (f >= 0)
    fArguments = entryArguments(artifact, static_cast<uint32_t>(f));
  else
    for (uint32_t buffer : gradArguments)
      if (kiln_artifact_buffer_info(artifact, buffer).role != KILN_ROLE_GRADIENT)
        fArguments.push_back(buffer);
  if (!findLoss(artifact, fArguments, plan, error) ||
      !findTargets(artifact, fArguments, gradArguments, plan, error))
    return false;
  plan.gradEntryWritesLoss =
      std::find(gradArguments.begin(), gradArguments.end(), plan.loss) != gradArguments.end();
  for (const std::vector<uint32_t> *list : {&fArguments, &gradArguments})
    for (uint32_t buffer : *list) {
      kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact, buffer);
      bool randomised = (info.role == KILN_ROLE_INPUT || info.role == KILN_ROLE_PARAMETER) &&
                        isFloat(info.dtype);
      if (randomised &&
          std::find(plan.arguments.begin(), plan.arguments.end(), buffer) == plan.arguments.end())
        plan.arguments.push_back(buffer);
    }
  return true;
}
