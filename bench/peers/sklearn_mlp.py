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
every fit, the loss curve of the last, and the time of each of `predict_repeats` predict_proba calls on the
test rows.
"""
import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

# The data loading and the report around the cases are the logistic peer's (same folder).
from sklearn_logistic import load, serve


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


if __name__ == "__main__":
    serve(run_case)
