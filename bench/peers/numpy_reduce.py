"""NumPy peer for the reduce and latency suites.

Reads a JSON spec on stdin:
  {"threads": 2, "cases": [{"key": ..., "file": ..., "dtype": "float64"|"float32",
                            "ops": ["sum", "mean", "var"], "warmup": 2, "repeats": 7}]}
Each file holds raw little-endian values written by the JS bench. Times every call with
time.perf_counter and prints one JSON object on stdout: versions, BLAS threading, and per
(case, op) the samples in milliseconds and the value of the last call.
"""
import json
import platform
import sys
import time

import numpy as np

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # optional: the environment variables set by the bench limit BLAS threads too
    threadpool_info = None
    threadpool_limits = None

OPS = {"sum": np.sum, "mean": np.mean, "var": np.var}


def run(spec):
    results = []
    for case in spec["cases"]:
        x = np.fromfile(case["file"], dtype=np.dtype(case["dtype"]).newbyteorder("<"))
        for op in case["ops"]:
            fn = OPS[op]
            for _ in range(case["warmup"]):
                fn(x)
            samples = []
            value = None
            for _ in range(case["repeats"]):
                start = time.perf_counter()
                value = fn(x)
                samples.append((time.perf_counter() - start) * 1e3)
            results.append({"key": case["key"], "op": op, "samples_ms": samples, "value": float(value)})
        del x
    return results


def main():
    spec = json.load(sys.stdin)
    threads = int(spec.get("threads", 1))
    if threadpool_limits is not None:
        with threadpool_limits(limits=threads):
            results = run(spec)
        pools = [
            {k: p.get(k) for k in ("internal_api", "version", "num_threads", "threading_layer")}
            for p in threadpool_info()
        ]
    else:
        results = run(spec)
        pools = None
    json.dump(
        {
            "numpy": np.__version__,
            "python": platform.python_version(),
            "threadpools": pools,
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
