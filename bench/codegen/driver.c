/* Times the prototype kernels of docs/codegen-plan.md (bare-pointer entry points made by
 * lower.sh) and checks sampled outputs against a scalar reference.
 *
 *   driver KERNEL REPS   KERNEL: matmul | conv_nhwc | conv_nchw
 *   ->  "KERNEL median_ms MS gflops G min_ms MS maxrelerr E"
 * conv_nchw is kiln's NCHW interface: NCHW -> padded NHWC, conv_nhwc, NHWC -> NCHW, timed as
 * a whole (its layout kernels come from layout_kernel.mlir).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void matmul(float *a, float *b, float *c);
void conv_nhwc(float *x, float *w, float *y);
void nchw_to_nhwc_padded(float *x, float *xp);
void nhwc_to_nchw(float *y, float *out);

enum { kN = 8, kH = 56, kW = 56, kC = 64, kF = 64, kPH = 58, kPW = 58, kMM = 1024 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *randomBuffer(size_t count, unsigned seed) {
  float *p = aligned_alloc(64, ((count * sizeof(float) + 63) / 64) * 64);
  srand(seed);
  for (size_t i = 0; i < count; ++i)
    p[i] = (float)rand() / (float)RAND_MAX - 0.5f;
  return p;
}

static int compareDoubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: driver matmul|conv_nhwc|conv_nchw REPS\n");
    return 2;
  }
  const char *kernel = argv[1];
  int reps = atoi(argv[2]);
  if (reps < 1 || reps > 1000)
    return 2;
  int isNchw = strcmp(kernel, "conv_nchw") == 0;
  int isConv = isNchw || strcmp(kernel, "conv_nhwc") == 0;
  if (!isConv && strcmp(kernel, "matmul") != 0) {
    fprintf(stderr, "unknown kernel %s\n", kernel);
    return 2;
  }
  float *in0, *in1, *out, *nchwIn = NULL, *nchwOut = NULL;
  double flops;
  if (isConv) {
    in0 = randomBuffer((size_t)kN * kPH * kPW * kC, 1);
    /* The padding ring is zero, as kiln's tensor.pad makes it. */
    for (int n = 0; n < kN; ++n)
      for (int h = 0; h < kPH; ++h)
        for (int w = 0; w < kPW; ++w)
          if (h == 0 || w == 0 || h == kPH - 1 || w == kPW - 1)
            memset(&in0[(((size_t)n * kPH + h) * kPW + w) * kC], 0, kC * sizeof(float));
    in1 = randomBuffer(3 * 3 * kC * kF, 2);
    out = randomBuffer((size_t)kN * kH * kW * kF, 3);
    flops = 2.0 * kN * kH * kW * kF * kC * 9;
    if (isNchw) {
      nchwIn = randomBuffer((size_t)kN * kC * kH * kW, 4);
      nchwOut = randomBuffer((size_t)kN * kF * kH * kW, 5);
    }
  } else {
    in0 = randomBuffer((size_t)kMM * kMM, 1);
    in1 = randomBuffer((size_t)kMM * kMM, 2);
    out = randomBuffer((size_t)kMM * kMM, 3);
    flops = 2.0 * kMM * kMM * kMM;
  }
  double *times = malloc(sizeof(double) * reps);
  for (int r = -2; r < reps; ++r) { /* two warm-up calls */
    double t0 = now();
    if (isNchw) {
      nchw_to_nhwc_padded(nchwIn, in0);
      conv_nhwc(in0, in1, out);
      nhwc_to_nchw(out, nchwOut);
    } else if (isConv)
      conv_nhwc(in0, in1, out);
    else
      matmul(in0, in1, out);
    if (r >= 0)
      times[r] = now() - t0;
  }
  qsort(times, reps, sizeof(double), compareDoubles);
  /* Reference on 200 sampled outputs. */
  double maxErr = 0;
  srand(7);
  for (int s = 0; s < 200; ++s) {
    double ref = 0, got;
    if (isConv) {
      int n = rand() % kN, h = rand() % kH, w = rand() % kW, f = rand() % kF;
      for (int kh = 0; kh < 3; ++kh)
        for (int kw = 0; kw < 3; ++kw)
          for (int c = 0; c < kC; ++c) {
            int ih = h + kh - 1, iw = w + kw - 1;
            double x;
            if (!isNchw)
              x = in0[(((size_t)n * kPH + ih + 1) * kPW + iw + 1) * kC + c];
            else if (ih < 0 || iw < 0 || ih >= kH || iw >= kW)
              x = 0;
            else
              x = nchwIn[(((size_t)n * kC + c) * kH + ih) * kW + iw];
            ref += x * in1[((kh * 3 + kw) * kC + c) * kF + f];
          }
      got = isNchw ? nchwOut[(((size_t)n * kF + f) * kH + h) * kW + w]
                   : out[(((size_t)n * kH + h) * kW + w) * kF + f];
    } else {
      int i = rand() % kMM, j = rand() % kMM;
      for (int k = 0; k < kMM; ++k)
        ref += (double)in0[(size_t)i * kMM + k] * in1[(size_t)k * kMM + j];
      got = out[(size_t)i * kMM + j];
    }
    double err = fabs(got - ref) / (fabs(ref) + 1e-3);
    if (err > maxErr)
      maxErr = err;
  }
  double median = times[reps / 2];
  printf("%s median_ms %.3f gflops %.1f min_ms %.3f maxrelerr %.2e\n", kernel, median * 1e3,
         flops / median / 1e9, times[0] * 1e3, maxErr);
  return maxErr < 1e-3 ? 0 : 1;
}
