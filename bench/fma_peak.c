/* The fp32 FMA peak of this CPU: each thread runs independent chains of vector FMAs held in
 * registers (enough chains to cover the FMA latency on every port), so nothing but the FMA
 * units limits it. The vector width follows the host: 16 floats with AVX-512, 8 with AVX2
 * (these shared machines come with either). bench/contractions.py compiles it with
 * clang-19 -O3 -march=native -ffp-contract=fast and reports every kernel as a fraction of it.
 *
 *   fma_peak THREADS   ->   "GFLOP/s VALUE (WIDTH-float vectors)"
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
enum { kLanes = 16, kChains = 16 }; /* 32 zmm registers */
#else
enum { kLanes = 8, kChains = 12 }; /* 16 ymm registers: 12 chains and the two constants */
#endif
typedef float vec __attribute__((vector_size(kLanes * sizeof(float))));
static const long kIterations = 500000000L;

static void *spin(void *out) {
  vec acc[kChains];
  const vec scale = (vec){0} + 0.999999f, shift = (vec){0} + 1e-7f;
  for (int c = 0; c < kChains; ++c)
    acc[c] = (vec){0} + (float)c;
  for (long i = 0; i < kIterations; ++i)
    for (int c = 0; c < kChains; ++c)
      acc[c] = acc[c] * scale + shift; /* one FMA with -ffp-contract=fast */
  float sum = 0;
  for (int c = 0; c < kChains; ++c)
    for (int l = 0; l < kLanes; ++l)
      sum += acc[c][l];
  /* Stored so that the compiler cannot drop the loop. */
  *(float *)out = sum;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "usage: fma_peak THREADS (1-256)\n");
    return 2;
  }
  pthread_t ids[256];
  float sinks[256];
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int t = 0; t < threads; ++t)
    pthread_create(&ids[t], NULL, spin, &sinks[t]);
  for (int t = 0; t < threads; ++t)
    pthread_join(ids[t], NULL);
  clock_gettime(CLOCK_MONOTONIC, &end);
  double seconds =
      (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);
  double flops = 2.0 * kLanes * kChains * (double)kIterations * threads;
  printf("GFLOP/s %.1f (%d-float vectors, sink %g)\n", flops / seconds / 1e9, kLanes,
         (double)sinks[0]);
  return 0;
}
