"""Optuna 3.1 peer for `npm run bench:search`: runs TPESampler(seed=s) (univariate, Optuna's default),
TPESampler(seed=s, multivariate=True), RandomSampler(seed=s) and Optuna's strongest TPE setting on the same problems
as problems.ts (same definitions, same budget) and prints the final regrets as JSON on stdout. No space here is
conditional (every parameter is suggested in every trial), so `group=True` splits nothing: one group, as multivariate.

`optuna-tpe-strongest`: TPESampler(seed=s, multivariate=True, group=True, constant_liar=True) with 4 trials in flight,
the setting the issue calls Optuna 5.0's default TPE. Debian's python3-optuna is 3.1.0, which has all three arguments
(multivariate since 2.2.0, group and constant_liar since 2.8.0, all still "experimental": the ExperimentalWarning is
silenced below); its TPE code is 3.1's, not 5.0's. In flight means, in rounds: ask 4 trials, each suggesting its
parameters while the ones asked before it are RUNNING (the constant liar ranks them worst), then evaluate and tell
all 4 — the same protocol as foldwise's `foldwise-tpe-ask4` rows (ask(4), then tell 4).
Usage: /usr/bin/python3 optuna_peer.py '{"budget": 60, "seeds": [0, 1, ...]}'"""
import json
import math
import sys

import warnings

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

H_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
H_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
H_ALPHA = np.array([1, 1.2, 3, 3.2])
FOLD_NOISE = 0.03
N_FOLDS = 5


def branin(x1, x2):
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10


def hartmann6(x):
    x = np.asarray(x)
    return float(-np.sum(H_ALPHA * np.exp(-np.sum(H_A * (x - H_P) ** 2, axis=1))))


def noisy_truth(p):
    lr = math.log10(p["lr"]) + 2
    layers = p["layers"] - 3
    opt = {"adam": 0, "rmsprop": 0.03, "sgd": 0.08}[p["optimizer"]]
    dropout = p["dropout"] - 0.2
    return 0.05 + 0.04 * lr * lr + 0.01 * layers * layers + opt + 0.5 * dropout * dropout


def suggest(problem, trial):
    if problem == "branin":
        return {"x1": trial.suggest_float("x1", -5, 10), "x2": trial.suggest_float("x2", 0, 15)}
    if problem == "hartmann6":
        return {f"x{i}": trial.suggest_float(f"x{i}", 0, 1) for i in range(6)}
    return {
        "lr": trial.suggest_float("lr", 1e-4, 1, log=True),
        "layers": trial.suggest_int("layers", 1, 6),
        "optimizer": trial.suggest_categorical("optimizer", ["sgd", "adam", "rmsprop"]),
        "dropout": trial.suggest_float("dropout", 0, 0.5),
    }


def truth(problem, p):
    if problem == "branin":
        return branin(p["x1"], p["x2"])
    if problem == "hartmann6":
        return hartmann6([p[f"x{i}"] for i in range(6)])
    return noisy_truth(p)


OPTIMA = {"branin": 0.397887357729738, "hartmann6": -3.32236801141551, "noisy-5fold": 0.05}


def run(problem, sampler, seed, budget, in_flight=1):
    noise = np.random.RandomState(seed + 1000)
    best = [math.inf, math.inf]

    def evaluate(p):
        t = truth(problem, p)
        y = t if problem != "noisy-5fold" else float(np.mean([t + FOLD_NOISE * noise.normal() for _ in range(N_FOLDS)]))
        if y < best[0]:
            best[0], best[1] = y, t
        return y

    study = optuna.create_study(direction="minimize", sampler=sampler)
    if in_flight == 1:
        study.optimize(lambda trial: evaluate(suggest(problem, trial)), n_trials=budget)
    else:
        done = 0
        while done < budget:
            batch = []
            for _ in range(min(in_flight, budget - done)):
                trial = study.ask()
                batch.append((trial, suggest(problem, trial)))
            for trial, p in batch:
                study.tell(trial, evaluate(p))
            done += len(batch)
    return best[1] - OPTIMA[problem]


def main():
    args = json.loads(sys.argv[1])
    out = {}
    for problem in OPTIMA:
        out[problem] = {
            "optuna-tpe": [run(problem, optuna.samplers.TPESampler(seed=s), s, args["budget"]) for s in args["seeds"]],
            "optuna-tpe-multivariate": [
                run(problem, optuna.samplers.TPESampler(seed=s, multivariate=True), s, args["budget"]) for s in args["seeds"]
            ],
            "optuna-random": [run(problem, optuna.samplers.RandomSampler(seed=s), s, args["budget"]) for s in args["seeds"]],
            "optuna-tpe-strongest": [
                run(
                    problem,
                    optuna.samplers.TPESampler(seed=s, multivariate=True, group=True, constant_liar=True),
                    s,
                    args["budget"],
                    in_flight=4,
                )
                for s in args["seeds"]
            ],
        }
    out["optuna_version"] = optuna.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main()
