"""Writes scikit-learn 1.2 reference values for @foldwise/metrics as JSON fixtures next to this file.

Run with Debian's interpreter (the one that has scikit-learn): /usr/bin/python3 test/reference/metrics/generate.py
Each case names the foldwise function, its positional arguments, its camelCase options and the value
scikit-learn returned for the same inputs. NaN and infinities are written as the strings "NaN",
"Infinity" and "-Infinity". Error cases record inputs that scikit-learn rejects, with the foldwise
argument whose name the error message must carry.
"""

import json
import math
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(20261129)

CAMEL = {
    "sample_weight": "sampleWeight",
    "pos_label": "posLabel",
    "zero_division": "zeroDivision",
    "multi_class": "multiClass",
    "target_names": "targetNames",
}


def plain(x):
    if isinstance(x, np.ndarray):
        return [plain(v) for v in x.tolist()]
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (np.floating, float)):
        x = float(x)
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.str_):
        return str(x)
    return x


def options(kwargs):
    return {CAMEL.get(k, k): plain(v) for k, v in kwargs.items()}


fixtures = {}


def add(file, name, fn, py, args, kwargs=None, js_options=None, **flags):
    kwargs = kwargs or {}
    expected = py(*args, **kwargs)
    case = {
        "name": name,
        "fn": fn,
        "args": plain(list(args)),
        "options": options(kwargs) if js_options is None else plain(js_options),
        "expected": plain(expected),
    }
    case.update(flags)
    fixtures.setdefault(file, []).append(case)


# ---- data -------------------------------------------------------------------------------------
bin_true = rng.randint(0, 2, 40).tolist()
bin_pred = [t if rng.rand() < 0.7 else 1 - t for t in bin_true]
mc_true = rng.randint(0, 4, 60).tolist()
mc_pred = [t if rng.rand() < 0.55 else int(rng.randint(0, 4)) for t in mc_true]
gap_true = [int(v) for v in rng.choice([2, 5, 9], 30)]
gap_pred = [int(v) for v in rng.choice([2, 5, 9, 11], 30)]
names = ["ant", "bird", "cat"]
str_true = [names[i] for i in rng.randint(0, 3, 45)]
str_pred = [s if rng.rand() < 0.6 else names[rng.randint(0, 3)] for s in str_true]
sbin_true = ["no" if v == 0 else "yes" for v in bin_true]
sbin_pred = ["no" if v == 0 else "yes" for v in bin_pred]
weights40 = np.round(rng.uniform(0.1, 3, 40), 3).tolist()
weights60 = np.round(rng.uniform(0.1, 3, 60), 3).tolist()

label_sets = {
    "binary": (bin_true, bin_pred),
    "multiclass": (mc_true, mc_pred),
    "gapped integer labels": (gap_true, gap_pred),
    "string labels": (str_true, str_pred),
    "binary string labels": (sbin_true, sbin_pred),
    "perfect multiclass": (mc_true, mc_true),
    "constant prediction": (mc_true, [1] * 60),
    "a class never predicted": ([0, 1, 2, 2, 1, 0, 2], [0, 1, 1, 1, 1, 0, 1]),
    "single class present": ([1, 1, 1, 1], [1, 1, 1, 1]),
    "single class present, other predicted": ([0, 0, 0, 0, 0], [0, 1, 0, 1, 0]),
    "no positives at all": ([0, 0, 0, 0], [0, 0, 0, 0]),
}
binary_sets = {"binary", "binary string labels", "single class present", "single class present, other predicted", "no positives at all"}

# ---- classification ---------------------------------------------------------------------------
C = "classification.json"
for label, (yt, yp) in label_sets.items():
    add(C, f"accuracy on {label}", "accuracyScore", skm.accuracy_score, (yt, yp))
    add(C, f"accuracy count on {label}", "accuracyScore", skm.accuracy_score, (yt, yp), {"normalize": False})
    add(C, f"confusion matrix on {label}", "confusionMatrix", skm.confusion_matrix, (yt, yp))
    add(C, f"balanced accuracy on {label}", "balancedAccuracyScore", skm.balanced_accuracy_score, (yt, yp))
    add(C, f"adjusted balanced accuracy on {label}", "balancedAccuracyScore", skm.balanced_accuracy_score, (yt, yp), {"adjusted": True})
    add(C, f"Matthews correlation on {label}", "matthewsCorrcoef", skm.matthews_corrcoef, (yt, yp))
    for weights in (None, "linear", "quadratic"):
        add(C, f"Cohen's kappa ({weights}) on {label}", "cohenKappaScore", skm.cohen_kappa_score, (yt, yp), {"weights": weights})
    averages = ["micro", "macro", "weighted", None] + (["binary"] if label in binary_sets else [])
    pos = {"pos_label": "yes"} if label == "binary string labels" else {}
    for average in averages:
        extra = pos if average == "binary" else {}
        for zd in ("warn", 1):
            kw = {"average": average, "zero_division": zd, **extra}
            add(C, f"precision {average} zd={zd} on {label}", "precisionScore", skm.precision_score, (yt, yp), kw)
            add(C, f"recall {average} zd={zd} on {label}", "recallScore", skm.recall_score, (yt, yp), kw)
            add(C, f"f1 {average} zd={zd} on {label}", "f1Score", skm.f1_score, (yt, yp), kw)
        for beta in (0.5, 2.0, 0.0):
            kw = {"average": average, "beta": beta, **extra}
            add(C, f"fbeta beta={beta} {average} on {label}", "fbetaScore", skm.fbeta_score, (yt, yp), kw)
        add(C, f"precision_recall_fscore_support {average} on {label}", "precisionRecallFscoreSupport",
            skm.precision_recall_fscore_support, (yt, yp), {"average": average, "beta": 1.5, **extra})

for normalize in ("true", "pred", "all"):
    for label in ("multiclass", "string labels", "a class never predicted"):
        yt, yp = label_sets[label]
        add(C, f"confusion matrix normalized over {normalize} on {label}", "confusionMatrix", skm.confusion_matrix, (yt, yp), {"normalize": normalize})
add(C, "confusion matrix with a reordered label subset", "confusionMatrix", skm.confusion_matrix, (mc_true, mc_pred), {"labels": [3, 0, 2]})
add(C, "confusion matrix with a label absent from the data", "confusionMatrix", skm.confusion_matrix, (str_true, str_pred), {"labels": ["cat", "dog", "ant"]})
add(C, "confusion matrix with sample weights", "confusionMatrix", skm.confusion_matrix, (mc_true, mc_pred), {"sample_weight": weights60})
add(C, "weighted accuracy", "accuracyScore", skm.accuracy_score, (mc_true, mc_pred), {"sample_weight": weights60})
add(C, "weighted accuracy count", "accuracyScore", skm.accuracy_score, (mc_true, mc_pred), {"sample_weight": weights60, "normalize": False})
add(C, "weighted balanced accuracy", "balancedAccuracyScore", skm.balanced_accuracy_score, (mc_true, mc_pred), {"sample_weight": weights60})
add(C, "weighted Matthews correlation", "matthewsCorrcoef", skm.matthews_corrcoef, (mc_true, mc_pred), {"sample_weight": weights60})
add(C, "weighted quadratic kappa", "cohenKappaScore", skm.cohen_kappa_score, (mc_true, mc_pred), {"sample_weight": weights60, "weights": "quadratic"})
add(C, "kappa over a label subset", "cohenKappaScore", skm.cohen_kappa_score, (mc_true, mc_pred), {"labels": [0, 1, 3], "weights": "linear"})
for average in ("micro", "macro", "weighted", None):
    add(C, f"weighted f1 {average}", "f1Score", skm.f1_score, (mc_true, mc_pred), {"average": average, "sample_weight": weights60})
    add(C, f"f1 {average} over a label subset", "f1Score", skm.f1_score, (mc_true, mc_pred), {"average": average, "labels": [2, 0]})
    add(C, f"recall {average} with a label absent from the data", "recallScore", skm.recall_score, (str_true, str_pred), {"average": average, "labels": ["cat", "dog"]})
add(C, "weighted binary precision", "precisionScore", skm.precision_score, (bin_true, bin_pred), {"sample_weight": weights40})
add(C, "binary f1 with pos_label 0", "f1Score", skm.f1_score, (bin_true, bin_pred), {"pos_label": 0})
add(C, "binary f1 ignores labels", "f1Score", skm.f1_score, (bin_true, bin_pred), {"labels": [0]})
add(C, "binary f1 when pos_label is absent and one class is present", "f1Score", skm.f1_score, ([0, 0, 0], [0, 0, 0]), {"pos_label": 1})
add(C, "weighted average where no true label is selected", "precisionRecallFscoreSupport", skm.precision_recall_fscore_support,
    ([0, 0, 1], [1, 1, 0]), {"average": "weighted", "labels": [2]}, )
add(C, "weighted average where nothing is selected at all, zero_division 1", "precisionRecallFscoreSupport", skm.precision_recall_fscore_support,
    ([0, 0, 1], [0, 0, 1]), {"average": "weighted", "labels": [2], "zero_division": 1})

# ---- classification report --------------------------------------------------------------------
R = "report.json"


def report(yt, yp, **kw):
    return {"dict": skm.classification_report(yt, yp, output_dict=True, **kw), "text": skm.classification_report(yt, yp, **kw)}


add(R, "report on multiclass", "classificationReport", report, (mc_true, mc_pred))
add(R, "report on string labels with 4 digits", "classificationReport", report, (str_true, str_pred), {"digits": 4})
add(R, "report with target names", "classificationReport", report, ([0, 1, 2, 2, 2], [0, 0, 2, 2, 1]), {"target_names": ["class 0", "class 1", "class 2"]})
add(R, "report over a label subset shows micro avg", "classificationReport", report, (mc_true, mc_pred), {"labels": [0, 2, 3]})
add(R, "report with zero_division 1", "classificationReport", report, label_sets["a class never predicted"], {"zero_division": 1})
add(R, "report with sample weights", "classificationReport", report, (mc_true, mc_pred), {"sample_weight": weights60})
add(R, "report on binary with zero digits", "classificationReport", report, (bin_true, bin_pred), {"digits": 0})
add(R, "report with a value on a rounding tie", "classificationReport", report, ([0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1, 1]), {"digits": 2})

# ---- ranking ----------------------------------------------------------------------------------
K = "ranking.json"
scores40 = np.round(rng.uniform(0, 1, 40), 2)  # rounding leaves ties
add(K, "binary ROC AUC with tied scores", "rocAucScore", skm.roc_auc_score, (bin_true, scores40))
add(K, "binary ROC AUC on string labels", "rocAucScore", skm.roc_auc_score, (sbin_true, scores40))
add(K, "binary ROC AUC on perfect scores", "rocAucScore", skm.roc_auc_score, (bin_true, [float(t) for t in bin_true]))
add(K, "binary ROC AUC on constant scores", "rocAucScore", skm.roc_auc_score, (bin_true, [0.5] * 40))
add(K, "binary ROC AUC on decision values outside [0, 1]", "rocAucScore", skm.roc_auc_score, ([-1, -1, 1, 1, 1], [-3.5, 2.0, 0.0, 2.0, 7.25]))
add(K, "average precision with tied scores", "averagePrecisionScore", skm.average_precision_score, (bin_true, scores40))
add(K, "average precision with pos_label 0", "averagePrecisionScore", skm.average_precision_score, (bin_true, scores40), {"pos_label": 0})
add(K, "average precision on string labels", "averagePrecisionScore", skm.average_precision_score, (sbin_true, scores40), {"pos_label": "yes"})
add(K, "average precision on perfect scores", "averagePrecisionScore", skm.average_precision_score, (bin_true, [float(t) for t in bin_true]))
add(K, "average precision on constant scores", "averagePrecisionScore", skm.average_precision_score, (bin_true, [0.3] * 40))
add(K, "average precision with no positives", "averagePrecisionScore", skm.average_precision_score, ([0, 0, 0], [0.2, 0.5, 0.1]))
add(K, "average precision with only positives", "averagePrecisionScore", skm.average_precision_score, ([1, 1, 1], [0.2, 0.5, 0.1]))


def proba(n, k, sharp=1.0):
    logits = rng.normal(0, sharp, (n, k))
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


P60 = proba(60, 4)
P60[:, 0] = np.round(P60[:, 0], 2)
P60 = P60 / P60.sum(axis=1, keepdims=True)
P45 = proba(45, 3, 2.0)
for mcl in ("ovr", "ovo"):
    for average in ("macro", "weighted"):
        kw = {"multi_class": mcl, "average": average}
        add(K, f"multi-class ROC AUC {mcl} {average}", "rocAucScore", skm.roc_auc_score, (mc_true, P60), kw)
        add(K, f"multi-class ROC AUC {mcl} {average} on string labels", "rocAucScore", skm.roc_auc_score, (str_true, P45), kw)
        if mcl == "ovo":
            add(K, f"multi-class ROC AUC ovo {average} with explicit labels, one absent", "rocAucScore", skm.roc_auc_score,
                (gap_true, proba(30, 4)), {**kw, "labels": [2, 5, 9, 11]})
        else:
            add(K, f"multi-class ROC AUC ovr {average} with explicit labels", "rocAucScore", skm.roc_auc_score,
                (gap_true, proba(30, 3)), {**kw, "labels": [2, 5, 9]})
        P32 = proba(60, 4).astype(np.float32).astype(np.float64)
        add(K, f"multi-class ROC AUC {mcl} {average} on a flat Float32Array", "rocAucScore", skm.roc_auc_score, (mc_true, P32), kw, flat32=True)
add(K, "ROC AUC from a two-column probability matrix uses the second column", "rocAucScore",
    lambda yt, p: skm.roc_auc_score(yt, np.asarray(p)[:, 1]), (bin_true, proba(40, 2)))

# ---- log loss ---------------------------------------------------------------------------------
L = "logloss.json"
pbin = np.round(rng.uniform(0, 1, 40), 3)
pbin[:3] = [0.0, 1.0, 1e-20]
add(L, "binary log loss with clipped 0 and 1", "logLoss", skm.log_loss, (bin_true, pbin))
add(L, "binary log loss on string labels", "logLoss", skm.log_loss, (sbin_true, pbin))
add(L, "binary log loss summed", "logLoss", skm.log_loss, (bin_true, pbin), {"normalize": False})
add(L, "binary log loss with sample weights", "logLoss", skm.log_loss, (bin_true, pbin), {"sample_weight": weights40})
add(L, "binary log loss with a large eps", "logLoss", skm.log_loss, (bin_true, pbin), {"eps": 0.05})
add(L, "multi-class log loss", "logLoss", skm.log_loss, (mc_true, P60))
add(L, "multi-class log loss on string labels", "logLoss", skm.log_loss, (str_true, P45))
add(L, "multi-class log loss with explicit labels absent from y_true", "logLoss", skm.log_loss, ([0, 2, 2, 0], proba(4, 3)), {"labels": [0, 1, 2]})
add(L, "log loss with one true class and explicit labels", "logLoss", skm.log_loss, ([1, 1, 1], [0.9, 0.6, 1.0]), {"labels": [0, 1]})
Pz = proba(6, 3)
Pz[0] = [1.0, 0.0, 0.0]
Pz[1] = [0.0, 0.0, 1.0]
add(L, "multi-class log loss with zero probabilities on the true class", "logLoss", skm.log_loss, ([1, 1, 2, 0, 1, 2], Pz))
add(L, "two-column log loss", "logLoss", skm.log_loss, (bin_true, proba(40, 2)))

# ---- regression -------------------------------------------------------------------------------
G = "regression.json"
yr = np.round(rng.normal(3, 2, 50), 4)
pr = np.round(yr + rng.normal(0, 0.8, 50), 4)
w50 = np.round(rng.uniform(0.1, 2, 50), 3)
reg_sets = {
    "noisy predictions": (yr, pr),
    "perfect predictions": (yr, yr),
    "constant target, imperfect prediction": ([2.5] * 5, [2.5, 2.5, 3, 2.5, 2.5]),
    "constant target, perfect prediction": ([2.5] * 5, [2.5] * 5),
    "single sample": ([1.5], [2.0]),
    "large offsets": (yr + 1e6, pr + 1e6),
}
for label, (yt, yp) in reg_sets.items():
    add(G, f"MSE on {label}", "meanSquaredError", skm.mean_squared_error, (yt, yp))
    add(G, f"RMSE on {label}", "rootMeanSquaredError", lambda a, b: skm.mean_squared_error(a, b, squared=False), (yt, yp))
    add(G, f"MAE on {label}", "meanAbsoluteError", skm.mean_absolute_error, (yt, yp))
    add(G, f"R2 on {label}", "r2Score", skm.r2_score, (yt, yp))
for fn, py in (("meanSquaredError", skm.mean_squared_error), ("meanAbsoluteError", skm.mean_absolute_error), ("r2Score", skm.r2_score)):
    add(G, f"{fn} with sample weights", fn, py, (yr, pr), {"sample_weight": w50})
add(G, "rootMeanSquaredError with sample weights", "rootMeanSquaredError",
    lambda a, b, sample_weight: skm.mean_squared_error(a, b, sample_weight=sample_weight, squared=False), (yr, pr), {"sample_weight": w50})

# ---- scorers ----------------------------------------------------------------------------------
S = "scorers.json"
RAW = {
    "log_loss": (skm.log_loss, True),
    "mean_squared_error": (skm.mean_squared_error, False),
    "root_mean_squared_error": (lambda a, b: skm.mean_squared_error(a, b, squared=False), False),
    "mean_absolute_error": (skm.mean_absolute_error, False),
}


def scorer_value(name, y, pred=None, prob=None):
    if name in RAW:
        fn, needs_proba = RAW[name]
        return fn(y, prob if needs_proba else pred)
    s = skm.get_scorer(name)
    kind = type(s).__name__
    if kind == "_PredictScorer":
        return s._sign * s._score_func(y, pred, **s._kwargs)
    p = np.asarray(prob)
    if len(np.unique(y)) <= 2 and p.shape[1] <= 2:
        p = p[:, 1]
    return s._sign * s._score_func(y, p, **s._kwargs)


clf_binary = ["accuracy", "balanced_accuracy", "f1", "f1_macro", "f1_micro", "f1_weighted", "precision", "precision_macro",
              "precision_micro", "precision_weighted", "recall", "recall_macro", "recall_micro", "recall_weighted", "matthews_corrcoef",
              "roc_auc", "roc_auc_ovr", "roc_auc_ovo", "roc_auc_ovr_weighted", "roc_auc_ovo_weighted", "average_precision",
              "neg_log_loss", "log_loss"]
clf_multi = [n for n in clf_binary if n not in ("f1", "precision", "recall", "roc_auc", "average_precision")]
Pb = proba(40, 2)
for name in clf_binary:
    add(S, f"scorer {name} on binary", "scorer", lambda y, p, q, name=name: scorer_value(name, y, p, q), (bin_true, bin_pred, Pb),
        js_options={"name": name})
for name in clf_multi:
    add(S, f"scorer {name} on multiclass", "scorer", lambda y, p, q, name=name: scorer_value(name, y, p, q), (mc_true, mc_pred, P60),
        js_options={"name": name})
kappa = lambda y, p: skm.cohen_kappa_score(y, p)  # noqa: E731  (sklearn 1.2 has no cohen_kappa scorer name)
add(S, "scorer cohen_kappa on multiclass", "scorer", lambda y, p, q: kappa(y, p), (mc_true, mc_pred, P60), js_options={"name": "cohen_kappa"})
for name in ["r2", "neg_mean_squared_error", "neg_root_mean_squared_error", "neg_mean_absolute_error", "mean_squared_error",
             "root_mean_squared_error", "mean_absolute_error"]:
    add(S, f"scorer {name} on regression", "scorer", lambda y, p, q, name=name: scorer_value(name, y, p), (yr, pr, None),
        js_options={"name": name})

# ---- inputs scikit-learn rejects --------------------------------------------------------------
E = "errors.json"


def rejects(fn, py, args, kwargs, argument, why):
    try:
        py(*args, **kwargs)
    except (ValueError, TypeError) as e:
        fixtures.setdefault(E, []).append({"name": why, "fn": fn, "args": plain(list(args)), "options": options(kwargs),
                                           "argument": argument, "sklearn": str(e)[:200]})
        return
    raise AssertionError(f"scikit-learn accepted: {why}")


rejects("accuracyScore", skm.accuracy_score, ([0, 1, 1], [0, 1]), {}, "yPred", "mismatched lengths")
rejects("f1Score", skm.f1_score, ([0, 1, 2], [0, 1]), {"average": "macro"}, "yPred", "mismatched lengths for f1")
rejects("f1Score", skm.f1_score, (mc_true, mc_pred), {}, "average", "multiclass target with average='binary'")
rejects("precisionScore", skm.precision_score, (mc_true, mc_pred), {"average": "samplewise"}, "average", "unknown average")
rejects("recallScore", skm.recall_score, (sbin_true, sbin_pred), {}, "posLabel", "pos_label absent from binary string labels")
rejects("f1Score", skm.f1_score, (bin_true, bin_pred), {"pos_label": 2}, "posLabel", "pos_label 2 absent from binary labels")
rejects("fbetaScore", skm.fbeta_score, (bin_true, bin_pred), {"beta": -1.0}, "beta", "negative beta")
rejects("precisionScore", skm.precision_score, (bin_true, bin_pred), {"zero_division": 2}, "zeroDivision", "invalid zero_division")
rejects("confusionMatrix", skm.confusion_matrix, (mc_true, mc_pred), {"labels": [7, 8]}, "labels", "confusion labels none of which is in y_true")
rejects("confusionMatrix", skm.confusion_matrix, (mc_true, mc_pred), {"labels": []}, "labels", "empty confusion labels")
rejects("confusionMatrix", skm.confusion_matrix, (mc_true, mc_pred), {"normalize": "rows"}, "normalize", "unknown normalize")
rejects("cohenKappaScore", skm.cohen_kappa_score, (mc_true, mc_pred), {"weights": "cubic"}, "weights", "unknown kappa weights")
rejects("rocAucScore", skm.roc_auc_score, ([1, 1, 1], [0.2, 0.4, 0.9]), {}, "yTrue", "ROC AUC with one class present")
rejects("rocAucScore", skm.roc_auc_score, ([0, 1, 1], [0.2, 0.4]), {}, "yScore", "ROC AUC mismatched lengths")
rejects("rocAucScore", skm.roc_auc_score, (mc_true, P60), {}, "multiClass", "multi-class ROC AUC without multi_class")
bad = P60.copy()
bad[3, 0] += 0.01
rejects("rocAucScore", skm.roc_auc_score, (mc_true, bad), {"multi_class": "ovr"}, "yScore", "ROC AUC rows not summing to 1")
rejects("rocAucScore", skm.roc_auc_score, (mc_true, P60[:, :3] / P60[:, :3].sum(axis=1, keepdims=True)), {"multi_class": "ovr"}, "yScore",
        "ROC AUC columns not matching classes")
rejects("rocAucScore", skm.roc_auc_score, (gap_true, proba(30, 3)), {"multi_class": "ovr", "labels": [9, 5, 2]}, "labels", "unordered labels")
rejects("averagePrecisionScore", skm.average_precision_score, (mc_true, P60[:, 0]), {}, "yTrue", "average precision on multiclass")
rejects("averagePrecisionScore", skm.average_precision_score, (sbin_true, pbin), {}, "posLabel", "average precision pos_label absent")
rejects("logLoss", skm.log_loss, ([1, 1, 1], [0.9, 0.6, 1.0]), {}, "yTrue", "log loss with one class and no labels")
rejects("logLoss", skm.log_loss, (mc_true, P60[:, :3]), {}, "yProba", "log loss columns not matching classes")
rejects("logLoss", skm.log_loss, ([0, 1, 1], [0.2, 0.4]), {}, "yProba", "log loss mismatched lengths")
rejects("meanSquaredError", skm.mean_squared_error, ([1.0, 2.0], [1.0]), {}, "yPred", "regression mismatched lengths")
rejects("r2Score", skm.r2_score, ([1.0, float("nan")], [1.0, 2.0]), {}, "yTrue", "regression NaN target")
rejects("meanAbsoluteError", skm.mean_absolute_error, ([], []), {}, "yTrue", "empty regression input")

for file, cases in fixtures.items():
    with open(os.path.join(HERE, file), "w") as fh:
        json.dump({"generator": "test/reference/metrics/generate.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
                   "cases": cases}, fh, indent=None, separators=(",", ":"), allow_nan=False)
        fh.write("\n")
    print(f"{file}: {len(cases)} cases")
