//===- ImageTransformTest.cpp - JPEG decoding and the augmentations' geometry ===//
#include "ImageTestUtil.h"

#include "data/image_transform.h"

#include <cmath>
#include <cstring>

using namespace kiln::test;
using namespace kiln::data;
using kiln::runtime::SplitMix64;

namespace {

const uint8_t *bytesOf(const std::string &text) {
  return reinterpret_cast<const uint8_t *>(text.data());
}

std::string decodeError(const std::string &jpeg, const std::string &name) {
  RgbImage image;
  return takeMessage(decodeJpeg(bytesOf(jpeg), jpeg.size(), name, 1, image));
}

TEST(JpegDecode, RgbComesBackCloseToWhatWasEncoded) {
  std::vector<uint8_t> pixels = gradientImage(40, 24, 1);
  std::string jpeg = encodeJpeg(pixels, 40, 24);
  RgbImage image;
  ASSERT_EQ(takeMessage(decodeJpeg(bytesOf(jpeg), jpeg.size(), "a.jpg", 1, image)), "");
  ASSERT_EQ(image.width, 40);
  ASSERT_EQ(image.height, 24);
  ASSERT_EQ(image.pixels.size(), pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i)
    ASSERT_NEAR(image.pixels[i], pixels[i], 6) << "byte " << i;
}

TEST(JpegDecode, ReducedDecodingRoundsTheSizeUpAndAveragesBlocks) {
  std::vector<uint8_t> pixels = gradientImage(100, 36, 0);
  std::string jpeg = encodeJpeg(pixels, 100, 36);
  for (int reduction : {2, 4, 8}) {
    RgbImage image;
    ASSERT_EQ(takeMessage(decodeJpeg(bytesOf(jpeg), jpeg.size(), "a", reduction, image)), "");
    EXPECT_EQ(image.width, (100 + reduction - 1) / reduction);
    EXPECT_EQ(image.height, (36 + reduction - 1) / reduction);
    // Red follows x: the reduced image's last column is near full red, its first near zero.
    const uint8_t *row = &image.pixels[static_cast<size_t>(image.height / 2) * image.width * 3];
    EXPECT_LT(row[0], 40) << reduction;
    EXPECT_GT(row[(image.width - 1) * 3], 215) << reduction;
  }
  RgbImage image;
  EXPECT_PRED2(contains, takeMessage(decodeJpeg(bytesOf(jpeg), jpeg.size(), "a", 3, image)),
               "a: JPEG reduction 3 is not 1, 2, 4 or 8");
}

TEST(JpegDecode, GrayscaleBecomesEqualChannels) {
  std::vector<uint8_t> gray(16 * 8);
  for (size_t i = 0; i < gray.size(); ++i)
    gray[i] = static_cast<uint8_t>(i * 2);
  std::string jpeg = encodeJpeg(gray, 16, 8, TJPF_GRAY);
  RgbImage image;
  ASSERT_EQ(takeMessage(decodeJpeg(bytesOf(jpeg), jpeg.size(), "g.jpg", 1, image)), "");
  for (size_t i = 0; i < gray.size(); ++i) {
    EXPECT_EQ(image.pixels[3 * i], image.pixels[3 * i + 1]);
    EXPECT_EQ(image.pixels[3 * i], image.pixels[3 * i + 2]);
    EXPECT_NEAR(image.pixels[3 * i], gray[i], 4);
  }
}

TEST(JpegDecode, InvertedCmykBecomesRgb) {
  // Adobe's inverted CMYK, as Photoshop writes it: 255 is no ink. Left half pure red (no cyan,
  // full magenta and yellow, no black); right half half-black grey.
  std::vector<uint8_t> cmyk(16 * 16 * 4);
  for (int i = 0; i < 256; ++i) {
    bool left = i % 16 < 8;
    uint8_t *pixel = &cmyk[4 * i];
    pixel[0] = left ? 255 : 255;
    pixel[1] = left ? 0 : 255;
    pixel[2] = left ? 0 : 255;
    pixel[3] = left ? 255 : 128;
  }
  std::string jpeg = encodeJpeg(cmyk, 16, 16, TJPF_CMYK, 100);
  RgbImage image;
  ASSERT_EQ(takeMessage(decodeJpeg(bytesOf(jpeg), jpeg.size(), "c.jpg", 1, image)), "");
  ASSERT_EQ(image.pixels.size(), 16u * 16 * 3);
  const uint8_t *red = &image.pixels[(4 * 16 + 2) * 3], *grey = &image.pixels[(4 * 16 + 13) * 3];
  EXPECT_NEAR(red[0], 255, 8);
  EXPECT_NEAR(red[1], 0, 8);
  EXPECT_NEAR(red[2], 0, 8);
  for (int c = 0; c < 3; ++c)
    EXPECT_NEAR(grey[c], 128, 8);
}

TEST(JpegDecode, CorruptAndTruncatedJpegsAreErrorsNamingTheFile) {
  std::string jpeg = gradientJpeg(64, 64);
  EXPECT_PRED2(contains, decodeError("GIF89a not a jpeg", "/data/x.JPEG"),
               "/data/x.JPEG: not a JPEG file or a corrupt JPEG header");
  EXPECT_PRED2(contains, decodeError(jpeg.substr(0, jpeg.size() / 2), "/data/cut.JPEG"),
               "/data/cut.JPEG: corrupt or truncated JPEG data");
  std::string garbled = jpeg;
  for (size_t i = garbled.size() / 2; i < garbled.size() / 2 + 64; ++i)
    garbled[i] = static_cast<char>(0xff);
  EXPECT_PRED2(contains, decodeError(garbled, "/data/bad.JPEG"), "/data/bad.JPEG: ");
  EXPECT_PRED2(contains, decodeError("", "/data/empty.JPEG"), "/data/empty.JPEG: not a JPEG");
}

/// Region decoding gives the pixels of the full decode, for every chroma layout.
TEST(JpegRegion, MatchesTheFullDecodeInsideTheRegion) {
  std::vector<uint8_t> pixels = texturedImage(203, 141);
  struct Case {
    int format, subsampling, reduction, flags;
  };
  for (Case c : {Case{TJPF_RGB, TJSAMP_444, 1, 0}, Case{TJPF_RGB, TJSAMP_420, 1, 0},
                 Case{TJPF_RGB, TJSAMP_422, 2, 0}, Case{TJPF_RGB, TJSAMP_420, 4, 0},
                 Case{TJPF_GRAY, TJSAMP_GRAY, 1, 0},
                 Case{TJPF_RGB, TJSAMP_420, 1, TJFLAG_PROGRESSIVE}}) {
    SCOPED_TRACE(::testing::Message() << "subsampling " << c.subsampling << " reduction "
                                      << c.reduction << " flags " << c.flags);
    std::vector<uint8_t> source = pixels;
    if (c.format == TJPF_GRAY)
      source.resize(203 * 141);
    std::string jpeg = encodeJpeg(source, 203, 141, c.format, 90, c.subsampling, c.flags);
    RgbImage full;
    ASSERT_EQ(takeMessage(decodeJpeg(bytesOf(jpeg), jpeg.size(), "j", c.reduction, full)), "");
    int left = 37 / c.reduction, top = 29 / c.reduction;
    int right = 160 / c.reduction, bottom = 101 / c.reduction;
    RgbRegion region;
    ASSERT_EQ(takeMessage(decodeJpegRegion(bytesOf(jpeg), jpeg.size(), "j", c.reduction, left,
                                           top, right, bottom, region)), "");
    EXPECT_LE(region.x, left); // widened to whole iMCU columns on the left
    EXPECT_EQ(region.y, top);
    ASSERT_GE(region.x + region.image.width, right);
    ASSERT_EQ(region.image.height, bottom - top);
    // Inside the outermost columns; those may differ by a few levels (see jpeg_image.h).
    int mismatches = 0;
    for (int y = 0; y < region.image.height; ++y)
      for (int x = 1; x + 1 < region.image.width; ++x)
        for (int k = 0; k < 3; ++k) {
          int got = region.image.pixels[(static_cast<size_t>(y) * region.image.width + x) * 3 + k];
          int want = full.pixels[(static_cast<size_t>(y + region.y) * full.width + x + region.x) * 3 + k];
          mismatches += got != want;
        }
    EXPECT_EQ(mismatches, 0);
  }
}

TEST(JpegRegion, CmykAndCorruptDataBehaveAsInTheFullDecode) {
  std::vector<uint8_t> cmyk(32 * 32 * 4, 255);
  for (size_t i = 0; i < cmyk.size(); i += 4)
    cmyk[i + 1] = cmyk[i + 2] = 0; // red everywhere (inverted CMYK)
  std::string jpeg = encodeJpeg(cmyk, 32, 32, TJPF_CMYK, 100);
  RgbRegion region;
  ASSERT_EQ(takeMessage(decodeJpegRegion(bytesOf(jpeg), jpeg.size(), "c", 1, 8, 8, 24, 20, region)), "");
  ASSERT_EQ(region.image.pixels.size(), static_cast<size_t>(region.image.width) * 12 * 3);
  EXPECT_NEAR(region.image.pixels[0], 255, 8);
  EXPECT_NEAR(region.image.pixels[1], 0, 8);

  std::string photo = encodeJpeg(texturedImage(64, 64), 64, 64, TJPF_RGB, 90, TJSAMP_420);
  std::string cut = photo.substr(0, photo.size() / 2);
  EXPECT_PRED2(contains,
               takeMessage(decodeJpegRegion(bytesOf(cut), cut.size(), "/d/cut.JPEG", 1, 0, 40, 64, 64, region)),
               "/d/cut.JPEG: corrupt or truncated JPEG data (");
  // The top rows lie in the half that is there: a crop of them never reads the rest.
  EXPECT_EQ(takeMessage(decodeJpegRegion(bytesOf(cut), cut.size(), "/d/cut.JPEG", 1, 0, 0, 64, 8, region)), "");
  EXPECT_PRED2(contains, takeMessage(decodeJpegRegion(bytesOf("GIF89a"), 6, "g", 1, 0, 0, 1, 1, region)),
               "g: corrupt or truncated JPEG data (Not a JPEG file");
}

ImageTransform transform(int width, int height) {
  ImageTransform result;
  result.width = width;
  result.height = height;
  return result;
}

TEST(RandomResizedCrop, StaysInsideTheImageWithinAreaAndAspectBounds) {
  ImageTransform t = transform(224, 224);
  double smallestArea = 1, largestArea = 0, smallestAspect = 9, largestAspect = 0;
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    SplitMix64 random(seed);
    CropBox box = randomResizedCrop(500, 375, t, random);
    ASSERT_GE(box.x, 0);
    ASSERT_GE(box.y, 0);
    ASSERT_LE(box.x + box.width, 500);
    ASSERT_LE(box.y + box.height, 375);
    ASSERT_EQ(box.x, std::floor(box.x)); // whole pixels
    ASSERT_EQ(box.width, std::floor(box.width));
    double area = box.width * box.height / (500.0 * 375.0);
    double aspect = box.width / box.height;
    smallestArea = std::min(smallestArea, area);
    largestArea = std::max(largestArea, area);
    smallestAspect = std::min(smallestAspect, aspect);
    largestAspect = std::max(largestAspect, aspect);
  }
  // Rounding to whole pixels moves the bounds by a little; the draws reach near both ends.
  EXPECT_GE(smallestArea, 0.078);
  EXPECT_LT(smallestArea, 0.10);
  EXPECT_LE(largestArea, 1.0);
  EXPECT_GT(largestArea, 0.9);
  EXPECT_GE(smallestAspect, 0.74);
  EXPECT_LT(smallestAspect, 0.78);
  EXPECT_LE(largestAspect, 1.35);
  EXPECT_GT(largestAspect, 1.28);
}

TEST(RandomResizedCrop, AfterTenMissesTakesTheLargestCentredCropOfAnAllowedAspect) {
  ImageTransform t = transform(224, 224);
  // 2000 x 20: no crop of aspect <= 4/3 holds 8 % of the area, so every try misses.
  SplitMix64 random(7);
  CropBox wide = randomResizedCrop(2000, 20, t, random);
  EXPECT_EQ(wide.height, 20);
  EXPECT_EQ(wide.width, 27); // round(20 * 4/3)
  EXPECT_EQ(wide.x, std::floor((2000 - 27) / 2.0));
  EXPECT_EQ(wide.y, 0);
  CropBox tall = randomResizedCrop(20, 2000, t, random);
  EXPECT_EQ(tall.width, 20);
  EXPECT_EQ(tall.height, 27); // round(20 / (3/4))
  EXPECT_EQ(tall.x, 0);
}

TEST(CentreCrop, IsTheCentre224OfTheShortSideResizedTo256) {
  ImageTransform t = transform(224, 224);
  CropBox box = centreCrop(512, 384, t);
  // Resizing 384 to 256 scales by 2/3; 224 output pixels are 336 source pixels.
  EXPECT_NEAR(box.width, 336, 1e-9);
  EXPECT_NEAR(box.height, 336, 1e-9);
  EXPECT_NEAR(box.x, 88, 1e-9);
  EXPECT_NEAR(box.y, 24, 1e-9);
  box = centreCrop(300, 600, t);
  EXPECT_NEAR(box.width, 262.5, 1e-9);
  EXPECT_NEAR(box.x, 18.75, 1e-9);
  EXPECT_NEAR(box.y, 168.75, 1e-9);
}

TEST(DecodeReduction, ReducesOnlyWhileTheCropStaysAtLeastTheOutput) {
  ImageTransform t = transform(224, 224);
  EXPECT_EQ(decodeReduction({0, 0, 500, 375}, t), 1);
  EXPECT_EQ(decodeReduction({0, 0, 448, 448}, t), 2);
  EXPECT_EQ(decodeReduction({0, 0, 1000, 900}, t), 4);
  EXPECT_EQ(decodeReduction({0, 0, 4000, 1791}, t), 4);
  EXPECT_EQ(decodeReduction({0, 0, 1792, 1792}, t), 8);
}

RgbImage patternImage(int width, int height) {
  RgbImage image;
  image.width = width;
  image.height = height;
  image.pixels.resize(static_cast<size_t>(width) * height * 3);
  for (size_t i = 0; i < image.pixels.size(); ++i)
    image.pixels[i] = static_cast<uint8_t>((i * 37) % 251);
  return image;
}

TEST(ResampleCrop, TheWholeImageAtItsOwnSizeIsItsPixelsOver255) {
  RgbImage image = patternImage(6, 5);
  ImageTransform t = transform(6, 5);
  std::vector<float> chw(90), hwc(90);
  resampleCrop(image, {0, 0, 6, 5}, false, t, chw.data());
  t.layout = PixelLayout::HWC;
  resampleCrop(image, {0, 0, 6, 5}, false, t, hwc.data());
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 6; ++x)
      for (int c = 0; c < 3; ++c) {
        float expected = image.pixels[(y * 6 + x) * 3 + c] / 255.0f;
        EXPECT_NEAR(chw[c * 30 + y * 6 + x], expected, 1e-6);
        EXPECT_NEAR(hwc[(y * 6 + x) * 3 + c], expected, 1e-6);
      }
}

TEST(ResampleCrop, FlipMirrorsTheColumns) {
  RgbImage image = patternImage(9, 7);
  ImageTransform t = transform(4, 3);
  std::vector<float> plain(36), flipped(36);
  CropBox box = {1.5, 2, 6, 4.5};
  resampleCrop(image, box, false, t, plain.data());
  resampleCrop(image, box, true, t, flipped.data());
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 4; ++x)
        EXPECT_EQ(flipped[c * 12 + y * 4 + x], plain[c * 12 + y * 4 + (3 - x)]);
}

TEST(ResampleCrop, SamplesTheCropBilinearlyWithPixelCentresAligned) {
  // Halving a 4 x 2 crop to 2 x 1: each output pixel is the mean of a 2 x 2 block.
  RgbImage image = patternImage(8, 6);
  ImageTransform t = transform(2, 1);
  std::vector<float> out(6);
  resampleCrop(image, {2, 3, 4, 2}, false, t, out.data());
  for (int c = 0; c < 3; ++c)
    for (int x = 0; x < 2; ++x) {
      double sum = 0;
      for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 2; ++dx)
          sum += image.pixels[((3 + dy) * 8 + 2 + 2 * x + dx) * 3 + c];
      EXPECT_NEAR(out[c * 2 + x], sum / 4 / 255.0, 1e-5);
    }
}

TEST(ResampleCrop, NormalisesPerChannelAndWritesBf16AsRoundedFloat) {
  RgbImage image = patternImage(5, 5);
  ImageTransform t = transform(3, 3);
  t.mean = {0.485f, 0.456f, 0.406f};
  t.deviation = {0.229f, 0.224f, 0.225f};
  std::vector<float> plain(27), normal(27);
  CropBox box = {0.5, 1, 4, 3.5};
  ImageTransform unit = transform(3, 3);
  resampleCrop(image, box, false, unit, plain.data());
  resampleCrop(image, box, false, t, normal.data());
  for (int i = 0; i < 27; ++i)
    EXPECT_NEAR(normal[i], (plain[i] - t.mean[i / 9]) / t.deviation[i / 9], 1e-5);
  t.type = SampleType::BF16;
  std::vector<uint16_t> bf16(27);
  resampleCrop(image, box, false, t, bf16.data());
  for (int i = 0; i < 27; ++i) {
    uint32_t bits = uint32_t{bf16[i]} << 16;
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    EXPECT_NEAR(value, normal[i], std::fabs(normal[i]) / 256 + 1e-6) << i; // 8 bits kept
  }
}

TEST(TransformJpeg, TheSameSeedGivesTheSameSampleAndSeedsDiffer) {
  std::string jpeg = gradientJpeg(120, 90);
  ImageTransform t = transform(32, 32);
  std::vector<float> a(3072), b(3072), c(3072);
  ASSERT_EQ(takeMessage(transformJpeg(bytesOf(jpeg), jpeg.size(), "j", t, 11, a.data())), "");
  ASSERT_EQ(takeMessage(transformJpeg(bytesOf(jpeg), jpeg.size(), "j", t, 11, b.data())), "");
  ASSERT_EQ(takeMessage(transformJpeg(bytesOf(jpeg), jpeg.size(), "j", t, 12, c.data())), "");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // Evaluation ignores the seed: the centre crop of a horizontal red ramp is centred on the
  // middle value, and it never flips (red grows left to right).
  t.augment = false;
  ASSERT_EQ(takeMessage(transformJpeg(bytesOf(jpeg), jpeg.size(), "j", t, 1, a.data())), "");
  ASSERT_EQ(takeMessage(transformJpeg(bytesOf(jpeg), jpeg.size(), "j", t, 2, b.data())), "");
  EXPECT_EQ(a, b);
  EXPECT_NEAR((a[16 * 32 + 15] + a[16 * 32 + 16]) / 2, 0.5, 0.03);
  EXPECT_LT(a[16 * 32 + 2], a[16 * 32 + 29]);
}

TEST(TransformJpeg, DecodingOnlyTheCropGivesExactlyTheSampleOfAFullDecode) {
  std::string jpeg = encodeJpeg(texturedImage(150, 110), 150, 110, TJPF_RGB, 90, TJSAMP_420);
  ImageTransform t = transform(40, 40);
  std::vector<float> cropped(40 * 40 * 3), full(40 * 40 * 3);
  for (uint64_t seed = 0; seed < 40; ++seed) {
    ASSERT_EQ(takeMessage(transformJpeg(bytesOf(jpeg), jpeg.size(), "j", t, seed, cropped.data())), "");
    kiln::runtime::SplitMix64 random(seed); // the draws transformJpeg makes
    CropBox box = randomResizedCrop(150, 110, t, random);
    bool flip = (random.next() >> 63) != 0;
    int reduction = decodeReduction(box, t);
    RgbImage image;
    ASSERT_EQ(takeMessage(decodeJpeg(bytesOf(jpeg), jpeg.size(), "j", reduction, image)), "");
    double fx = image.width / 150.0, fy = image.height / 110.0;
    resampleCrop(image, {box.x * fx, box.y * fy, box.width * fx, box.height * fy}, flip, t,
                 full.data());
    ASSERT_EQ(cropped, full) << "seed " << seed << ", reduction " << reduction;
  }
}

TEST(TransformJpeg, TinyAndThinImagesStillGiveSamples) {
  for (auto [width, height] : {std::pair{1, 1}, std::pair{2, 3}, std::pair{9, 1}, std::pair{1, 40},
                               std::pair{300, 2}}) {
    std::string jpeg = gradientJpeg(width, height);
    for (bool augment : {true, false}) {
      ImageTransform t = transform(16, 16);
      t.augment = augment;
      std::vector<float> sample(16 * 16 * 3, -1.0f);
      for (uint64_t seed = 0; seed < 5; ++seed) {
        ASSERT_EQ(takeMessage(transformJpeg(bytesOf(jpeg), jpeg.size(), "t", t, seed, sample.data())), "")
            << width << "x" << height;
        for (float value : sample)
          ASSERT_TRUE(value >= 0 && value <= 1) << width << "x" << height << ": " << value;
      }
    }
  }
}

TEST(TransformJpeg, LargeImagesAreDecodedReducedToNearlyTheSameSample) {
  // A 1024 x 1024 image centre-cropped to 32 x 32 decodes at 1/8 scale; the result matches
  // a full-size decode of the same crop within JPEG and resampling noise.
  std::string jpeg = gradientJpeg(1024, 1024);
  ImageTransform t = transform(32, 32);
  t.augment = false;
  std::vector<float> reduced(3072), full(3072);
  ASSERT_EQ(takeMessage(transformJpeg(bytesOf(jpeg), jpeg.size(), "big", t, 0, reduced.data())), "");
  CropBox box = centreCrop(1024, 1024, t);
  ASSERT_EQ(decodeReduction(box, t), 8);
  RgbImage image;
  ASSERT_EQ(takeMessage(decodeJpeg(bytesOf(jpeg), jpeg.size(), "big", 1, image)), "");
  resampleCrop(image, box, false, t, full.data());
  for (int i = 0; i < 3072; ++i)
    ASSERT_NEAR(reduced[i], full[i], 0.03) << i;
}

} // namespace
