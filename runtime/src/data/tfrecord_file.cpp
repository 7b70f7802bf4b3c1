//===- tfrecord_file.cpp - the record framing of TFRecord files -----------===//
#include "tfrecord_file.h"
#include "crc32c.h"

#include "../internal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

using namespace kiln::runtime;
using kiln::data::TfRecordFile;

namespace {

constexpr size_t kHeaderBytes = 12, kFooterBytes = 4;

uint64_t littleEndian(const unsigned char *bytes, int count) {
  uint64_t value = 0;
  for (int i = count - 1; i >= 0; --i)
    value = (value << 8) | bytes[i];
  return value;
}

void appendLittleEndian(std::string &out, uint64_t value, int count) {
  for (int i = 0; i < count; ++i)
    out += static_cast<char>((value >> (8 * i)) & 0xff);
}

/// Reads exactly `size` bytes at `offset`; false on a short read or an error.
bool readAt(int fd, void *buffer, size_t size, uint64_t offset) {
  auto *bytes = static_cast<char *>(buffer);
  while (size) {
    ssize_t got = pread(fd, bytes, size, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return false;
    bytes += got;
    size -= static_cast<size_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return true;
}

std::string recordAt(size_t record, uint64_t offset) {
  return "record " + std::to_string(record) + " (byte " + std::to_string(offset) + ")";
}

} // namespace

kiln_status_t TfRecordFile::open(const std::string &path, std::unique_ptr<TfRecordFile> &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return makeStatus(errno == ENOENT ? KILN_STATUS_NOT_FOUND : KILN_STATUS_IO_ERROR,
                      path + ": cannot open TFRecord file: " + std::strerror(errno));
  std::unique_ptr<TfRecordFile> file(new TfRecordFile(path, fd));
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
    return makeStatus(KILN_STATUS_IO_ERROR, path + ": not a regular file");
  uint64_t size = static_cast<uint64_t>(info.st_size), offset = 0;
  while (offset < size) {
    size_t record = file->offsets.size();
    unsigned char header[kHeaderBytes];
    if (size - offset < kHeaderBytes)
      return makeStatus(KILN_STATUS_DATA_ERROR,
                        path + ": truncated TFRecord file: " + recordAt(record, offset) +
                            " has " + std::to_string(size - offset) +
                            " bytes, less than a 12-byte header");
    if (!readAt(fd, header, kHeaderBytes, offset))
      return makeStatus(KILN_STATUS_IO_ERROR, path + ": read error at byte " +
                                                  std::to_string(offset));
    if (littleEndian(header + 8, 4) != maskedCrc32c(header, 8))
      return makeStatus(KILN_STATUS_DATA_ERROR,
                        path + ": " + recordAt(record, offset) +
                            ": length CRC mismatch (a corrupt file, or not a TFRecord file)");
    uint64_t length = littleEndian(header, 8);
    uint64_t left = size - offset - kHeaderBytes;
    if (length > left || left - length < kFooterBytes)
      return makeStatus(KILN_STATUS_DATA_ERROR,
                        path + ": truncated TFRecord file: " + recordAt(record, offset) +
                            " needs " + std::to_string(length + kFooterBytes) +
                            " bytes after its header, the file has " + std::to_string(left));
    file->offsets.push_back(offset + kHeaderBytes);
    file->lengths.push_back(length);
    offset += kHeaderBytes + length + kFooterBytes;
  }
  out = std::move(file);
  return nullptr;
}

TfRecordFile::~TfRecordFile() { ::close(fd); }

kiln_status_t TfRecordFile::read(size_t record, std::string &out) const {
  uint64_t length = lengths[record];
  out.resize(length + kFooterBytes);
  if (!readAt(fd, out.data(), out.size(), offsets[record]))
    return makeStatus(KILN_STATUS_IO_ERROR, filePath + ": " +
                                                recordAt(record, offsets[record] - kHeaderBytes) +
                                                ": read error");
  uint32_t stored = static_cast<uint32_t>(
      littleEndian(reinterpret_cast<const unsigned char *>(out.data()) + length, 4));
  out.resize(length);
  if (stored != maskedCrc32c(out.data(), out.size()))
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      filePath + ": " + recordAt(record, offsets[record] - kHeaderBytes) +
                          ": data CRC mismatch (corrupt record)");
  return nullptr;
}

std::string kiln::data::frameTfRecord(const std::string &data) {
  std::string out;
  appendLittleEndian(out, data.size(), 8);
  appendLittleEndian(out, maskedCrc32c(out.data(), 8), 4);
  out += data;
  appendLittleEndian(out, maskedCrc32c(data.data(), data.size()), 4);
  return out;
}
