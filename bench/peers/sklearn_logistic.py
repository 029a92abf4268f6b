"""scikit-learn peer for the logistic suite.

Reads a JSON spec on stdin:
  {"threads": 2, "cases": [{"key": ..., "train": {"x": file, "y": file}, "test": {"x": file, "y": file},
                            "dtype": "float64"|"float32", "cols": 784, "C": 1.0, "max_iter": 100,
                            "repeats": 3}]}
X files hold raw little-endian row-major values, y files int32 labels. Fits
LogisticRegression(solver='lbfgs') `repeats` times under threadpool_limits(threads), timing each fit
with time.perf_counter, and prints one JSON object: versions, BLAS pools, and per case the samples in
milliseconds, test accuracy, AUC for two classes, n_iter_ and the coefficients of the last fit.
"""
import json
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_info, threadpool_limits


def load(part, dtype, cols):
    x = np.fromfile(part["x"], dtype=np.dtype(dtype).newbyteorder("<")).reshape(-1, cols)
    y = np.fromfile(part["y"], dtype=np.dtype("int32").newbyteorder("<"))
    return x, y


def run_case(case):
    x, y = load(case["train"], case["dtype"], case["cols"])
    xt, yt = load(case["test"], case["dtype"], case["cols"])
    samples = []
    model = None
    for _ in range(case["repeats"]):
        model = LogisticRegression(C=case["C"], max_iter=case["max_iter"], solver="lbfgs")
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y)
        samples.append((time.perf_counter() - start) * 1e3)
    result = {
        "key": case["key"],
        "samples_ms": samples,
        "accuracy": float(model.score(xt, yt)),
        "n_iter": [int(v) for v in model.n_iter_],
        "coef": model.coef_.ravel().tolist(),
        "intercept": model.intercept_.tolist(),
    }
    if len(model.classes_) == 2:
        result["auc"] = float(roc_auc_score(yt, model.decision_function(xt)))
    return result


def serve(run_case):
    """Runs every case of the JSON spec on stdin under the thread limit and prints the JSON report."""
    spec = json.load(sys.stdin)
    threads = int(spec["threads"])
    with threadpool_limits(limits=threads):
        results = [run_case(case) for case in spec["cases"]]
        pools = [{k: p.get(k) for k in ("internal_api", "version", "num_threads")} for p in threadpool_info()]
    json.dump(
        {"sklearn": sklearn.__version__, "numpy": np.__version__, "python": platform.python_version(),
         "threadpools": pools, "results": results},
        sys.stdout,
    )


if __name__ == "__main__":
    serve(run_case)
