"""NumPy peer for the io suite.

Reads a JSON spec on stdin:
  {"csv": path or null, "idx": path of a gzipped IDX image file or null, "warmup": 1, "repeats": 3}
Times np.loadtxt on the CSV (one header line, comma-separated, float64) and the NumPy way of
loading gzipped IDX images as float32 in [0, 1] (gzip.open + np.frombuffer + astype / 255), with
time.perf_counter. Prints one JSON object: versions, and per case the samples in milliseconds.
"""
import gzip
import json
import platform
import sys
import time

import numpy as np


def timed(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    samples = []
    value = None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return samples, value


def load_idx_images(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * d : 8 + 4 * d], "big") for d in range(dims)]
    images = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape[0], -1)
    return images.astype(np.float32) / np.float32(255)


def main():
    spec = json.load(sys.stdin)
    out = {"numpy": np.__version__, "python": platform.python_version()}
    warmup, repeats = spec["warmup"], spec["repeats"]
    if spec.get("csv"):
        samples, x = timed(lambda: np.loadtxt(spec["csv"], delimiter=",", skiprows=1), warmup, repeats)
        out["loadtxt"] = {"samples_ms": samples, "rows": x.shape[0], "cols": x.shape[1], "last": float(x[-1, -1])}
    if spec.get("idx"):
        samples, x = timed(lambda: load_idx_images(spec["idx"]), warmup, repeats)
        out["idx"] = {"samples_ms": samples, "rows": x.shape[0], "cols": x.shape[1]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
