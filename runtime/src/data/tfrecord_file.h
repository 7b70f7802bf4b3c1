//===- tfrecord_file.h - the record framing of TFRecord files -------------===//
//
// A TFRecord file is a sequence of records, each: length (u64, little-endian), the masked
// CRC-32C of those 8 bytes (u32), `length` bytes of data, the masked CRC-32C of the data (u32).
// Opening a shard walks the headers (checking the length CRCs and that every record fits in the
// file); reading a record checks its data CRC.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_SRC_DATA_TFRECORD_FILE_H
#define KILN_RUNTIME_SRC_DATA_TFRECORD_FILE_H

#include "kiln/runtime.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::data {

/// One open TFRecord file and where its records lie. Reading is safe from several threads.
class TfRecordFile {
public:
  /// Opens and indexes `path`. A missing file is NOT_FOUND; a truncated record or a length CRC
  /// mismatch is a DATA_ERROR naming the file, the record and its byte offset.
  static kiln_status_t open(const std::string &path, std::unique_ptr<TfRecordFile> &out);
  ~TfRecordFile();
  TfRecordFile(const TfRecordFile &) = delete;
  TfRecordFile &operator=(const TfRecordFile &) = delete;

  const std::string &path() const { return filePath; }
  size_t records() const { return offsets.size(); }
  /// The data of record `record` (< records()) into `out`; a data CRC mismatch or a read
  /// error is an error naming the file and the record.
  kiln_status_t read(size_t record, std::string &out) const;

private:
  TfRecordFile(std::string path, int fd) : filePath(std::move(path)), fd(fd) {}

  std::string filePath;
  int fd;
  std::vector<uint64_t> offsets, lengths; // of each record's data
};

/// The framing of one record around `data`, as TensorFlow's TFRecordWriter writes it (for
/// tests and tools that make TFRecord files).
std::string frameTfRecord(const std::string &data);

} // namespace kiln::data

#endif // KILN_RUNTIME_SRC_DATA_TFRECORD_FILE_H
