#!/usr/bin/env python3
"""Images/s of kiln's input pipeline, next to raw TurboJPEG decoding and to Pillow.

Generates 500x375 JPEGs (quality 90, 4:2:0, textured like photographs rather than flat) into
DIR/train/<class>/, then measures at 1 and 2 threads:

  kiln pipeline   kiln-input-bench pipeline: kiln's BatchLoader over jpeg:DIR, the training
                  recipe (file read, decode, random resized crop to 224 x 224, flip, ImageNet
                  mean/std, CHW fp32, batches of 32)
  raw decode      kiln-input-bench decode: full-size TurboJPEG decodes to RGB of the same files,
                  bytes already in memory
  Pillow          the same recipe with Pillow (open, convert to RGB, RandomResizedCrop's
                  geometry, bilinear resize of the crop box to 224 x 224, flip, to float,
                  normalise, CHW) in a pool of worker processes, as a PyTorch DataLoader does

Each figure is the median of --repeat measurements, the three kinds taken in turn so that a
change in the machine's load falls on all of them alike. A benchmark, not a test: nothing
passes or fails on timings; the ratio columns say how the pipeline compares with raw decoding
(issue 6 asks for >= 0.9x at 2 threads, and above Pillow).

    /usr/bin/python3 bench/input_pipeline.py [--images 256] [--seconds 3] [--repeat 3]
                                             [--threads 1,2] [--bin build/bin] [--dir DIR]

Needs a built kiln (build/bin/kiln-input-bench), numpy and Pillow (Debian: python3-numpy,
python3-pil; Pillow is needed by this benchmark only, not by the test suites).
"""
import argparse
import math
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 500, 375
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(3, 1, 1)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(3, 1, 1)


def generate(directory, count, classes=8):
    """Photograph-like JPEGs: smooth colour fields, edges and fine noise, so the entropy
    decoder has about as much to do as on ImageNet (~100 KB per 500x375 image at q90)."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    for i in range(count):
        folder = os.path.join(directory, "train", "n%08d" % (i % classes))
        os.makedirs(folder, exist_ok=True)
        image = np.zeros((HEIGHT, WIDTH, 3), np.float32)
        for c in range(3):
            for _ in range(4):
                fx, fy, phase = rng.uniform(0.005, 0.08, 2).tolist() + [rng.uniform(0, 6.3)]
                image[:, :, c] += 40 * np.sin(fx * x + fy * y + phase)
        for _ in range(6):
            x0, y0 = rng.integers(0, WIDTH), rng.integers(0, HEIGHT)
            image[y0:y0 + rng.integers(20, 150), x0:x0 + rng.integers(20, 150)] += rng.uniform(-60, 60, 3)
        image += rng.normal(0, 12, image.shape)
        image = np.clip(image + 128, 0, 255).astype(np.uint8)
        Image.fromarray(image).save(os.path.join(folder, "%05d.JPEG" % i), quality=90, subsampling=2)


def random_resized_crop(rng, width, height):
    """torchvision's RandomResizedCrop.get_params (scale 0.08-1, ratio 3/4-4/3), as kiln does."""
    area = width * height
    for _ in range(10):
        target = area * rng.uniform(0.08, 1.0)
        aspect = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        w = int(round(math.sqrt(target * aspect)))
        h = int(round(math.sqrt(target / aspect)))
        if 0 < w <= width and 0 < h <= height:
            return rng.randint(0, width - w), rng.randint(0, height - h), w, h
    ratio = width / height
    w, h = width, height
    if ratio < 3 / 4:
        h = int(round(w / (3 / 4)))
    elif ratio > 4 / 3:
        w = int(round(h * (4 / 3)))
    return (width - w) // 2, (height - h) // 2, w, h


def pillow_sample(path_and_seed):
    path, seed = path_and_seed
    rng = random.Random(seed)
    with open(path, "rb") as f:
        image = Image.open(f)
        image = image.convert("RGB")
    x, y, w, h = random_resized_crop(rng, *image.size)
    image = image.resize((224, 224), Image.BILINEAR, box=(x, y, x + w, y + h))
    if rng.random() < 0.5:
        image = image.transpose(Image.FLIP_LEFT_RIGHT)
    array = np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / 255.0
    return ((array - MEAN) / STD).shape[0]


def bench_pillow(files, threads, seconds):
    with multiprocessing.Pool(threads) as pool:
        pool.map(pillow_sample, [(f, 0) for f in files[:threads * 4]])  # start the workers
        done, start, epoch = 0, time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            jobs = [(f, epoch * len(files) + i) for i, f in enumerate(files)]
            done += len(pool.map(pillow_sample, jobs, chunksize=8))
            epoch += 1
        return done / (time.perf_counter() - start)


def run_kiln(binary, mode, threads, seconds, directory):
    line = subprocess.run([binary, mode, str(threads), str(seconds), directory], check=True,
                          capture_output=True, text=True).stdout.split()
    return float(line[2])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "bin"))
    parser.add_argument("--dir", help="where to generate the JPEGs (default: a temporary folder)")
    args = parser.parse_args()
    binary = os.path.join(args.bin, "kiln-input-bench")
    if not os.path.exists(binary):
        sys.exit("input_pipeline.py: %s is missing; build kiln first" % binary)
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.dir or scratch
        if not os.path.isdir(os.path.join(directory, "train")):
            generate(directory, args.images)
        files = sorted(os.path.join(root, name) for root, _, names in
                       os.walk(os.path.join(directory, "train")) for name in names)
        size = sum(os.path.getsize(f) for f in files) / len(files) / 1024
        print("%d JPEGs of %dx%d, %.0f KB on average; median of %d measurements of %.0f s; "
              "load average %s" % (len(files), WIDTH, HEIGHT, size, args.repeat, args.seconds,
                                   " ".join("%.2f" % v for v in os.getloadavg())))
        print("%-8s %16s %16s %16s %12s %12s" % ("threads", "raw decode", "kiln pipeline",
                                                 "Pillow", "kiln/raw", "kiln/Pillow"))
        for threads in [int(t) for t in args.threads.split(",")]:
            runs = [(run_kiln(binary, "decode", threads, args.seconds, directory),
                     run_kiln(binary, "pipeline", threads, args.seconds, directory),
                     bench_pillow(files, threads, args.seconds)) for _ in range(args.repeat)]
            raw, kiln, pillow = (statistics.median(run[k] for run in runs) for k in range(3))
            print("%-8d %12.0f i/s %12.0f i/s %12.0f i/s %11.2fx %11.2fx"
                  % (threads, raw, kiln, pillow, kiln / raw, kiln / pillow))
        print("load average %s" % " ".join("%.2f" % v for v in os.getloadavg()))


if __name__ == "__main__":
    main()
