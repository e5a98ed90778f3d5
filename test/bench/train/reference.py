"""Reference training throughput for `npm run bench:train`: scikit-learn MLPClassifier and PyTorch on one thread.

Usage: /usr/bin/python3 reference.py CSV HIDDEN BATCH EPOCHS [REPEAT]  -> prints one JSON line.

The peers are held to foldwise's terms: float32 input and float32 arithmetic (scikit-learn 1.2 keeps float32 input
as float32, checked below on `coefs_`), one untimed warm-up epoch on a throwaway model of the same shape before the
timed runs (as foldwise gets), the best rate of each clock over REPEAT (default 1) timed runs on fresh models (as
foldwise's side keeps), one thread (OpenBLAS/OpenMP limited through threadpoolctl on top of the
OMP/OPENBLAS/MKL_NUM_THREADS=1 the bench sets; torch.set_num_threads(1)), the same split, architecture, optimizer,
learning rate, batch size and epochs. A float64 scikit-learn run is kept as a labelled extra row.
"""
import json
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

warnings.filterwarnings("ignore")
csv, hidden, batch, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
repeat = int(sys.argv[5]) if len(sys.argv) > 5 else 1
d = np.loadtxt(csv, delimiter=",", skiprows=1)
X32 = (d[:, :-1] / d[:, :-1].max()).astype(np.float32)
y = d[:, -1].astype(int)
tr = np.arange(len(y)) % 5 != 0
ytr, yva = y[tr], y[~tr]
n = int(tr.sum())
threadpool_limits(limits=1)
out = {"nTrain": n, "threads": {}}


def best_of(fit_once):
    """Runs `fit_once() -> (seconds, cpu_seconds, epochs, extra)` `repeat` times; best rate per clock, first extra."""
    runs = [fit_once() for _ in range(repeat)]
    return {"seconds": [r[0] for r in runs], "cpuSeconds": [r[1] for r in runs], "epochs": runs[0][2],
            "samplesEpochsPerSec": max(n * r[2] / r[0] for r in runs),
            "samplesEpochsPerCpuSec": max(n * r[2] / r[1] for r in runs), **runs[0][3]}


from sklearn.neural_network import MLPClassifier


def sklearn_run(dtype):
    Xtr, Xva = X32[tr].astype(dtype), X32[~tr].astype(dtype)

    def model(max_iter):
        return MLPClassifier(hidden_layer_sizes=(hidden,), solver="adam", learning_rate_init=1e-3, alpha=0.0,
                             batch_size=batch, max_iter=max_iter, tol=0.0, n_iter_no_change=10**9, shuffle=True,
                             random_state=0)

    def fit_once():
        m = model(epochs)
        t, c = time.perf_counter(), time.process_time()
        m.fit(Xtr, ytr)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        return dt, dc, m.n_iter_, {"valAcc": m.score(Xva, yva), "inputDtype": str(Xtr.dtype),
                                   "coefDtype": str(m.coefs_[0].dtype)}

    model(1).fit(Xtr, ytr)
    return best_of(fit_once)


out["sklearn"] = sklearn_run(np.float32)
if out["sklearn"]["coefDtype"] != "float32":
    raise SystemExit(f"scikit-learn computed in {out['sklearn']['coefDtype']} on float32 input")
out["sklearnFloat64"] = sklearn_run(np.float64)

try:
    import torch

    torch.set_num_threads(1)
    out["threads"]["torch"] = torch.get_num_threads()
    xt = torch.tensor(X32[tr], dtype=torch.float32)
    yt = torch.tensor(ytr, dtype=torch.long)
    lossf = torch.nn.CrossEntropyLoss()

    def net_and_opt():
        net = torch.nn.Sequential(torch.nn.Linear(X32.shape[1], hidden), torch.nn.ReLU(),
                                  torch.nn.Linear(hidden, int(y.max()) + 1))
        return net, torch.optim.Adam(net.parameters(), lr=1e-3)

    def fit(net, opt, n_epochs):
        for _ in range(n_epochs):
            perm = torch.randperm(len(yt))
            for i in range(0, len(yt), batch):
                idx = perm[i:i + batch]
                opt.zero_grad()
                loss = lossf(net(xt[idx]), yt[idx])
                loss.backward()
                opt.step()

    def fit_once():
        torch.manual_seed(0)
        net, opt = net_and_opt()
        t, c = time.perf_counter(), time.process_time()
        fit(net, opt, epochs)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        with torch.no_grad():
            acc = (net(torch.tensor(X32[~tr], dtype=torch.float32)).argmax(1).numpy() == yva).mean()
        return dt, dc, epochs, {"valAcc": float(acc), "dtype": str(next(net.parameters()).dtype)}

    torch.manual_seed(1)
    fit(*net_and_opt(), 1)
    out["torch"] = best_of(fit_once)
except ImportError as e:
    out["torch"] = {"error": str(e)}
out["threads"]["threadpools"] = [
    {"api": p["internal_api"], "version": p.get("version"), "numThreads": p["num_threads"]} for p in threadpool_info()
]
print(json.dumps(out))
