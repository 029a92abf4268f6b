"""scikit-learn peer for the mlp suite.

Reads a JSON spec on stdin:
  {"threads": 2, "cases": [{"key": ..., "train": {"x": file, "y": file}, "test": {"x": file, "y": file},
                            "dtype": "float64"|"float32", "cols": 784, "hidden": [256], "batch_size": 256,
                            "learning_rate_init": 0.001, "alpha": 0.0001, "max_iter": 10, "repeats": 1,
                            "predict_repeats": 10}]}
X files hold raw little-endian row-major values, y files int32 labels. Fits MLPClassifier(solver='adam')
`repeats` times under threadpool_limits(threads), timing each fit with time.perf_counter, and prints one
JSON object: versions, BLAS pools, and per case the samples in milliseconds, epochs run, the dtype the
fitted coefficients have (scikit-learn trains in the dtype of X: float64 or float32), the test accuracy of
every fit, the loss curve of the last, and the median time of predict_proba on the test rows.
"""
import json
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits


def load(part, dtype, cols):
    x = np.fromfile(part["x"], dtype=np.dtype(dtype).newbyteorder("<")).reshape(-1, cols)
    y = np.fromfile(part["y"], dtype=np.dtype("int32").newbyteorder("<"))
    return x, y


def run_case(case):
    x, y = load(case["train"], case["dtype"], case["cols"])
    xt, yt = load(case["test"], case["dtype"], case["cols"])
    samples = []
    accuracies = []
    model = None
    for seed in range(case["repeats"]):
        model = MLPClassifier(
            hidden_layer_sizes=tuple(case["hidden"]),
            activation="relu",
            solver="adam",
            alpha=case["alpha"],
            batch_size=case["batch_size"],
            learning_rate_init=case["learning_rate_init"],
            max_iter=case["max_iter"],
            shuffle=True,
            random_state=seed,
        )
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y)
        samples.append((time.perf_counter() - start) * 1e3)
        accuracies.append(float(model.score(xt, yt)))
    predict_ms = []
    for _ in range(case["predict_repeats"]):
        start = time.perf_counter()
        model.predict_proba(xt)
        predict_ms.append((time.perf_counter() - start) * 1e3)
    return {
        "key": case["key"],
        "samples_ms": samples,
        "n_iter": int(model.n_iter_),
        "train_dtype": str(model.coefs_[0].dtype),
        "loss_curve": [float(v) for v in model.loss_curve_],
        "accuracies": accuracies,
        "predict_ms": predict_ms,
    }


def main():
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
    main()
