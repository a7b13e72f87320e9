#!/usr/bin/env python3
"""LightGBM on the bench's matrix, with the project's GBDT settings, one thread.

Usage: lightgbm_fit.py DIR

DIR holds what bench/anchors/lightgbm.ts writes: ``matrix.json`` (``n``, ``features``,
``train_rows``, ``repeats`` and ``params``: the project's GBDT settings), ``x.f64`` (row-major
float64, little-endian, n x features) and ``y.f64``. The first ``train_rows`` rows are fitted and
the rest scored. The fit time covers binning (``lgb.Dataset``) and boosting, as the project's fit
time covers both. Prints one JSON object: ``fit_seconds`` (one per repeat), ``test_mae``,
``trees``, ``lightgbm``.
"""

import json
import os
import sys
import time

import lightgbm as lgb
import numpy as np


def lgb_params(p):
    """The project's GbdtParams as LightGBM parameters (same growth, sampling and regularisation)."""
    objective = {"l2": "regression", "huber": "huber", "l1": "regression_l1"}[p["loss"]]
    out = {
        "objective": objective,
        "learning_rate": p["learningRate"],
        "num_leaves": p["maxLeaves"],
        "max_depth": p["maxDepth"],
        "min_data_in_leaf": p["minSamplesLeaf"],
        # The project's hessian is the row count: no separate hessian floor.
        "min_sum_hessian_in_leaf": 0.0,
        "lambda_l2": p["lambda"],
        "max_bin": p["maxBins"],
        # Per-tree row and feature sampling, as the project draws them.
        "bagging_fraction": p["subsample"],
        "bagging_freq": 1 if p["subsample"] < 1 else 0,
        "feature_fraction": p["colsample"],
        "seed": p["seed"],
        "num_threads": 1,
        "deterministic": True,
        "verbosity": -1,
    }
    if p["loss"] == "huber":
        # LightGBM's default alpha is not the project's default delta: only an explicit one matches.
        if p.get("huberDelta") is None:
            sys.exit("lightgbm_fit.py: params.huberDelta is required with loss huber")
        out["alpha"] = p["huberDelta"]
    return out


def main(argv):
    if len(argv) != 2:
        sys.exit(f"usage: {argv[0]} DIR")
    d = argv[1]
    with open(os.path.join(d, "matrix.json")) as f:
        head = json.load(f)
    n, F, n_train = head["n"], head["features"], head["train_rows"]
    X = np.fromfile(os.path.join(d, "x.f64"), dtype="<f8").reshape(n, F)
    y = np.fromfile(os.path.join(d, "y.f64"), dtype="<f8")
    params = lgb_params(head["params"])
    rounds = head["params"]["rounds"]
    seconds, model = [], None
    for _ in range(head.get("repeats", 1)):
        t0 = time.perf_counter()
        data = lgb.Dataset(X[:n_train], label=y[:n_train], params={"max_bin": params["max_bin"]})
        model = lgb.train(params, data, num_boost_round=rounds)
        seconds.append(time.perf_counter() - t0)
    pred = model.predict(X[n_train:], num_threads=1)
    mae = float(np.mean(np.abs(pred - y[n_train:])))
    print(json.dumps({
        "fit_seconds": seconds,
        "test_mae": mae,
        "trees": model.num_trees(),
        "lightgbm": lgb.__version__,
    }))


if __name__ == "__main__":
    main(sys.argv)
