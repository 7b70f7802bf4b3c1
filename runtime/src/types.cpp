//===- types.cpp - roles, dtypes, shapes and element access ---------------===//
//
// Everything that interprets the numeric codes of abi.h: names for messages, element sizes,
// shape arithmetic, and loading or storing one element of any dtype (float16 and bfloat16
// converted by hand, since C++17 has no such types).
//
//===----------------------------------------------------------------------===//
#include "internal.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace kiln::runtime;

namespace {

template <typename To, typename From> To bitCast(From from) {
  static_assert(sizeof(To) == sizeof(From), "bitCast needs equal sizes");
  To to;
  std::memcpy(&to, &from, sizeof(to));
  return to;
}

float halfToFloat(uint16_t half) {
  uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  uint32_t exponent = (half >> 10) & 0x1fu;
  uint32_t mantissa = half & 0x3ffu;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float.
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) // infinity or NaN (payload kept)
    return bitCast<float>(sign | 0x7f800000u | (mantissa << 13));
  return bitCast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

/// Rounds to nearest, ties to even, like a hardware conversion.
uint16_t floatToHalf(float value) {
  uint32_t bits = bitCast<uint32_t>(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) // infinity, or NaN kept quiet
    return sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0u);
  if (magnitude >= 0x477ff000u) // >= 65520, halfway past the largest half (65504)
    return sign | 0x7c00u;
  if (magnitude < 0x38800000u) {
    // Below 2^-14, the smallest normal half: count units of 2^-24. Scaling by a power of two
    // is exact and nearbyint rounds ties to even; 1024 units is the smallest normal, correctly.
    float units = bitCast<float>(magnitude) * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(units));
  }
  // Normal: rebias the exponent, drop 13 mantissa bits rounding to nearest even (a carry into
  // the exponent is the right result).
  magnitude += 0xfffu + ((magnitude >> 13) & 1u);
  magnitude -= (127u - 15u) << 23;
  return sign | static_cast<uint16_t>(magnitude >> 13);
}

float bfloatToFloat(uint16_t bfloat) { return bitCast<float>(static_cast<uint32_t>(bfloat) << 16); }

uint16_t floatToBfloat(float value) {
  uint32_t bits = bitCast<uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN: truncating could make it infinity
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u); // round to nearest even
  return static_cast<uint16_t>(bits >> 16);
}

template <typename T> T loadAt(const void *data, uint64_t index) {
  T value;
  std::memcpy(&value, static_cast<const char *>(data) + index * sizeof(T), sizeof(T));
  return value;
}

template <typename T> void storeAt(void *data, uint64_t index, T value) {
  std::memcpy(static_cast<char *>(data) + index * sizeof(T), &value, sizeof(T));
}

/// Truncates toward zero and saturates; a plain cast of an out-of-range double is undefined.
template <typename T> T saturate(double value) {
  if (std::isnan(value))
    return 0;
  if (value <= static_cast<double>(std::numeric_limits<T>::lowest()))
    return std::numeric_limits<T>::lowest();
  if (value >= static_cast<double>(std::numeric_limits<T>::max()))
    return std::numeric_limits<T>::max();
  return static_cast<T>(value);
}

} // namespace

const char *kiln_role_name(kiln_abi_role_t role) {
  switch (role) {
  case KILN_ROLE_INPUT: return "input";
  case KILN_ROLE_LABEL: return "label";
  case KILN_ROLE_PARAMETER: return "parameter";
  case KILN_ROLE_GRADIENT: return "gradient";
  case KILN_ROLE_OPTIMIZER_STATE: return "optimizer_state";
  case KILN_ROLE_ACTIVATION: return "activation";
  case KILN_ROLE_OUTPUT: return "output";
  case KILN_ROLE_SCALAR_INPUT: return "scalar_input";
  case KILN_ROLE_STATE: return "state";
  case KILN_ROLE_WORKSPACE: return "workspace";
  case KILN_ROLE_PREPARED: return "prepared";
  case KILN_ROLE_COUNT_: break;
  }
  return "unknown";
}

const char *kiln_dtype_name(kiln_abi_dtype_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32: return "float32";
  case KILN_DTYPE_U8: return "uint8";
  case KILN_DTYPE_I8: return "int8";
  case KILN_DTYPE_U16: return "uint16";
  case KILN_DTYPE_I16: return "int16";
  case KILN_DTYPE_I32: return "int32";
  case KILN_DTYPE_I64: return "int64";
  case KILN_DTYPE_BOOL: return "bool";
  case KILN_DTYPE_F16: return "float16";
  case KILN_DTYPE_F64: return "float64";
  case KILN_DTYPE_U32: return "uint32";
  case KILN_DTYPE_U64: return "uint64";
  case KILN_DTYPE_BF16: return "bfloat16";
  }
  return "unknown";
}

size_t kiln_dtype_size(kiln_abi_dtype_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_U8: case KILN_DTYPE_I8: case KILN_DTYPE_BOOL: return 1;
  case KILN_DTYPE_U16: case KILN_DTYPE_I16: case KILN_DTYPE_F16: case KILN_DTYPE_BF16: return 2;
  case KILN_DTYPE_F32: case KILN_DTYPE_I32: case KILN_DTYPE_U32: return 4;
  case KILN_DTYPE_I64: case KILN_DTYPE_F64: case KILN_DTYPE_U64: return 8;
  }
  return 0;
}

double kiln_element_load(kiln_abi_dtype_t dtype, const void *data, uint64_t index) {
  switch (dtype) {
  case KILN_DTYPE_F32: return loadAt<float>(data, index);
  case KILN_DTYPE_F64: return loadAt<double>(data, index);
  case KILN_DTYPE_F16: return halfToFloat(loadAt<uint16_t>(data, index));
  case KILN_DTYPE_BF16: return bfloatToFloat(loadAt<uint16_t>(data, index));
  case KILN_DTYPE_U8: return loadAt<uint8_t>(data, index);
  case KILN_DTYPE_I8: return loadAt<int8_t>(data, index);
  case KILN_DTYPE_U16: return loadAt<uint16_t>(data, index);
  case KILN_DTYPE_I16: return loadAt<int16_t>(data, index);
  case KILN_DTYPE_I32: return loadAt<int32_t>(data, index);
  case KILN_DTYPE_U32: return loadAt<uint32_t>(data, index);
  case KILN_DTYPE_I64: return static_cast<double>(loadAt<int64_t>(data, index));
  case KILN_DTYPE_U64: return static_cast<double>(loadAt<uint64_t>(data, index));
  case KILN_DTYPE_BOOL: return loadAt<uint8_t>(data, index) ? 1.0 : 0.0;
  }
  return 0.0;
}

void kiln_element_store(kiln_abi_dtype_t dtype, void *data, uint64_t index, double value) {
  switch (dtype) {
  case KILN_DTYPE_F32: return storeAt(data, index, static_cast<float>(value));
  case KILN_DTYPE_F64: return storeAt(data, index, value);
  case KILN_DTYPE_F16: return storeAt(data, index, floatToHalf(static_cast<float>(value)));
  case KILN_DTYPE_BF16: return storeAt(data, index, floatToBfloat(static_cast<float>(value)));
  case KILN_DTYPE_U8: return storeAt(data, index, saturate<uint8_t>(value));
  case KILN_DTYPE_I8: return storeAt(data, index, saturate<int8_t>(value));
  case KILN_DTYPE_U16: return storeAt(data, index, saturate<uint16_t>(value));
  case KILN_DTYPE_I16: return storeAt(data, index, saturate<int16_t>(value));
  case KILN_DTYPE_I32: return storeAt(data, index, saturate<int32_t>(value));
  case KILN_DTYPE_U32: return storeAt(data, index, saturate<uint32_t>(value));
  case KILN_DTYPE_I64: return storeAt(data, index, saturate<int64_t>(value));
  case KILN_DTYPE_U64: return storeAt(data, index, saturate<uint64_t>(value));
  case KILN_DTYPE_BOOL: return storeAt(data, index, static_cast<uint8_t>(value != 0.0));
  }
}

std::string kiln::runtime::shapeString(const int64_t *shape, uint32_t rank) {
  std::string text = "[";
  for (uint32_t i = 0; i < rank; ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

std::optional<uint64_t> kiln::runtime::elementCount(const int64_t *shape, uint32_t rank) {
  bool empty = false;
  for (uint32_t i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return std::nullopt;
    empty |= shape[i] == 0;
  }
  if (empty) // [huge, huge, 0] holds nothing and must not be refused for overflowing
    return 0;
  uint64_t count = 1;
  for (uint32_t i = 0; i < rank; ++i)
    if (__builtin_mul_overflow(count, static_cast<uint64_t>(shape[i]), &count))
      return std::nullopt;
  return count;
}
