"""Writes scikit-learn 1.2 reference splits for foldwise's splitter tests.

Run with Debian's interpreter (the first python3 on PATH lacks scikit-learn):
    /usr/bin/python3 test/reference/splits/generate.py
Writes test/reference/splits/fixtures.json next to this file. Only unshuffled splitters are recorded:
shuffled ones use numpy's stream, which foldwise deliberately does not reproduce.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
)
from sklearn.model_selection._split import _validate_shuffle_split

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")
rs = np.random.RandomState(20261129)


def py(values):
    return [v.item() if hasattr(v, "item") else v for v in values]


def folds_of(splitter, n, y=None, groups=None):
    X = np.zeros((n, 1))
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for train, test in splitter.split(X, y, groups):
            out.append({"train": train.tolist(), "test": test.tolist()})
    return out


fixtures = {"sklearn": sklearn.__version__, "numpy": np.__version__}

kfold = []
for n in [2, 3, 5, 7, 10, 11, 23, 64, 100, 257]:
    for k in [2, 3, 4, 5, 10]:
        if k <= n:
            kfold.append({"n": n, "k": k, "folds": folds_of(KFold(k), n)})
fixtures["kfold"] = kfold


def label_patterns():
    yield "balanced binary, blocked", [0] * 10 + [1] * 10
    yield "balanced binary, alternating", [0, 1] * 10
    yield "imbalanced binary", [1] * 7 + [0] * 31
    yield "first appearance differs from sorted order", [2, 2, 0, 1, 0, 2, 1, 1, 0, 2, 0, 1, 2, 0, 1]
    yield "negative labels", py(rs.choice([-2, 0, 5], size=40))
    yield "string labels", py(rs.choice(["cat", "dog", "bird", "Ant"], size=53))
    yield "many classes, random order", py(rs.randint(0, 7, size=120))
    yield "skewed multiclass", py(rs.choice([0, 1, 2], p=[0.7, 0.2, 0.1], size=97))
    yield "ten classes", py(rs.randint(0, 10, size=300))
    yield "exact multiples", [c for c in range(3) for _ in range(10)]


stratified = []
for name, y in label_patterns():
    counts = np.unique(np.asarray(y), return_counts=True)[1]
    for k in [2, 3, 4, 5, 7, 10]:
        if k <= counts.min():
            stratified.append({"name": name, "y": y, "k": k, "folds": folds_of(StratifiedKFold(k), len(y), y)})
fixtures["stratified"] = stratified


def group_patterns():
    yield "sizes with ties, few groups", py(np.repeat(np.arange(6), [3, 3, 2, 2, 1, 1]))
    yield "string groups", py(rs.choice(["u%02d" % i for i in range(12)], size=60))
    many = np.repeat(np.arange(40), rs.choice([1, 2, 3, 4], size=40))
    yield "40 groups, many ties (quicksort order)", py(rs.permutation(many))
    yield "200 groups, heavy ties", py(rs.randint(0, 200, size=700))
    yield "groups of equal size", py(np.repeat(np.arange(30), 5))
    yield "unsorted numeric ids", py(rs.choice([105, 3, 77, -4, 12, 9, 61], size=50))


groups_cases = []
for name, g in group_patterns():
    n_groups = len(np.unique(np.asarray(g)))
    for k in [2, 3, 5, 7]:
        if k <= n_groups:
            groups_cases.append({"name": name, "groups": g, "k": k, "folds": folds_of(GroupKFold(k), len(g), None, g)})
fixtures["group"] = groups_cases


def stratified_group_patterns():
    n_groups = 20
    g = rs.randint(0, n_groups, size=150)
    yield "binary, 20 groups", py(rs.randint(0, 2, size=150)), py(g)
    g = rs.randint(0, 40, size=400)
    yield "three classes, 40 groups", py(rs.choice([0, 1, 2], p=[0.5, 0.3, 0.2], size=400)), py(g)
    gs = np.repeat(np.arange(12), 4)
    yield "class constant within group", py(np.repeat(rs.randint(0, 2, size=12), 4)), py(gs)
    yield "one class", [7] * 24, py(np.repeat(np.arange(8), 3))
    g = rs.randint(0, 25, size=300)
    yield "nine classes (pairwise sums)", py(rs.randint(0, 9, size=300)), py(g)
    yield "string labels and groups", py(rs.choice(["no", "yes"], size=80)), py(rs.choice(["p%d" % i for i in range(15)], size=80))
    g = rs.randint(0, 60, size=600)
    yield "binary, 60 groups (ten folds)", py(rs.randint(0, 2, size=600)), py(g)
    yield "one class, 30 groups (pairwise sums over folds)", [1] * 90, py(rs.randint(0, 30, size=90))


strat_groups = []
for name, y, g in stratified_group_patterns():
    counts = np.unique(np.asarray(y), return_counts=True)[1]
    n_groups = len(np.unique(np.asarray(g)))
    for k in [2, 3, 5, 8, 10]:
        if k <= counts.min() and k <= n_groups:
            strat_groups.append(
                {"name": name, "y": y, "groups": g, "k": k, "folds": folds_of(StratifiedGroupKFold(k), len(y), y, g)}
            )
fixtures["stratifiedGroup"] = strat_groups

time_series = []
for n, n_splits, gap, max_train, test_size in [
    (6, 5, 0, None, None),
    (12, 3, 0, None, 2),
    (12, 3, 2, None, 2),
    (20, 4, 0, 5, None),
    (20, 4, 1, 3, None),
    (23, 3, 2, None, None),
    (100, 5, 3, 30, 10),
    (101, 2, 0, None, None),
    (50, 7, 0, 1, 3),
    (30, 2, 5, None, 12),
]:
    options = {"nSplits": n_splits, "gap": gap}
    if max_train is not None:
        options["maxTrainSize"] = max_train
    if test_size is not None:
        options["testSize"] = test_size
    splitter = TimeSeriesSplit(n_splits, max_train_size=max_train, test_size=test_size, gap=gap)
    time_series.append({"n": n, "options": options, "folds": folds_of(splitter, n)})
fixtures["timeSeries"] = time_series

argsort = []
for size in [1, 2, 5, 16, 17, 18, 33, 64, 100, 257, 1000]:
    for high in [2, 4, 50]:
        values = rs.randint(0, high, size=size)
        argsort.append({"values": values.tolist(), "order": np.argsort(values).tolist()})


def quicksort_adversary(n):
    """McIlroy's 'killer adversary' (1999) run against numpy's own argsort on objects: returns values that
    drive its median-of-three quicksort past the depth limit, so the heapsort fallback is exercised too."""
    gas = n
    val = [gas] * n
    state = {"solid": 0, "candidate": 0}

    def compare(x, y):
        if val[x] == gas and val[y] == gas:
            frozen = x if x == state["candidate"] else y
            val[frozen] = state["solid"]
            state["solid"] += 1
        if val[x] == gas:
            state["candidate"] = x
        elif val[y] == gas:
            state["candidate"] = y
        return val[x] - val[y]

    class Probe:
        __slots__ = ("i",)

        def __init__(self, i):
            self.i = i

        def __lt__(self, other):
            return compare(self.i, other.i) < 0

        def __gt__(self, other):
            return compare(self.i, other.i) > 0

    probes = np.empty(n, dtype=object)
    for i in range(n):
        probes[i] = Probe(i)
    np.argsort(probes)
    return np.array(val, dtype=np.int64)


for size in [100, 300, 1000]:
    killer = quicksort_adversary(size)
    for divisor in [1, 2, 3]:
        values = killer // divisor
        argsort.append({"values": values.tolist(), "order": np.argsort(values).tolist()})
fixtures["argsort"] = argsort

sums = []
for size in [1, 3, 7, 8, 9, 15, 16, 17, 100, 128, 129, 300, 1000]:
    values = rs.standard_normal(size) * 10 ** rs.uniform(-3, 8, size=size)
    sums.append({"values": values.tolist(), "sum": float(np.sum(values)), "std": float(np.std(values))})
fixtures["sums"] = sums

sizes = []
for n in [3, 10, 11, 99, 1000]:
    for test_size, train_size in [(0.25, None), (0.2, 0.5), (0.33, 0.66), (1, None), (2, 1), (0.9, None), (0.5, 0.5), (0.1, 0.7)]:
        if isinstance(test_size, int) and test_size >= n:
            continue
        try:
            n_train, n_test = _validate_shuffle_split(n, test_size, train_size)
        except ValueError:
            continue
        entry = {"n": n, "testSize": test_size, "nTrain": n_train, "nTest": n_test}
        if train_size is not None:
            entry["trainSize"] = train_size
        sizes.append(entry)
fixtures["shuffleSizes"] = sizes

with open(OUT, "w") as fh:
    json.dump(fixtures, fh, separators=(",", ":"))
    fh.write("\n")
print("wrote", OUT, {k: len(v) for k, v in fixtures.items() if isinstance(v, list)})
