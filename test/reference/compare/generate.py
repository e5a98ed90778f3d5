"""Reference fixtures for @foldwise/compare, computed with SciPy 1.10 / NumPy.

Run with Debian's interpreter (the pyenv python on PATH lacks scipy):
    /usr/bin/python3 test/reference/compare/generate.py
Writes JSON files into test/reference/compare/fixtures/. Non-finite floats are written as the strings
"NaN", "Infinity" and "-Infinity" (JSON has no literal for them).
"""
import json
import math
import os
import warnings

import mpmath as mp
import numpy as np
import scipy
from scipy import special, stats

warnings.simplefilter("ignore")
assert scipy.__version__.startswith("1.10"), scipy.__version__

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
rng = np.random.default_rng(20260101)
ALTS = ["two-sided", "greater", "less"]


def clean(v):
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    return v


def write(name, data):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "w") as fh:
        json.dump(clean(data), fh, indent=None, separators=(",", ":"))
        fh.write("\n")


# ---------------------------------------------------------------- distributions
def exact_t_ppf(p, df, guess):
    """Student t quantile to ~30 digits with mpmath (SciPy's stdtrit is ~1e-10 relative near the median)."""
    mp.mp.dps = 40
    if p == 0.5:
        return 0.0
    target = mp.mpf(p)
    nu = mp.mpf(df)

    def cdf(x):
        tail = mp.betainc(nu / 2, mp.mpf(1) / 2, 0, nu / (nu + x * x), regularized=True) / 2
        return tail if x < 0 else 1 - tail

    def central(x):
        half = mp.betainc(mp.mpf(1) / 2, nu / 2, 0, x * x / (nu + x * x), regularized=True) / 2
        return half if x > 0 else -half

    if abs(p - 0.5) < 0.25:
        f = lambda x: central(x) - (target - mp.mpf("0.5"))  # noqa: E731
    else:
        f = lambda x: mp.log(cdf(x)) - mp.log(target)  # noqa: E731
    g = mp.mpf(guess)
    bracket = sorted([g * (1 - mp.mpf("1e-6")), g * (1 + mp.mpf("1e-6"))])
    root = mp.findroot(f, tuple(bracket), solver="anderson", verify=False)
    assert abs(f(root)) < mp.mpf("1e-25") * max(1, abs(f(bracket[0]))), (p, df, guess)
    return float(root)


def distributions():
    xs = sorted(set([0.0, 1e-12, 1e-6, 0.001, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 10.0, 15.0, 20.0,
                     30.0, 37.0] + list(np.round(rng.uniform(-10, 10, 30), 6))))
    xs = sorted(set(xs + [-x for x in xs]))
    normal = [{"x": x, "cdf": stats.norm.cdf(x), "sf": stats.norm.sf(x), "pdf": stats.norm.pdf(x)} for x in xs]
    ps = sorted(set([1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-12, 1e-9, 1e-6, 1e-3, 0.01, 0.025, 0.05, 0.1,
                     0.2, 0.3, 0.4, 0.45, 0.49, 0.4999999, 0.5, 0.5000001, 0.51, 0.6, 0.75, 0.9, 0.95, 0.975,
                     0.99, 0.999, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12] + list(rng.uniform(0, 1, 20))))
    normal_ppf = [{"p": p, "x": stats.norm.ppf(p)} for p in ps]
    dfs = [1, 2, 3, 4, 5, 7, 9, 10, 14, 19, 29, 49, 59, 100, 1000, 1e5]
    ts = [0.0, 1e-8, 0.01, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0, 20.0, 50.0, 100.0, 1e3, 1e6]
    student = []
    for df in dfs:
        for t in ts + list(np.round(rng.uniform(0, 8, 5), 6)):
            for s in (1, -1):
                x = s * t
                student.append({"df": df, "x": x, "cdf": stats.t.cdf(x, df), "sf": stats.t.sf(x, df),
                                "pdf": stats.t.pdf(x, df)})
    student_ppf = []
    for df in dfs:
        for p in ps:
            if p < 1e-100 and df > 1e4:
                continue
            x = stats.t.ppf(p, df)
            if abs(x) < 1e99:  # SciPy's stdtrit searches only |t| < 1e100; beyond it returns the bound
                student_ppf.append({"df": df, "p": p, "x": x, "xExact": exact_t_ppf(p, df, x)})
    chi2 = []
    for k in [1, 2, 3, 4, 5, 6, 7, 9, 10, 15, 19, 20, 30, 40, 59, 100]:
        for x in [1e-8, 0.01, 0.1, 0.5, 1.0, 2.0, 3.84, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 50.0, 80.0,
                  120.0, 200.0, 400.0] + list(np.round(rng.uniform(0, 3 * k, 4), 6)):
            chi2.append({"k": k, "x": x, "cdf": stats.chi2.cdf(x, k), "sf": stats.chi2.sf(x, k)})
    gammaln = [{"x": x, "y": special.gammaln(x)} for x in
               [1e-8, 0.01, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 5.5, 10.0, 14.9, 15.1, 20.0, 30.5,
                50.0, 100.0, 1e3, 1e5, 1e8] + list(np.round(rng.uniform(0, 60, 15), 6))]
    gammainc = []
    for a in [0.5, 1.0, 1.5, 2.0, 3.5, 5.0, 10.0, 25.0, 50.0]:
        for x in [1e-6, 0.1, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 20.0, 40.0, 80.0, 150.0]:
            gammainc.append({"a": a, "x": x, "p": special.gammainc(a, x), "q": special.gammaincc(a, x)})
    betainc = []
    for a in [0.5, 1.0, 2.0, 3.5, 5.0, 10.0, 30.0, 100.0]:
        for b in [0.5, 1.0, 2.5, 7.0, 20.0, 100.0]:
            for x in [1e-6, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999999]:
                betainc.append({"a": a, "b": b, "x": x, "p": special.betainc(a, b, x),
                                "q": special.betaincc(a, b, x) if hasattr(special, "betaincc")
                                else 1 - special.betainc(a, b, x)})
    binom = []
    for n in [1, 2, 5, 10, 17, 24, 25, 40, 100]:
        for k in range(0, n + 1, max(1, n // 7)):
            binom.append({"k": k, "n": n, "p": 0.5, "cdf": stats.binom.cdf(k, n, 0.5)})
    write("distributions.json", {"normal": normal, "normalPpf": normal_ppf, "studentT": student,
                                 "studentTPpf": student_ppf, "chiSquare": chi2, "gammaln": gammaln,
                                 "gammainc": gammainc, "betainc": betainc, "binom": binom,
                                 "betaincHasComplement": hasattr(special, "betaincc")})


# ---------------------------------------------------------------- paired tests
def paired_samples():
    cases = []
    for n in list(range(3, 21)) + [24, 25, 30, 40, 49, 50, 51, 55, 60]:
        for kind in ("noise", "effect", "ties", "zeros", "large"):
            base = rng.normal(0.8, 0.05, n)
            if kind == "noise":
                b = base + rng.normal(0, 0.02, n)
            elif kind == "effect":
                b = base - 0.01 + rng.normal(0, 0.02, n)
            elif kind == "ties":
                base = np.round(base, 2)
                b = np.round(base + rng.choice([-0.02, -0.01, 0.01, 0.02, 0.03], n), 2)
            elif kind == "zeros":
                base = np.round(base, 2)
                b = np.round(base + rng.choice([-0.01, 0.0, 0.0, 0.01, 0.02], n), 2)
            else:
                b = base - 0.05 + rng.normal(0, 0.002, n)
            cases.append({"name": f"{kind}-n{n}", "a": [float(x) for x in base], "b": [float(x) for x in b]})
    for n in (5, 10, 20, 30, 60):
        for target in (1e-6, 1e-9, 1e-12, 1e-14):
            # differences scaled so the two-sided paired t p-value lands at `target`
            a = rng.normal(0.8, 0.05, n)
            d = rng.normal(0, 0.01, n)
            t = stats.t.isf(target / 2, n - 1)
            d = d - d.mean() + t * d.std(ddof=1) / math.sqrt(n)
            cases.append({"name": f"p{target:g}-n{n}", "a": [float(x) for x in a],
                          "b": [float(x) for x in a - d]})
    cases.append({"name": "identical", "a": [0.5, 0.6, 0.7, 0.8], "b": [0.5, 0.6, 0.7, 0.8]})
    cases.append({"name": "constant-shift", "a": [1.5, 2.5, 3.5, 4.5], "b": [1.0, 2.0, 3.0, 4.0]})
    cases.append({"name": "integers-ties", "a": [1, 2, 3, 4, 5, 6, 7, 8], "b": [2, 1, 5, 2, 2, 9, 3, 4]})
    return cases


def paired(cases):
    out = []
    for c in cases:
        a = np.array(c["a"], dtype=float)
        b = np.array(c["b"], dtype=float)
        d = a - b
        n = len(d)
        rec = dict(c)
        rec["ttest"] = {}
        for alt in ALTS:
            r = stats.ttest_rel(a, b, alternative=alt)
            rec["ttest"][alt] = {"statistic": r.statistic, "pValue": r.pvalue, "df": n - 1,
                                 "meanDiff": np.mean(d), "stdDiff": np.std(d, ddof=1)}
        rec["corrected"] = []
        for ratio in (1 / (n - 1), 0.25, 1.0):
            m = np.mean(d)
            v = np.var(d, ddof=1)
            with np.errstate(all="ignore"):
                t = m / np.sqrt((1 / n + ratio) * v)
            for alt in ALTS:
                if alt == "two-sided":
                    p = 2 * stats.t.sf(abs(t), n - 1)
                elif alt == "greater":
                    p = stats.t.sf(t, n - 1)
                else:
                    p = stats.t.cdf(t, n - 1)
                rec["corrected"].append({"testTrainRatio": ratio, "alternative": alt, "statistic": t,
                                         "pValue": p, "df": n - 1, "meanDiff": m})
        rec["wilcoxon"] = []
        for alt in ALTS:
            for zm in ("wilcox", "pratt", "zsplit"):
                for corr in (False, True):
                    for mode in ("auto", "exact", "approx"):
                        # foldwise's 'auto' sends tied |differences| to the normal approximation (the
                        # exact null distribution assumes no ties); SciPy 1.10's 'auto' would instead
                        # truncate a half-integer r+ and stay exact. Explicit 'exact' keeps 1.10's rule.
                        has_ties = len(np.unique(np.abs(d[d != 0]))) < np.sum(d != 0)
                        scipy_mode = "approx" if (mode == "auto" and has_ties) else mode
                        try:
                            r = stats.wilcoxon(a, b, zero_method=zm, correction=corr, alternative=alt,
                                               method=scipy_mode)
                            res = {"statistic": r.statistic, "pValue": r.pvalue}
                        except ValueError as e:
                            res = {"error": str(e)}
                        rec["wilcoxon"].append({"alternative": alt, "zeroMethod": zm, "correction": corr,
                                                "mode": mode, **res})
        rec["bayes"] = []
        for rope in (0.0, 0.005, 0.02):
            for ratio in (1 / (n - 1), 0.25):
                m = np.mean(d)
                v = np.var(d, ddof=1)
                scale = np.sqrt((1 / n + ratio) * v)
                if scale > 0:
                    p_left = stats.t.cdf(-rope, n - 1, loc=m, scale=scale)
                    p_right = stats.t.sf(rope, n - 1, loc=m, scale=scale)
                    rec["bayes"].append({"rope": rope, "testTrainRatio": ratio, "pLeft": p_left,
                                         "pRope": 1 - p_left - p_right, "pRight": p_right, "mean": m,
                                         "scale": scale, "df": n - 1})
        rec["meanCi"] = []
        for level in (0.8, 0.9, 0.95, 0.99):
            for ratio in (None, 0.25, 1 / (n - 1)):
                m = np.mean(a)
                s = np.std(a, ddof=1)
                factor = math.sqrt(1 / n + ratio) if ratio is not None else math.sqrt(1 / n)
                tq = stats.t.ppf((1 + level) / 2, n - 1)
                exact_tq = exact_t_ppf((1 + level) / 2, n - 1, tq)
                hw = exact_tq * s * factor
                rec["meanCi"].append({"level": level, "testTrainRatio": ratio, "mean": m, "std": s,
                                      "low": m - hw, "high": m + hw, "halfWidth": hw,
                                      "halfWidthScipy": tq * s * factor})
        out.append(rec)
    write("paired.json", out)


# ---------------------------------------------------------------- bootstrap (our PRNG, numpy percentiles)
def mulberry32(seed):
    state = seed & 0xFFFFFFFF

    def nxt():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        z = state
        z = ((z ^ (z >> 15)) * (z | 1)) & 0xFFFFFFFF
        z ^= (z + (((z ^ (z >> 7)) * (z | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return (z ^ (z >> 14)) & 0xFFFFFFFF

    return nxt


def bootstrap():
    out = []
    for i, (n, resamples, level) in enumerate([(5, 200, 0.95), (10, 2000, 0.95), (10, 2000, 0.9),
                                               (25, 500, 0.99), (3, 100, 0.8), (60, 1000, 0.95)]):
        x = np.round(rng.normal(0.7, 0.1, n), 4)
        seed = 1000 + 7 * i
        nxt = mulberry32(seed)
        means = np.empty(resamples)
        for r in range(resamples):
            idx = [(nxt() * n) >> 32 for _ in range(n)]
            s = 0.0
            for j in idx:
                s += float(x[j])
            means[r] = s / n
        low, high = np.percentile(means, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
        out.append({"scores": [float(v) for v in x], "seed": seed, "resamples": resamples, "level": level,
                    "mean": float(np.mean(x)), "low": low, "high": high,
                    "firstDraws": [mulberry32(seed)() for _ in range(1)]})
    write("bootstrap.json", out)


# ---------------------------------------------------------------- Friedman and Nemenyi
def q_table():
    table = {}
    for alpha in (0.05, 0.10):
        table[str(alpha)] = [stats.studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2)
                             for k in range(2, 21)]
    return table


def friedman_nemenyi(qt):
    out = []
    for n, k, kind in [(2, 3, "cont"), (3, 3, "cont"), (5, 4, "ties"), (10, 3, "cont"), (10, 5, "ties"),
                       (10, 10, "cont"), (15, 6, "ties"), (20, 4, "cont"), (30, 8, "ties"), (14, 20, "cont"),
                       (8, 12, "ties"), (6, 3, "allties")]:
        effects = rng.normal(0, 0.02, k)
        m = 0.8 + effects[None, :] + rng.normal(0, 0.02, (n, k))
        if kind == "ties":
            m = np.round(m, 2)
        if kind == "allties":
            m = np.tile(np.round(rng.normal(0.8, 0.05, (n, 1)), 2), (1, k))
            m[0, 0] += 0.01
        r = stats.friedmanchisquare(*[m[:, j] for j in range(k)])
        ranks = np.array([stats.rankdata(-row) for row in m])
        avg = ranks.mean(axis=0)
        nem = {}
        for alpha in ("0.05", "0.1"):
            q = qt[alpha][k - 2]
            cd = q * math.sqrt(k * (k + 1) / (6 * n))
            sig = [[bool(abs(avg[i] - avg[j]) > cd) for j in range(k)] for i in range(k)]
            nem[alpha] = {"q": q, "criticalDifference": cd, "significant": sig}
        out.append({"scores": m.tolist(), "friedman": {"statistic": r.statistic, "pValue": r.pvalue},
                    "averageRanks": avg.tolist(), "rowRanks": ranks.tolist(), "nemenyi": nem})
    write("friedman.json", {"qTable": q_table_cache, "cases": out})


# ---------------------------------------------------------------- McNemar
def mcnemar():
    out = []
    for n, acc_a, acc_b in [(20, 0.8, 0.7), (50, 0.9, 0.85), (100, 0.8, 0.8), (200, 0.75, 0.85),
                            (500, 0.9, 0.88), (1000, 0.7, 0.75), (30, 0.95, 0.95), (12, 0.5, 0.9),
                            (300, 0.6, 0.62), (60, 0.9, 0.7)]:
        y = rng.integers(0, 3, n)
        pa = np.where(rng.uniform(size=n) < acc_a, y, (y + 1) % 3)
        pb = np.where(rng.uniform(size=n) < acc_b, y, (y + 2) % 3)
        ca = pa == y
        cb = pb == y
        b = int(np.sum(ca & ~cb))
        c = int(np.sum(~ca & cb))
        rec = {"yTrue": y.tolist(), "predA": pa.tolist(), "predB": pb.tolist(), "b": b, "c": c}
        if b + c > 0:
            rec["exact"] = {"statistic": min(b, c), "pValue": stats.binomtest(min(b, c), b + c, 0.5).pvalue}
        for corr in (True, False):
            if b + c > 0:
                s = (abs(b - c) - (1 if corr else 0)) ** 2 / (b + c)
                rec["chi2" + ("Corrected" if corr else "")] = {"statistic": s, "pValue": stats.chi2.sf(s, 1)}
        out.append(rec)
    write("mcnemar.json", out)


# ---------------------------------------------------------------- Holm and Bonferroni
def adjust():
    out = []
    for m in [1, 2, 3, 5, 8, 13, 20]:
        for _ in range(3):
            p = rng.uniform(0, 0.2, m) ** 2
            if m > 3:
                p[1] = p[0]
            order = np.argsort(p, kind="stable")
            adj_sorted = np.minimum(1, np.maximum.accumulate(p[order] * (m - np.arange(m))))
            holm = np.empty(m)
            holm[order] = adj_sorted
            for alpha in (0.05, 0.1):
                out.append({"pValues": p.tolist(), "alpha": alpha, "holm": holm.tolist(),
                            "holmReject": (holm <= alpha).tolist(),
                            "bonferroni": np.minimum(1, p * m).tolist(),
                            "bonferroniReject": (np.minimum(1, p * m) <= alpha).tolist()})
    write("adjust.json", out)


def ranks():
    out = []
    for v in ([1, 2, 3], [3, 1, 2], [1, 1, 1], [2, 1, 2, 3, 1], [0.5, -1.0, 0.5, 0.5, 7.0, -1.0],
              list(np.round(rng.normal(0, 1, 30), 1))):
        out.append({"values": [float(x) for x in v], "ranks": stats.rankdata(v).tolist()})
    write("ranks.json", out)


if __name__ == "__main__":
    distributions()
    cases = paired_samples()
    paired(cases)
    bootstrap()
    q_table_cache = q_table()
    friedman_nemenyi(q_table_cache)
    mcnemar()
    adjust()
    ranks()
    print("wrote fixtures to", OUT)
