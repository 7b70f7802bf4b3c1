//===- TypesTest.cpp - dtype names, sizes and element conversions ---------===//
#include "TestUtil.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace {

uint16_t storeHalf(kiln_abi_dtype_t dtype, double value) {
  uint16_t bits = 0;
  kiln_element_store(dtype, &bits, 0, value);
  return bits;
}

double loadHalf(kiln_abi_dtype_t dtype, uint16_t bits) {
  return kiln_element_load(dtype, &bits, 0);
}

TEST(Types, NamesAndSizes) {
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_F32), "float32");
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_BF16), "bfloat16");
  EXPECT_STREQ(kiln_dtype_name(static_cast<kiln_abi_dtype_t>(8)), "unknown");
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_BOOL), 1u);
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_F16), 2u);
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_U32), 4u);
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_I64), 8u);
  EXPECT_EQ(kiln_dtype_size(static_cast<kiln_abi_dtype_t>(0)), 0u);
  EXPECT_STREQ(kiln_role_name(KILN_ROLE_OPTIMIZER_STATE), "optimizer_state");
  EXPECT_STREQ(kiln_role_name(KILN_ROLE_WORKSPACE), "workspace");
  EXPECT_STREQ(kiln_role_name(KILN_ROLE_COUNT_), "unknown");
}

TEST(Types, Float16Conversions) {
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, 1.0), 0x3c00);
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, -2.5), 0xc100);
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, 65504.0), 0x7bff);       // largest half
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, 65519.0), 0x7bff);       // rounds down
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, 65520.0), 0x7c00);       // halfway rounds to infinity
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, 1.0 + 1.0 / 2048), 0x3c00); // tie to even
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, 1.0 + 3.0 / 2048), 0x3c02); // tie to even, upwards
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, std::ldexp(1.0, -24)), 0x0001); // smallest subnormal
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, std::ldexp(1.0, -26)), 0x0000); // underflows to zero
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, -0.0), 0x8000);
  EXPECT_EQ(storeHalf(KILN_DTYPE_F16, -INFINITY), 0xfc00);
  EXPECT_TRUE(std::isnan(loadHalf(KILN_DTYPE_F16, storeHalf(KILN_DTYPE_F16, NAN))));
  EXPECT_EQ(loadHalf(KILN_DTYPE_F16, 0x3555), 0.333251953125);
  EXPECT_EQ(loadHalf(KILN_DTYPE_F16, 0x0001), std::ldexp(1.0, -24));
  EXPECT_EQ(loadHalf(KILN_DTYPE_F16, 0x7c00), INFINITY);
  // Every finite half survives a round trip through double.
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    if ((bits & 0x7c00) == 0x7c00)
      continue;
    double value = loadHalf(KILN_DTYPE_F16, static_cast<uint16_t>(bits));
    ASSERT_EQ(storeHalf(KILN_DTYPE_F16, value), bits) << std::hex << bits;
  }
}

TEST(Types, Bfloat16Conversions) {
  EXPECT_EQ(storeHalf(KILN_DTYPE_BF16, 1.0), 0x3f80);
  EXPECT_EQ(storeHalf(KILN_DTYPE_BF16, -3.0), 0xc040);
  EXPECT_EQ(storeHalf(KILN_DTYPE_BF16, 1.0 + 1.0 / 256), 0x3f80); // tie to even
  EXPECT_EQ(storeHalf(KILN_DTYPE_BF16, 1.0 + 3.0 / 256), 0x3f82); // tie to even, upwards
  EXPECT_TRUE(std::isnan(loadHalf(KILN_DTYPE_BF16, storeHalf(KILN_DTYPE_BF16, NAN))));
  EXPECT_EQ(loadHalf(KILN_DTYPE_BF16, 0x4049), 3.140625);
}

TEST(Types, IntegerStoresTruncateAndSaturate) {
  uint8_t u8 = 0;
  kiln_element_store(KILN_DTYPE_U8, &u8, 0, 300.0);
  EXPECT_EQ(u8, 255);
  kiln_element_store(KILN_DTYPE_U8, &u8, 0, -4.0);
  EXPECT_EQ(u8, 0);
  int8_t i8 = 0;
  kiln_element_store(KILN_DTYPE_I8, &i8, 0, -2.9);
  EXPECT_EQ(i8, -2);
  int32_t i32 = 1;
  kiln_element_store(KILN_DTYPE_I32, &i32, 0, -1e30);
  EXPECT_EQ(i32, std::numeric_limits<int32_t>::min());
  kiln_element_store(KILN_DTYPE_I32, &i32, 0, NAN);
  EXPECT_EQ(i32, 0);
  int64_t i64 = 0;
  kiln_element_store(KILN_DTYPE_I64, &i64, 0, 1e300);
  EXPECT_EQ(i64, std::numeric_limits<int64_t>::max());
  uint64_t u64 = 0;
  kiln_element_store(KILN_DTYPE_U64, &u64, 0, 1e19);
  EXPECT_EQ(u64, 10000000000000000000ull);
  uint8_t flag = 0;
  kiln_element_store(KILN_DTYPE_BOOL, &flag, 0, 0.25);
  EXPECT_EQ(flag, 1);
  EXPECT_EQ(kiln_element_load(KILN_DTYPE_BOOL, &flag, 0), 1.0);
}

TEST(Types, LoadsEachDtypeAtAnIndex) {
  const int16_t values[] = {-1, 2, -3};
  EXPECT_EQ(kiln_element_load(KILN_DTYPE_I16, values, 2), -3.0);
  const uint32_t big[] = {0, 4000000000u};
  EXPECT_EQ(kiln_element_load(KILN_DTYPE_U32, big, 1), 4e9);
  const double doubles[] = {0.5, 0.25};
  EXPECT_EQ(kiln_element_load(KILN_DTYPE_F64, doubles, 1), 0.25);
  EXPECT_EQ(kiln_element_load(static_cast<kiln_abi_dtype_t>(0), doubles, 0), 0.0);
}

} // namespace
