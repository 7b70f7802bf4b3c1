//===- crc32c.h - CRC-32C (Castagnoli), as TFRecord framing uses it -------===//
#ifndef KILN_RUNTIME_SRC_DATA_CRC32C_H
#define KILN_RUNTIME_SRC_DATA_CRC32C_H

#include <cstddef>
#include <cstdint>

namespace kiln::data {

/// CRC-32C of `data[0..size)` (crc32c("123456789") = 0xe3069283), with the SSE4.2
/// instruction where the CPU has it and a table otherwise.
uint32_t crc32c(const void *data, size_t size);

/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8, so that a CRC stored
/// inside CRC'd data does not make the outer check trivial.
inline uint32_t maskedCrc32c(const void *data, size_t size) {
  uint32_t crc = crc32c(data, size);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

} // namespace kiln::data

#endif // KILN_RUNTIME_SRC_DATA_CRC32C_H
