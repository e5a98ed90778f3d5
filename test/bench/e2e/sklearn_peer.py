"""The scikit-learn peer of `bench:e2e`: RandomizedSearchCV(Pipeline(StandardScaler, MLPClassifier), n_jobs=2,
refit=True) on foldwise's own folds and hold-out, over foldwise's search space translated into scikit-learn's
distributions (docs/sklearn-mapping.md).

    python3 sklearn_peer.py --data digits.csv --plan plan.json --space space.json --trials 30 --seed S
                            [--epochs 20] [--batch 64] [--configs configs.json]

plan.json: {"pool": [row], "holdout": [row], "folds": [{"train": [row], "test": [row]}]}, rows in the data set's own
numbering (test/bench/e2e/sklearn_compare.ts inputs writes it from foldwise's planFolds). space.json: foldwise's spec
form of the space. --configs: instead of sampling, score exactly these foldwise configurations (a JSON list of params
objects, in order) with GridSearchCV over one-point grids: the same pipeline, folds and refit, and `mean_cv` in the
output lists each configuration's mean CV accuracy in the given order. --foldwise-draws (with --configs, a diagnostic,
not the bench): each fold is fitted on its own, sequentially, and scikit-learn's two random draws (initial weights,
each epoch's batch order) are replaced by the ones foldwise draws for that trial and fold
(libs/models/fixtures/sklearn_mlp.py), so any remaining difference from foldwise is arithmetic, not chance.

Prints one JSON line: wall_s (from the start of fit to the end of the hold-out score), best_cv, holdout, best_params
(foldwise's names), n_configs, n_folds, sklearn, threads (n_jobs) and blas_threads.
"""

import argparse
import json
import os
import sys
import time

# MLPClassifier warns on every fit that stops at max_iter, which is the point here; joblib's workers read the
# filter from the environment they inherit.
os.environ["PYTHONWARNINGS"] = "ignore:Stochastic Optimizer"
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from scipy.stats import loguniform, randint, uniform  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

N_JOBS = 2


def l2_to_alpha(l2):
    """foldwise's `l2` is scikit-learn's `alpha` (docs/sklearn-mapping.md): the number passes through."""
    return l2


def hidden_layer_sizes(units, layers):
    return tuple([int(units)] * int(layers))


def domain_values(d):
    """The finite values of a choice, const or integer domain (None for a continuous one)."""
    t = d["type"]
    if t == "choice":
        return list(d["values"])
    if t == "const":
        return [d["value"]]
    if t == "intUniform":
        return list(range(int(d["low"]), int(d["high"]) + 1))
    return None


def distribution(d, scale=lambda v: v):
    """A foldwise continuous domain as a scipy.stats distribution (or a list for finite ones)."""
    t = d["type"]
    finite = domain_values(d)
    if finite is not None:
        return [scale(v) for v in finite]
    if t == "logUniform":
        return loguniform(scale(d["low"]), scale(d["high"]))
    if t == "uniform":
        return uniform(scale(d["low"]), scale(d["high"]) - scale(d["low"]))
    if t == "intLogUniform":
        return [int(v) for v in np.unique(np.round(np.geomspace(d["low"], d["high"], 64)))]
    if t == "step":
        return list(np.arange(d["low"], d["high"] + d["step"] / 2, d["step"]))
    raise ValueError(f"space: domain type {t!r} has no scikit-learn translation")


def translate_space(space):
    """foldwise's space (units, hiddenLayers, activation, learningRate, l2) as RandomizedSearchCV distributions."""
    known = {"units", "hiddenLayers", "layers", "activation", "learningRate", "l2"}
    unknown = sorted(set(space) - known)
    if unknown:
        raise ValueError(f"space: no scikit-learn translation for {', '.join(unknown)}")
    if any("when" in d for d in space.values()):
        raise ValueError("space: conditional parameters have no RandomizedSearchCV translation")
    out = {}
    units = domain_values(space.get("units", {"type": "const", "value": 100}))
    layers = domain_values(space.get("hiddenLayers", {"type": "const", "value": 1}))
    if units is None or layers is None:
        raise ValueError("space: units and hiddenLayers must be finite (choice, intUniform or const)")
    # Independent uniform choices of units and depth are one uniform choice over their product.
    out["mlp__hidden_layer_sizes"] = [hidden_layer_sizes(u, n) for n in layers for u in units]
    if "activation" in space:
        out["mlp__activation"] = distribution(space["activation"])
    if "learningRate" in space:
        out["mlp__learning_rate_init"] = distribution(space["learningRate"])
    if "l2" in space:
        out["mlp__alpha"] = distribution(space["l2"], l2_to_alpha)
    return out


def to_sklearn(params):
    """One foldwise configuration as pipeline parameters."""
    out = {}
    layers = params.get("layers")
    out["mlp__hidden_layer_sizes"] = (
        tuple(int(u) for u in layers)
        if layers is not None
        else hidden_layer_sizes(params.get("units", 100), params.get("hiddenLayers", 1))
    )
    if "activation" in params:
        out["mlp__activation"] = params["activation"]
    if "learningRate" in params:
        out["mlp__learning_rate_init"] = float(params["learningRate"])
    if "l2" in params:
        out["mlp__alpha"] = l2_to_alpha(float(params["l2"]))
    return out


def to_foldwise(params):
    """Pipeline parameters back in foldwise's names."""
    sizes = params["mlp__hidden_layer_sizes"]
    out = {"units": int(sizes[0]), "hiddenLayers": len(sizes)}
    if "mlp__activation" in params:
        out["activation"] = params["mlp__activation"]
    if "mlp__learning_rate_init" in params:
        out["learningRate"] = float(params["mlp__learning_rate_init"])
    if "mlp__alpha" in params:
        out["l2"] = float(params["mlp__alpha"])
    return out


def foldwise_draws_cv(X, y, pool, cv, configs, seed, epochs, batch):
    """Each configuration's mean fold accuracy, scikit-learn fitting from foldwise's draws for (seed, trial, fold)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "..", "libs", "models", "fixtures"))
    import sklearn.neural_network._multilayer_perceptron as mlp_module
    from sklearn_mlp import Sfc32, foldwise_init

    means = []
    saved = (mlp_module.shuffle, MLPClassifier._init_coef)
    try:
        for trial, config in enumerate(configs):
            params = to_sklearn(config)
            sizes = params["mlp__hidden_layer_sizes"]
            activation = config.get("activation", "relu")
            scores = []
            for fold, (train, test) in enumerate(cv):
                job_seed = (seed * 1_000_003 + trial * 7919 + fold) & 0xFFFFFFFF
                dims = [X.shape[1], *sizes, len(np.unique(y))]
                init = iter(foldwise_init(job_seed, dims, activation))
                rng = Sfc32(job_seed, 1)
                mlp_module.shuffle = lambda idx, random_state=None: np.asarray(rng.shuffle(len(idx)), dtype=idx.dtype)
                MLPClassifier._init_coef = lambda self, fan_in, fan_out, dtype: next(init)
                mlp = MLPClassifier(
                    solver="adam", batch_size=batch, max_iter=epochs, n_iter_no_change=epochs, shuffle=True
                )
                pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)])
                pipe.set_params(**params)
                rows_train, rows_test = pool[train], pool[test]
                pipe.fit(X[rows_train], y[rows_train])
                scores.append(float(pipe.score(X[rows_test], y[rows_test])))
            means.append(float(np.mean(scores)))
    finally:
        mlp_module.shuffle, MLPClassifier._init_coef = saved
    return means


def load_csv(path):
    raw = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    return raw[:, :-1].astype(np.float32), raw[:, -1].astype(np.int64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--plan", required=True)
    ap.add_argument("--space", required=True)
    ap.add_argument("--trials", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--configs")
    ap.add_argument("--foldwise-draws", action="store_true")
    a = ap.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    X, y = load_csv(a.data)
    with open(a.plan) as f:
        plan = json.load(f)
    with open(a.space) as f:
        space = json.load(f)
    pool = np.asarray(plan["pool"], dtype=np.int64)
    holdout = np.asarray(plan["holdout"], dtype=np.int64)
    where = {int(r): i for i, r in enumerate(pool)}
    cv = [
        (
            np.asarray([where[int(r)] for r in fold["train"]], dtype=np.int64),
            np.asarray([where[int(r)] for r in fold["test"]], dtype=np.int64),
        )
        for fold in plan["folds"]
    ]

    mlp = MLPClassifier(
        solver="adam",
        batch_size=a.batch,
        max_iter=a.epochs,
        early_stopping=False,
        # Never stop before max_iter: the no-improvement count can exceed n_iter_no_change only after more epochs.
        n_iter_no_change=a.epochs,
        shuffle=True,
        random_state=a.seed,
    )
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)])
    if a.foldwise_draws:
        if not a.configs:
            ap.error("--foldwise-draws needs --configs")
        with open(a.configs) as f:
            configs = json.load(f)
        t0 = time.perf_counter()
        means = foldwise_draws_cv(X, y, pool, cv, configs, a.seed, a.epochs, a.batch)
        best = int(np.argmax(means))
        out = {"wall_s": round(time.perf_counter() - t0, 3), "best_cv": means[best], "holdout": None}
        out.update(best_params=configs[best], n_configs=len(configs), n_folds=len(cv), mean_cv=means)
        print(json.dumps(out))
        return
    if a.configs:
        with open(a.configs) as f:
            configs = json.load(f)
        grid = [{k: [v] for k, v in to_sklearn(c).items()} for c in configs]
        search = GridSearchCV(pipe, grid, cv=cv, n_jobs=N_JOBS, refit=True)
    else:
        search = RandomizedSearchCV(
            pipe,
            translate_space(space),
            n_iter=a.trials,
            cv=cv,
            n_jobs=N_JOBS,
            refit=True,
            random_state=a.seed,
        )

    t0 = time.perf_counter()
    search.fit(X[pool], y[pool])
    held = float(search.score(X[holdout], y[holdout])) if len(holdout) else float("nan")
    wall = time.perf_counter() - t0

    try:
        from threadpoolctl import threadpool_info

        blas = max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"), default=None)
    except ImportError:
        blas = None
    out = {
        "wall_s": round(wall, 3),
        "best_cv": float(search.best_score_),
        "holdout": held,
        "best_params": to_foldwise(search.best_params_),
        "n_configs": len(search.cv_results_["params"]),
        "n_folds": len(cv),
        "sklearn": sklearn.__version__,
        "threads": N_JOBS,
        "blas_threads": blas,
    }
    if a.configs:
        out["mean_cv"] = [float(v) for v in search.cv_results_["mean_test_score"]]
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
