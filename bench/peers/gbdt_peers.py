"""XGBoost (hist) and scikit-learn HistGradientBoosting peers for the gbdt suite.

Reads a JSON spec on stdin:
  {"threads": 2, "train": {"x": file, "y": file}, "test": {"x": file, "y": file}, "dtype": "float32"|"float64",
   "cols": 28, "classes": 2, "rounds": 100, "leaves": 31, "learning_rate": 0.1, "peers": ["xgboost", "sklearn"],
   "ours": file or null}
x files hold raw little-endian row-major matrices, y files int32 labels, "ours" threadml's float64 test
scores (rows x 1 for 2 classes) so that every AUC comes from the same function (roc_auc_score).
Prints versions and per peer the fit time (ms, time.perf_counter around fit), test accuracy and AUC.
"""
import json
import platform
import sys
import time

import numpy as np
from sklearn.metrics import roc_auc_score

try:
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None


def load(part, dtype, cols):
    x = np.fromfile(part["x"], dtype=np.dtype(dtype).newbyteorder("<")).reshape(-1, cols)
    y = np.fromfile(part["y"], dtype=np.dtype("int32").newbyteorder("<"))
    return x, y


def quality(proba, y, classes):
    accuracy = float(np.mean(np.argmax(proba, axis=1) == y))
    auc = float(roc_auc_score(y, proba[:, 1])) if classes == 2 else None
    return accuracy, auc


def fit_xgboost(spec, X, y):
    import xgboost
    model = xgboost.XGBClassifier(tree_method="hist", grow_policy="lossguide", max_leaves=spec["leaves"], max_depth=0,
                                  n_estimators=spec["rounds"], learning_rate=spec["learning_rate"], max_bin=256,
                                  min_child_weight=1e-3, reg_lambda=0.0, n_jobs=spec["threads"])
    return model, xgboost.__version__


def fit_sklearn(spec, X, y):
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier
    model = HistGradientBoostingClassifier(max_iter=spec["rounds"], max_leaf_nodes=spec["leaves"],
                                           learning_rate=spec["learning_rate"], early_stopping=False)
    return model, sklearn.__version__


def run(spec):
    X, y = load(spec["train"], spec["dtype"], spec["cols"])
    Xt, yt = load(spec["test"], spec["dtype"], spec["cols"])
    results = []
    for peer in spec["peers"]:
        model, version = (fit_xgboost if peer == "xgboost" else fit_sklearn)(spec, X, y)
        start = time.perf_counter()
        model.fit(X, y)
        fit_ms = (time.perf_counter() - start) * 1e3
        accuracy, auc = quality(model.predict_proba(Xt), yt, spec["classes"])
        results.append({"peer": peer, "version": version, "fit_ms": fit_ms, "accuracy": accuracy, "auc": auc})
    ours_auc = None
    if spec.get("ours") and spec["classes"] == 2:
        ours_auc = float(roc_auc_score(yt, np.fromfile(spec["ours"], dtype="<f8")))
    return results, ours_auc


def main():
    spec = json.load(sys.stdin)
    if threadpool_limits is not None:
        with threadpool_limits(limits=int(spec["threads"])):
            results, ours_auc = run(spec)
    else:
        results, ours_auc = run(spec)
    json.dump({"python": platform.python_version(), "numpy": np.__version__, "results": results, "ours_auc": ours_auc},
              sys.stdout)


if __name__ == "__main__":
    main()
