/* kiln/data.h - the input pipeline as a C API.
 *
 * What `kiln-run train --data SPEC` reads, for any program: open a dataset by its spec (idx:,
 * cifar10:, cifar100:, jpeg:, tfrecord:, synthetic; docs/input-pipeline.md), load single
 * samples, or let a loader deliver whole epochs in batches from worker threads, shuffled per
 * epoch, sharded across replicas and augmented with per-sample seeds, so that the batches are
 * the same bytes whatever the number of threads.
 *
 * Errors, ownership and strings follow kiln/runtime.h: a kiln_status_t (NULL for success) owned
 * by the caller, objects released with their *_release function (NULL is a no-op). A loader
 * holds a reference to its dataset.
 *
 * Thread safety: a dataset is immutable once opened; any thread may load from it, and
 * retain/release are atomic. A loader is driven by one thread at a time.
 */
#ifndef KILN_DATA_H
#define KILN_DATA_H

#include "kiln/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/// An opened dataset: labelled samples of one shape.
typedef struct kiln_dataset_s kiln_dataset_t;

/// How to open a dataset. Initialise with kiln_dataset_options_initialize, then set the shape.
typedef struct kiln_dataset_options_s {
  const int64_t *shape; /* one sample's shape: [3, H, W] or [H, W, 3] for images, [H, W] ... */
  uint32_t rank;
  int64_t classes;      /* labels must lie in [0, classes) */
  int training;         /* 1: the training split, augmented; 0: the evaluation split */
  uint64_t synthetic_samples;         /* size of a `synthetic` set (1024) */
  float channel_mean[3], channel_std[3]; /* images: (x - mean) / std on [0, 1] (0 and 1) */
  int64_t label_offset; /* subtracted from TFRecord labels (0) */
} kiln_dataset_options_t;

/// Sets `options` to the defaults noted above (no shape, training split).
void kiln_dataset_options_initialize(kiln_dataset_options_t *options);

/// Opens the dataset `spec` names, checked against the options' sample shape and classes.
kiln_status_t kiln_dataset_open(const char *spec, const kiln_dataset_options_t *options,
                                kiln_dataset_t **out_dataset);
void kiln_dataset_retain(kiln_dataset_t *dataset);
void kiln_dataset_release(kiln_dataset_t *dataset);

/// Number of samples.
uint64_t kiln_dataset_size(const kiln_dataset_t *dataset);
/// Values in one sample (the product of the shape).
uint64_t kiln_dataset_sample_elements(const kiln_dataset_t *dataset);
/// One line: where the samples come from and how many there are.
const char *kiln_dataset_describe(const kiln_dataset_t *dataset);
/// Writes sample `index` (augmented with `seed` in a training split) to `out_sample`
/// (kiln_dataset_sample_elements floats) and its label to `out_label`.
kiln_status_t kiln_dataset_load(const kiln_dataset_t *dataset, uint64_t index, uint64_t seed,
                                float *out_sample, int32_t *out_label);

/// Delivers a dataset's epochs in batches, loaded ahead by worker threads.
typedef struct kiln_loader_s kiln_loader_t;

/// How a loader walks its dataset. Initialise with kiln_loader_options_initialize.
typedef struct kiln_loader_options_s {
  uint64_t batch;           /* rows per batch (1) */
  uint32_t threads;         /* worker threads (2) */
  uint32_t prefetch;        /* batches loaded ahead (2) */
  uint64_t seed;            /* shuffles and augmentations (0) */
  int shuffle;              /* 1: a new order each epoch (1) */
  int drop_remainder;       /* 1: only whole batches, the same number on every replica (0) */
  uint32_t replica_rank;    /* this replica's share of each epoch (0 of 1) */
  uint32_t replica_count;
  int replace_failed;       /* 1: a sample that fails to load is replaced by the next (training);
                               0: left out of its batch (evaluation) (1) */
} kiln_loader_options_t;

/// Sets `options` to the defaults noted above.
void kiln_loader_options_initialize(kiln_loader_options_t *options);

/// A loader over `dataset` (which it retains); starts no work until an epoch begins.
kiln_status_t kiln_loader_create(kiln_dataset_t *dataset, const kiln_loader_options_t *options,
                                 kiln_loader_t **out_loader);
void kiln_loader_release(kiln_loader_t *loader);

/// Begins epoch `epoch` (0-based): its order is the dataset's indices shuffled by (seed,
/// epoch), this replica's share of it, cut to whole batches if drop_remainder.
kiln_status_t kiln_loader_start_epoch(kiln_loader_t *loader, uint64_t epoch);
/// Batches in the epoch begun last.
uint64_t kiln_loader_batches(const kiln_loader_t *loader);
/// The next batch of the epoch, without a copy: `out_rows` rows (at most `batch`, fewer in a
/// last batch or where failed samples were left out) at `*out_samples` (rows x elements
/// floats) and `*out_labels`, valid until the loader's next call. An error at the end of the
/// epoch or when 16 samples in a row fail.
kiln_status_t kiln_loader_next(kiln_loader_t *loader, const float **out_samples,
                               const int32_t **out_labels, uint64_t *out_rows);
/// Samples that failed to load (reported on stderr) since the loader was created.
uint64_t kiln_loader_skipped(const kiln_loader_t *loader);

#ifdef __cplusplus
}
#endif

#endif /* KILN_DATA_H */
