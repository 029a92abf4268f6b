"""scikit-learn peer for the trees suite: DecisionTreeClassifier and RandomForestClassifier.

Reads a JSON spec on stdin:
  {"threads": 2, "train": {"x": file, "y": file}, "test": {"x": file, "y": file},
   "dtype": "float32"|"float64", "cols": 784,
   "cases": [{"key": ..., "model": "tree"|"forest", "params": {...}, "repeats": 1}]}
x files hold raw little-endian row-major matrices, y files int32 labels. Each case is fitted
`repeats` times (time.perf_counter around fit, then predict on the test set); prints one JSON object
with versions, thread pools and per case the fit and predict samples in milliseconds and the test accuracy.
"""
import json
import platform
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:
    threadpool_info = None
    threadpool_limits = None


def load(part, dtype, cols):
    x = np.fromfile(part["x"], dtype=np.dtype(dtype).newbyteorder("<")).reshape(-1, cols)
    y = np.fromfile(part["y"], dtype=np.dtype("int32").newbyteorder("<"))
    return x, y


def run(spec):
    X, y = load(spec["train"], spec["dtype"], spec["cols"])
    Xt, yt = load(spec["test"], spec["dtype"], spec["cols"])
    results = []
    for case in spec["cases"]:
        rows = case.get("rows", len(y))
        fit_ms, predict_ms, accuracy, sizes = [], [], None, None
        for _ in range(case["repeats"]):
            if case["model"] == "tree":
                model = DecisionTreeClassifier(**case["params"])
            else:
                model = RandomForestClassifier(n_jobs=spec["threads"], **case["params"])
            start = time.perf_counter()
            model.fit(X[:rows], y[:rows])
            fit_ms.append((time.perf_counter() - start) * 1e3)
            start = time.perf_counter()
            predicted = model.predict(Xt)
            predict_ms.append((time.perf_counter() - start) * 1e3)
            accuracy = float(np.mean(predicted == yt))
            trees = [model] if case["model"] == "tree" else model.estimators_
            sizes = {"nodes": float(np.mean([t.tree_.node_count for t in trees])),
                     "depth": float(np.mean([t.tree_.max_depth for t in trees]))}
        results.append({"key": case["key"], "fit_ms": fit_ms, "predict_ms": predict_ms, "accuracy": accuracy, "sizes": sizes})
    return results


def main():
    spec = json.load(sys.stdin)
    threads = int(spec["threads"])
    if threadpool_limits is not None:
        with threadpool_limits(limits=threads):
            results = run(spec)
        pools = [{k: p.get(k) for k in ("internal_api", "version", "num_threads")} for p in threadpool_info()]
    else:
        results = run(spec)
        pools = None
    json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "python": platform.python_version(),
               "threadpools": pools, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
