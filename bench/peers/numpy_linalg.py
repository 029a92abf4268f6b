"""NumPy peer for the linalg suite: A @ B and A @ x / A.T @ x on seeded n x n data.

Reads a JSON spec on stdin:
  {"threads": 2, "cases": [{"key": ..., "op": "gemm"|"gemv", "n": 512, "dtype": "float64"|"float32",
                            "trans": false, "warmup": 1, "repeats": 9}]}
Warms up (at least `warmup` calls and 200 ms), then times every call with time.perf_counter (BLAS threads held to `threads` by threadpoolctl when it is
installed, and by the environment the bench sets) and prints one JSON object on stdout: versions,
BLAS pools (their kernels and threads) and per case the samples in milliseconds.
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


def time_case(case):
    rng = np.random.default_rng(42)
    n = case["n"]
    a = rng.standard_normal((n, n)).astype(case["dtype"])
    if case["op"] == "gemm":
        b = rng.standard_normal((n, n)).astype(case["dtype"])
        fn = lambda: a @ b  # noqa: E731
    else:
        x = rng.standard_normal(n).astype(case["dtype"])
        op = a.T if case.get("trans") else a
        fn = lambda: op @ x  # noqa: E731
    # Warm up for `warmup` calls and at least 200 ms, like the OpenBLAS peer: BLAS threads start cold.
    start = time.perf_counter()
    warmed = 0
    while warmed < case["warmup"] or time.perf_counter() - start < 0.2:
        fn()
        warmed += 1
    samples = []
    for _ in range(case["repeats"]):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return {"key": case["key"], "samples_ms": samples}


def main():
    spec = json.load(sys.stdin)
    threads = int(spec.get("threads", 1))
    if threadpool_limits is not None:
        with threadpool_limits(limits=threads):
            results = [time_case(c) for c in spec["cases"]]
        pools = [
            {k: p.get(k) for k in ("internal_api", "version", "num_threads", "threading_layer", "architecture")}
            for p in threadpool_info()
        ]
    else:
        results = [time_case(c) for c in spec["cases"]]
        pools = None
    json.dump(
        {"numpy": np.__version__, "python": platform.python_version(), "threadpools": pools, "results": results},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
