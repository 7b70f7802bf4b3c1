//===- idx_file.cpp - the IDX array format of MNIST and Fashion-MNIST -----===//
//
// IDX: two zero bytes, a type byte (0x08: unsigned byte), the number of dimensions, each
// dimension as a big-endian u32, then the data row-major. yann.lecun.com distributes the files
// gzipped; zlib's gzread reads both forms, so the caller never needs to know which it has.
//
//===----------------------------------------------------------------------===//
#include "idx_file.h"

#include "../files.h"
#include "../internal.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace kiln::runtime;

namespace {

constexpr uint8_t kUnsignedByteType = 0x08;

/// The whole (decompressed) contents of `path`.
kiln_status_t readAllBytes(const std::string &path, std::string &out) {
  KILN_RETURN_IF_ERROR(checkRegularFile(path, "IDX file"));
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file)
    return makeStatus(KILN_STATUS_IO_ERROR,
                      path + ": cannot open IDX file: " + std::strerror(errno));
  char chunk[1 << 16];
  int read = 0;
  while ((read = gzread(file, chunk, sizeof(chunk))) > 0)
    out.append(chunk, static_cast<size_t>(read));
  int error = Z_OK;
  std::string message = read < 0 ? gzerror(file, &error) : "";
  gzclose(file);
  if (read < 0)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": corrupt or truncated gzip data (" + message + ")");
  return nullptr;
}

uint32_t bigEndian32(const unsigned char *bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

} // namespace

kiln_status_t kiln::data::readIdxFile(const std::string &path, IdxArray &out) {
  std::string contents;
  KILN_RETURN_IF_ERROR(readAllBytes(path, contents));
  const auto *bytes = reinterpret_cast<const unsigned char *>(contents.data());
  if (contents.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": not an IDX file (bad magic; expected 00 00 08 <dims>)");
  if (bytes[2] != kUnsignedByteType) {
    char type[8];
    std::snprintf(type, sizeof(type), "0x%02x", bytes[2]);
    return makeStatus(KILN_STATUS_DATA_ERROR, path + ": IDX element type " + type +
                                                  " is not supported (only unsigned bytes, 0x08)");
  }
  uint32_t rank = bytes[3];
  size_t header = 4 + 4 * static_cast<size_t>(rank);
  if (rank == 0 || contents.size() < header)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": truncated IDX header (" + std::to_string(rank) +
                          " dimensions need " + std::to_string(header) + " bytes, file has " +
                          std::to_string(contents.size()) + ")");
  out.dims.clear();
  uint64_t count = 1;
  for (uint32_t i = 0; i < rank; ++i) {
    out.dims.push_back(bigEndian32(bytes + 4 + 4 * i));
    if (__builtin_mul_overflow(count, uint64_t{out.dims.back()}, &count))
      return makeStatus(KILN_STATUS_DATA_ERROR, path + ": IDX dimensions overflow");
  }
  uint64_t have = contents.size() - header;
  if (have != count)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": IDX data holds " + std::to_string(have) +
                          " bytes, but its dimensions need " + std::to_string(count) +
                          (have < count ? " (truncated file?)" : " (trailing bytes)"));
  out.bytes.assign(bytes + header, bytes + contents.size());
  return nullptr;
}
