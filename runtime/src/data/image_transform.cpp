//===- image_transform.cpp - from an encoded image to one normalised sample ===//
#include "image_transform.h"

#include "../internal.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

using namespace kiln::runtime;
using namespace kiln::data;

namespace {

/// Uniform in [low, high), from the top 53 bits of the stream.
double uniform(SplitMix64 &random, double low, double high) {
  return low + (high - low) * static_cast<double>(random.next() >> 11) * 0x1.0p-53;
}

/// float to bfloat16 with round-to-nearest-even (the values here are finite).
uint16_t toBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

/// Where one output column or row samples the source: two neighbours and a weight.
struct Tap {
  int first, second;
  float weight;
};

/// The taps of `count` outputs over [start, start + extent) of a source of `size` pixels,
/// with pixel centres aligned: output i samples start + (i + 0.5) * extent / count - 0.5.
void makeTaps(double start, double extent, int count, int size, std::vector<Tap> &taps) {
  taps.resize(static_cast<size_t>(count));
  double step = extent / count;
  for (int i = 0; i < count; ++i) {
    double at = std::clamp(start + (i + 0.5) * step - 0.5, 0.0, static_cast<double>(size - 1));
    int first = static_cast<int>(at);
    taps[i] = {first, std::min(first + 1, size - 1), static_cast<float>(at - first)};
  }
}

/// Where one output column samples a row of the vertical pass: offsets (in floats) of its two
/// neighbouring pixels and the weight of the second.
struct ColumnTap {
  int left, right;
  float weight;
};

/// (x - mean) / std of each channel as x * scale + bias, x in [0, 255].
struct Normaliser {
  float scale[3], bias[3];
};

/// One output row, `width` pixels, from the vertically blended row `line` (interleaved RGB,
/// one float of padding after the last pixel), normalised, into three planes (`r`, `g`, `b`)
/// or interleaved at `r`. The horizontal pass gathers, so it cannot vectorise across pixels;
/// on x86-64 the three channels of a pixel are blended as one SSE vector instead.
template <PixelLayout Layout>
void blendColumns(const float *__restrict line, const ColumnTap *__restrict taps, int width,
                  const Normaliser &normaliser, float *__restrict r, float *__restrict g,
                  float *__restrict b) {
  int x = 0;
#if defined(__SSE2__)
  const __m128 scale = _mm_setr_ps(normaliser.scale[0], normaliser.scale[1],
                                   normaliser.scale[2], 0);
  const __m128 bias = _mm_setr_ps(normaliser.bias[0], normaliser.bias[1], normaliser.bias[2], 0);
  auto pixel = [&](int at) {
    __m128 left = _mm_loadu_ps(line + taps[at].left);
    __m128 right = _mm_loadu_ps(line + taps[at].right);
    __m128 blend = _mm_add_ps(left, _mm_mul_ps(_mm_set1_ps(taps[at].weight),
                                               _mm_sub_ps(right, left)));
    return _mm_add_ps(_mm_mul_ps(blend, scale), bias);
  };
  if constexpr (Layout == PixelLayout::CHW) {
    for (; x + 4 <= width; x += 4) {
      __m128 p0 = pixel(x), p1 = pixel(x + 1), p2 = pixel(x + 2), p3 = pixel(x + 3);
      _MM_TRANSPOSE4_PS(p0, p1, p2, p3); // p0: four reds, p1: greens, p2: blues
      _mm_storeu_ps(r + x, p0);
      _mm_storeu_ps(g + x, p1);
      _mm_storeu_ps(b + x, p2);
    }
  } else {
    // Each store writes a fourth float that the next pixel overwrites; the last pixel of the
    // row is left to the scalar loop, so nothing is written past the row.
    for (; x + 1 < width; ++x)
      _mm_storeu_ps(r + 3 * x, pixel(x));
  }
#endif
  for (; x < width; ++x) {
    const float *left = line + taps[x].left, *right = line + taps[x].right;
    float weight = taps[x].weight, value[3];
    for (int c = 0; c < 3; ++c)
      value[c] = (left[c] + weight * (right[c] - left[c])) * normaliser.scale[c] +
                 normaliser.bias[c];
    if constexpr (Layout == PixelLayout::CHW) {
      r[x] = value[0];
      g[x] = value[1];
      b[x] = value[2];
    } else {
      for (int c = 0; c < 3; ++c)
        r[3 * x + c] = value[c];
    }
  }
}

/// Separable bilinear resampling, vertical pass first over only the columns the output
/// touches (contiguous, so it vectorises), then the horizontal pass, which also normalises.
template <PixelLayout Layout, SampleType Type>
void resampleInto(const RgbImage &image, const CropBox &crop, bool flip,
                  const ImageTransform &transform, void *out) {
  const int width = transform.width, height = transform.height;
  thread_local std::vector<Tap> columns, rows;
  thread_local std::vector<ColumnTap> taps;
  thread_local std::vector<float> line, staging;
  makeTaps(crop.x, crop.width, width, image.width, columns);
  makeTaps(crop.y, crop.height, height, image.height, rows);
  if (flip)
    std::reverse(columns.begin(), columns.end());
  int low = image.width, high = 0;
  for (const Tap &tap : columns) {
    low = std::min(low, tap.first);
    high = std::max(high, tap.second);
  }
  taps.resize(columns.size());
  for (size_t x = 0; x < columns.size(); ++x)
    taps[x] = {(columns[x].first - low) * 3, (columns[x].second - low) * 3, columns[x].weight};
  Normaliser normaliser;
  for (int c = 0; c < 3; ++c) {
    normaliser.scale[c] = 1.0f / (255.0f * transform.deviation[c]);
    normaliser.bias[c] = -transform.mean[c] / transform.deviation[c];
  }
  const size_t span = static_cast<size_t>(high - low + 1) * 3;
  line.assign(span + 1, 0.0f); // + 1: the padding that a pixel's 4-float load reads
  const size_t stride = static_cast<size_t>(image.width) * 3;
  const size_t plane = static_cast<size_t>(width) * height;
  const size_t rowValues = static_cast<size_t>(width) * 3;
  if constexpr (Type == SampleType::BF16)
    staging.resize(rowValues);
  float *__restrict blended = line.data();
  for (int y = 0; y < height; ++y) {
    const Tap &row = rows[y];
    const uint8_t *__restrict top = image.pixels.data() + row.first * stride + low * 3;
    const uint8_t *__restrict bottom = image.pixels.data() + row.second * stride + low * 3;
    const float weight = row.weight;
    for (size_t i = 0; i < span; ++i) {
      float a = top[i], b = bottom[i];
      blended[i] = a + weight * (b - a);
    }
    float *target;
    if constexpr (Type == SampleType::F32)
      target = static_cast<float *>(out) +
               (Layout == PixelLayout::CHW ? static_cast<size_t>(y) * width : y * rowValues);
    else
      target = staging.data();
    size_t planeStep = Type == SampleType::F32 ? plane : static_cast<size_t>(width);
    blendColumns<Layout>(blended, taps.data(), width, normaliser, target, target + planeStep,
                         target + 2 * planeStep);
    if constexpr (Type == SampleType::BF16) {
      auto *samples = static_cast<uint16_t *>(out);
      for (size_t i = 0; i < rowValues; ++i) {
        // Staging holds the row as planes (CHW) or interleaved (HWC), like the output.
        size_t at = Layout == PixelLayout::CHW
                        ? (i / width) * plane + static_cast<size_t>(y) * width + i % width
                        : y * rowValues + i;
        samples[at] = toBf16(staging[i]);
      }
    }
  }
}

} // namespace

kiln_status_t kiln::data::imageTransformFor(const SampleSpec &sample,
                                            const DatasetOptions &options, bool augment,
                                            const std::string &source, ImageTransform &out) {
  const std::vector<int64_t> &shape = sample.shape;
  bool chw = shape.size() == 3 && shape[0] == 3 && shape[1] > 0 && shape[2] > 0;
  bool hwc = shape.size() == 3 && shape[2] == 3 && shape[0] > 0 && shape[1] > 0;
  if (!chw && !hwc)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      source + " holds RGB images, but the artifact's input '" +
                          sample.inputName + "' takes samples of shape " +
                          shapeString(shape.data(), static_cast<uint32_t>(shape.size())) +
                          " (images need B x 3 x H x W or B x H x W x 3)");
  out = ImageTransform();
  out.layout = chw ? PixelLayout::CHW : PixelLayout::HWC;
  out.height = static_cast<int>(chw ? shape[1] : shape[0]);
  out.width = static_cast<int>(chw ? shape[2] : shape[1]);
  out.mean = options.channelMean;
  out.deviation = options.channelStd;
  out.augment = augment;
  return nullptr;
}

CropBox kiln::data::randomResizedCrop(int width, int height, const ImageTransform &transform,
                                      SplitMix64 &random) {
  double area = static_cast<double>(width) * height;
  double logMin = std::log(transform.minAspect), logMax = std::log(transform.maxAspect);
  for (int attempt = 0; attempt < 10; ++attempt) {
    double target = area * uniform(random, transform.minArea, transform.maxArea);
    double aspect = std::exp(uniform(random, logMin, logMax));
    double w = std::round(std::sqrt(target * aspect));
    double h = std::round(std::sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      double x = static_cast<double>(random.below(static_cast<uint64_t>(width - w) + 1));
      double y = static_cast<double>(random.below(static_cast<uint64_t>(height - h) + 1));
      return {x, y, w, h};
    }
  }
  // Ten misses (a very long or tall image): the largest centred crop of an allowed aspect.
  double w = width, h = height, ratio = w / h;
  if (ratio < transform.minAspect)
    h = std::round(w / transform.minAspect);
  else if (ratio > transform.maxAspect)
    w = std::round(h * transform.maxAspect);
  return {std::floor((width - w) / 2), std::floor((height - h) / 2), w, h};
}

CropBox kiln::data::centreCrop(int width, int height, const ImageTransform &transform) {
  double resizedShort = std::min(transform.width, transform.height) * transform.evalResize;
  double factor = resizedShort / std::min(width, height);
  double w = std::min<double>(width, transform.width / factor);
  double h = std::min<double>(height, transform.height / factor);
  return {(width - w) / 2, (height - h) / 2, w, h};
}

int kiln::data::decodeReduction(const CropBox &crop, const ImageTransform &transform) {
  for (int reduction : {8, 4, 2})
    if (crop.width / reduction >= transform.width && crop.height / reduction >= transform.height)
      return reduction;
  return 1;
}

void kiln::data::resampleCrop(const RgbImage &image, const CropBox &crop, bool flip,
                              const ImageTransform &transform, void *out) {
  bool chw = transform.layout == PixelLayout::CHW;
  if (transform.type == SampleType::F32)
    chw ? resampleInto<PixelLayout::CHW, SampleType::F32>(image, crop, flip, transform, out)
        : resampleInto<PixelLayout::HWC, SampleType::F32>(image, crop, flip, transform, out);
  else
    chw ? resampleInto<PixelLayout::CHW, SampleType::BF16>(image, crop, flip, transform, out)
        : resampleInto<PixelLayout::HWC, SampleType::BF16>(image, crop, flip, transform, out);
}

kiln_status_t kiln::data::transformJpeg(const uint8_t *data, size_t size,
                                        const std::string &name,
                                        const ImageTransform &transform, uint64_t seed,
                                        void *out) {
  JpegInfo info;
  KILN_RETURN_IF_ERROR(readJpegInfo(data, size, name, info));
  SplitMix64 random(seed);
  CropBox crop = transform.augment ? randomResizedCrop(info.width, info.height, transform, random)
                                   : centreCrop(info.width, info.height, transform);
  bool flip = transform.augment && (random.next() >> 63) != 0;
  int reduction = decodeReduction(crop, transform);
  // The reduced image's size rounds up (TJSCALED), so scale the crop by the actual ratio.
  int reducedWidth = (info.width + reduction - 1) / reduction;
  int reducedHeight = (info.height + reduction - 1) / reduction;
  double fx = static_cast<double>(reducedWidth) / info.width;
  double fy = static_cast<double>(reducedHeight) / info.height;
  CropBox reduced = {crop.x * fx, crop.y * fy, crop.width * fx, crop.height * fy};
  // The bilinear taps at the crop's edge reach one pixel beyond it; a second column of margin
  // keeps them off the region's outermost columns, which are not exact (jpeg_image.h).
  thread_local RgbRegion region;
  KILN_RETURN_IF_ERROR(decodeJpegRegion(
      data, size, name, reduction, static_cast<int>(std::floor(reduced.x)) - 2,
      static_cast<int>(std::floor(reduced.y)) - 1,
      static_cast<int>(std::ceil(reduced.x + reduced.width)) + 2,
      static_cast<int>(std::ceil(reduced.y + reduced.height)) + 1, region));
  reduced.x -= region.x;
  reduced.y -= region.y;
  resampleCrop(region.image, reduced, flip, transform, out);
  return nullptr;
}
