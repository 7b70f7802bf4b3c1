//===- idx_file.h - the IDX array format of MNIST and Fashion-MNIST -------===//
#ifndef KILN_RUNTIME_SRC_DATA_IDX_FILE_H
#define KILN_RUNTIME_SRC_DATA_IDX_FILE_H

#include "kiln/runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::data {

/// An unsigned-byte IDX array: dims (the first is the number of items) and the bytes.
struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> bytes;
};

/// Reads the IDX file at `path`, gzip-compressed or not (zlib tells them apart). Only the
/// unsigned-byte type (0x08) exists in MNIST; another type, a bad magic, or a file shorter than
/// its header and dims promise is a DATA_ERROR naming `path`; a missing file is NOT_FOUND.
kiln_status_t readIdxFile(const std::string &path, IdxArray &out);

} // namespace kiln::data

#endif // KILN_RUNTIME_SRC_DATA_IDX_FILE_H
