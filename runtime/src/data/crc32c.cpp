//===- crc32c.cpp - CRC-32C (Castagnoli), as TFRecord framing uses it -----===//
//
// Every TFRecord is checked when it is read, so the CRC runs over every encoded image: the
// table-at-a-byte form would cost a tenth of a JPEG decode, the SSE4.2 instruction almost
// nothing.
//
//===----------------------------------------------------------------------===//
#include "crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace {

constexpr uint32_t kPolynomial = 0x82f63b78u; // Castagnoli, reflected

std::array<uint32_t, 256> makeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ (crc & 1 ? kPolynomial : 0);
    table[i] = crc;
  }
  return table;
}

uint32_t crcByTable(uint32_t crc, const uint8_t *bytes, size_t size) {
  static const std::array<uint32_t, 256> table = makeTable();
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crcByInstruction(uint32_t crc, const uint8_t *bytes,
                                                             size_t size) {
  uint64_t wide = crc;
  for (; size >= 8; size -= 8, bytes += 8) {
    uint64_t word;
    std::memcpy(&word, bytes, sizeof(word));
    wide = _mm_crc32_u64(wide, word);
  }
  crc = static_cast<uint32_t>(wide);
  for (; size; --size, ++bytes)
    crc = _mm_crc32_u8(crc, *bytes);
  return crc;
}
#endif

} // namespace

uint32_t kiln::data::crc32c(const void *data, size_t size) {
  const auto *bytes = static_cast<const uint8_t *>(data);
#if defined(__x86_64__)
  static const bool hasInstruction = __builtin_cpu_supports("sse4.2");
  if (hasInstruction)
    return ~crcByInstruction(~0u, bytes, size);
#endif
  return ~crcByTable(~0u, bytes, size);
}
