"""scikit-learn peer for the preprocess suite.

Reads a JSON spec on stdin:
  {"threads": 2, "cases": [{"key": ..., "file": ..., "dtype": "float64"|"float32", "cols": 100,
                            "scalers": ["standard", "minmax"], "warmup": 1, "repeats": 5}]}
The file holds raw little-endian row-major values written by the JS bench. For each scaler, times
fit, transform and fit_transform (default options, copy=True) with time.perf_counter, round-robin
like the JS side, and prints one JSON object: versions, thread pools, and per (case, scaler, op) the
samples in milliseconds, plus the fitted statistics and a checksum of the output for comparison.
"""
import json
import platform
import sys
import time

import numpy as np
import sklearn
from sklearn.preprocessing import MinMaxScaler, StandardScaler

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # optional: the environment variables set by the bench limit BLAS threads too
    threadpool_info = None
    threadpool_limits = None

SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1e3, out


def statistics(name, scaler):
    if name == "standard":
        return {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()}
    return {"data_min": scaler.data_min_.tolist(), "data_max": scaler.data_max_.tolist()}


def run_scaler(case, name, x):
    make = SCALERS[name]
    fitted = make().fit(x)
    ops = {
        "fit": lambda: make().fit(x),
        "transform": lambda: fitted.transform(x),
        "fit_transform": lambda: make().fit_transform(x),
    }
    samples = {op: [] for op in ops}
    for _ in range(case["warmup"]):
        for fn in ops.values():
            fn()
    out = None
    for _ in range(case["repeats"]):
        for op, fn in ops.items():
            ms, result = timed(fn)
            samples[op].append(ms)
            if op == "fit_transform":
                out = result
            del result
    return [
        {
            "key": case["key"],
            "scaler": name,
            "op": op,
            "samples_ms": samples[op],
            "statistics": statistics(name, fitted),
            # float64 sums of the output and its first row: a cheap check against threadml's output
            "column_sums": out.sum(axis=0, dtype=np.float64).tolist(),
            "first_row": out[0].astype(np.float64).tolist(),
        }
        for op in ops
    ]


def run(spec):
    results = []
    for case in spec["cases"]:
        x = np.fromfile(case["file"], dtype=np.dtype(case["dtype"]).newbyteorder("<")).reshape(-1, case["cols"])
        for name in case["scalers"]:
            results.extend(run_scaler(case, name, x))
        del x
    return results


def main():
    spec = json.load(sys.stdin)
    threads = int(spec.get("threads", 1))
    if threadpool_limits is not None:
        with threadpool_limits(limits=threads):
            results = run(spec)
        pools = [{k: p.get(k) for k in ("internal_api", "version", "num_threads")} for p in threadpool_info()]
    else:
        results = run(spec)
        pools = None
    json.dump(
        {
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
            "threadpools": pools,
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
