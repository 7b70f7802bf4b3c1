//===- checkpoint.cpp - save and restore a training run -------------------===//
//
// Format (little-endian), version 1:
//   "KILNCKPT"  u32 version  u32 tensor count  u64 fingerprint
//   7 x u64 position (step, epoch, stepInEpoch, microBatch, seed, globalBatch, trainSamples)
//   per tensor: u32 role, u32 dtype, u32 rank, u32 name length, name, rank x i64 dims,
//               u64 byte size, the bytes
//   u32 CRC-32 (zlib) of every byte before it
// The CRC is checked before anything else is believed, so a truncated or corrupt file is one
// clear error rather than a confusing one about its contents.
//
//===----------------------------------------------------------------------===//
#include "checkpoint.h"

#include "../files.h"
#include "../internal.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

using namespace kiln::runtime;
using kiln::train::TrainingArtifact;
using kiln::train::TrainingPosition;

namespace {

constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'C', 'K', 'P', 'T'};
constexpr uint32_t kVersion = 1;

/// One tensor as the checkpoint stores it; `data` points into the file's bytes.
struct StoredTensor {
  uint32_t role = 0, dtype = 0;
  std::vector<int64_t> shape;
  uint64_t byteSize = 0;
  const char *data = nullptr;
};

uint32_t crc32Of(const char *data, size_t size) {
  return static_cast<uint32_t>(
      crc32_z(crc32_z(0, nullptr, 0), reinterpret_cast<const Bytef *>(data), size));
}

template <typename T> void append(std::string &out, T value) {
  out.append(reinterpret_cast<const char *>(&value), sizeof(value));
}

/// Reads fixed-size values and byte ranges from the file, never past its end.
class Cursor {
public:
  Cursor(const std::string &bytes, size_t end) : bytes(bytes), end(end) {}

  template <typename T> bool read(T &value) {
    if (end - offset < sizeof(T))
      return false;
    std::memcpy(&value, bytes.data() + offset, sizeof(T));
    offset += sizeof(T);
    return true;
  }

  const char *take(uint64_t size) {
    if (end - offset < size)
      return nullptr;
    const char *start = bytes.data() + offset;
    offset += size;
    return start;
  }

  bool atEnd() const { return offset == end; }

private:
  const std::string &bytes;
  size_t end;
  size_t offset = 0;
};

std::string describe(uint32_t role, uint32_t dtype, const std::vector<int64_t> &shape) {
  return std::string(kiln_role_name(static_cast<kiln_abi_role_t>(role))) + " " +
         kiln_dtype_name(static_cast<kiln_abi_dtype_t>(dtype)) + " " +
         shapeString(shape.data(), static_cast<uint32_t>(shape.size()));
}

std::string describe(const kiln_buffer_info_t &info) {
  return describe(info.role, info.dtype, std::vector<int64_t>(info.shape, info.shape + info.rank));
}

bool sameLayout(const kiln_buffer_info_t &info, const StoredTensor &stored) {
  return stored.role == info.role && stored.dtype == info.dtype &&
         stored.shape == std::vector<int64_t>(info.shape, info.shape + info.rank) &&
         stored.byteSize == info.byte_size;
}

/// The first difference between the artifact's persistent buffers and the checkpoint's
/// tensors, for the message that refuses a checkpoint of another model.
std::string firstDifference(const TrainingArtifact &artifact,
                            const std::map<std::string, StoredTensor> &stored) {
  for (uint32_t index : artifact.persistent) {
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact.artifact, index);
    auto found = stored.find(info.name);
    if (found == stored.end())
      return std::string("buffer '") + info.name + "' (" + describe(info) +
             ") is not in the checkpoint";
    if (!sameLayout(info, found->second))
      return std::string("buffer '") + info.name + "' is " + describe(info) +
             " in the artifact but " +
             describe(found->second.role, found->second.dtype, found->second.shape) +
             " in the checkpoint";
  }
  for (const auto &[name, tensor] : stored)
    if (kiln_artifact_find_buffer(artifact.artifact, name.c_str()) < 0)
      return "the checkpoint has '" + name + "', which the artifact lacks";
  return "the persistent buffers differ";
}

kiln_status_t readWholeFile(const std::string &path, std::string &out) {
  KILN_RETURN_IF_ERROR(checkRegularFile(path, "checkpoint"));
  std::ifstream file(path, std::ios::binary);
  out.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  if (!file && !file.eof())
    return makeStatus(KILN_STATUS_IO_ERROR, path + ": cannot read checkpoint");
  return nullptr;
}

} // namespace

uint64_t kiln::train::persistentFingerprint(const TrainingArtifact &artifact) {
  // FNV-1a over the buffers sorted by name, so only what they are counts, not their order.
  std::vector<kiln_buffer_info_t> buffers;
  for (uint32_t index : artifact.persistent)
    buffers.push_back(kiln_artifact_buffer_info(artifact.artifact, index));
  std::sort(buffers.begin(), buffers.end(),
            [](const auto &a, const auto &b) { return std::strcmp(a.name, b.name) < 0; });
  uint64_t hash = 0xcbf29ce484222325ull;
  auto add = [&hash](const void *data, size_t size) {
    for (size_t i = 0; i < size; ++i)
      hash = (hash ^ static_cast<const unsigned char *>(data)[i]) * 0x100000001b3ull;
  };
  for (const kiln_buffer_info_t &info : buffers) {
    add(info.name, std::strlen(info.name) + 1);
    uint32_t fields[] = {static_cast<uint32_t>(info.role), static_cast<uint32_t>(info.dtype),
                         info.rank};
    add(fields, sizeof(fields));
    add(info.shape, sizeof(int64_t) * info.rank);
  }
  return hash;
}

kiln_status_t kiln::train::saveCheckpoint(const std::string &path, kiln_session_t *session,
                                          const TrainingArtifact &artifact,
                                          const TrainingPosition &position) {
  std::string bytes(kMagic, sizeof(kMagic));
  append(bytes, kVersion);
  append(bytes, static_cast<uint32_t>(artifact.persistent.size()));
  append(bytes, persistentFingerprint(artifact));
  for (uint64_t field : {position.step, position.epoch, position.stepInEpoch,
                         position.microBatch, position.seed, position.globalBatch,
                         position.trainSamples})
    append(bytes, field);
  for (uint32_t index : artifact.persistent) {
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact.artifact, index);
    append(bytes, static_cast<uint32_t>(info.role));
    append(bytes, static_cast<uint32_t>(info.dtype));
    append(bytes, info.rank);
    append(bytes, static_cast<uint32_t>(std::strlen(info.name)));
    bytes += info.name;
    for (uint32_t d = 0; d < info.rank; ++d)
      append(bytes, info.shape[d]);
    append(bytes, info.byte_size);
    bytes.append(static_cast<const char *>(kiln_session_buffer_data(session, index)),
                 info.byte_size);
  }
  append(bytes, crc32Of(bytes.data(), bytes.size()));
  return writeFileAtomically(path, bytes, "checkpoint");
}

kiln_status_t kiln::train::loadCheckpoint(const std::string &path, kiln_session_t *session,
                                          const TrainingArtifact &artifact,
                                          TrainingPosition &position) {
  std::string bytes;
  KILN_RETURN_IF_ERROR(readWholeFile(path, bytes));
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": not a kiln checkpoint (bad magic; expected \"KILNCKPT\")");
  uint32_t storedCrc = 0;
  if (bytes.size() < sizeof(kMagic) + sizeof(storedCrc))
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": corrupt or truncated checkpoint (shorter than its header)");
  size_t body = bytes.size() - sizeof(storedCrc);
  std::memcpy(&storedCrc, bytes.data() + body, sizeof(storedCrc));
  if (crc32Of(bytes.data(), body) != storedCrc)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": corrupt or truncated checkpoint (CRC-32 mismatch)");

  Cursor cursor(bytes, body);
  cursor.take(sizeof(kMagic));
  uint32_t version = 0, count = 0;
  uint64_t fingerprint = 0;
  if (!cursor.read(version) || version != kVersion)
    return makeStatus(KILN_STATUS_INCOMPATIBLE,
                      path + ": checkpoint version " + std::to_string(version) +
                          ", this runtime reads version " + std::to_string(kVersion));
  TrainingPosition stored;
  bool ok = cursor.read(count) && cursor.read(fingerprint);
  for (uint64_t *field : {&stored.step, &stored.epoch, &stored.stepInEpoch, &stored.microBatch,
                          &stored.seed, &stored.globalBatch, &stored.trainSamples})
    ok = ok && cursor.read(*field);
  std::map<std::string, StoredTensor> tensors;
  for (uint32_t t = 0; ok && t < count; ++t) {
    StoredTensor tensor;
    uint32_t rank = 0, nameLength = 0;
    ok = cursor.read(tensor.role) && cursor.read(tensor.dtype) && cursor.read(rank) &&
         cursor.read(nameLength) && rank <= KILN_ABI_MAX_RANK;
    const char *name = ok ? cursor.take(nameLength) : nullptr;
    ok = ok && name;
    tensor.shape.resize(rank);
    for (uint32_t d = 0; ok && d < rank; ++d)
      ok = cursor.read(tensor.shape[d]);
    ok = ok && cursor.read(tensor.byteSize) && (tensor.data = cursor.take(tensor.byteSize));
    if (ok)
      tensors.emplace(std::string(name, nameLength), std::move(tensor));
  }
  if (!ok || !cursor.atEnd())
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": corrupt checkpoint (its tensor table does not parse)");
  if (fingerprint != persistentFingerprint(artifact) || tensors.size() != artifact.persistent.size())
    return makeStatus(KILN_STATUS_INCOMPATIBLE,
                      path + ": checkpoint of another model, not of " +
                          kiln_artifact_path(artifact.artifact) + ": " +
                          firstDifference(artifact, tensors));
  // Verified whole: only now touch the session.
  for (uint32_t index : artifact.persistent) {
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact.artifact, index);
    const StoredTensor &tensor = tensors.at(info.name);
    if (!sameLayout(info, tensor))
      return makeStatus(KILN_STATUS_INCOMPATIBLE, path + ": checkpoint of another model: " +
                                                      firstDifference(artifact, tensors));
  }
  for (uint32_t index : artifact.persistent) {
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact.artifact, index);
    std::memcpy(kiln_session_buffer_data(session, index), tensors.at(info.name).data,
                info.byte_size);
  }
  position = stored;
  return nullptr;
}
