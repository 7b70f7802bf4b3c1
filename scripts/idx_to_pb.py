#!/usr/bin/env python3
"""Writes the first N images of an IDX image file (MNIST / Fashion-MNIST, gzip or raw) as an
ONNX TensorProto of shape N x 1 x H x W, float32 scaled to [0, 1], for `kiln-run infer`.

    idx_to_pb.py IMAGES.idx3-ubyte[.gz] N OUT.pb [LABELS.idx1-ubyte[.gz]]

With a labels file it prints the labels of those images.
"""
import gzip
import struct
import sys

import numpy as np
from onnx import numpy_helper


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        sys.exit(f"{path}: not an IDX file")
    dtype_code, rank = data[2], data[3]
    if dtype_code != 0x08:
        sys.exit(f"{path}: expected unsigned bytes (0x08), got type 0x{dtype_code:02x}")
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank)
    if body.size != int(np.prod(dims)):
        sys.exit(f"{path}: truncated: {body.size} bytes of data for shape {list(dims)}")
    return body.reshape(dims)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    images = read_idx(sys.argv[1])
    count = int(sys.argv[2])
    if not 0 < count <= images.shape[0]:
        sys.exit(f"N must be in 1..{images.shape[0]}, got {count}")
    batch = (images[:count].astype(np.float32) / 255.0)[:, None, :, :]
    with open(sys.argv[3], "wb") as f:
        f.write(numpy_helper.from_array(batch, "image").SerializeToString())
    if len(sys.argv) == 5:
        print("labels:", " ".join(str(v) for v in read_idx(sys.argv[4])[:count]))


if __name__ == "__main__":
    main()
