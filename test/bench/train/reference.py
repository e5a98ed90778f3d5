"""Reference training throughput: scikit-learn MLPClassifier and PyTorch, single-threaded, on a CSV dataset.

Usage: /usr/bin/python3 reference.py CSV HIDDEN BATCH EPOCHS  -> prints one JSON line.
"""
import json
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
csv, hidden, batch, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
d = np.loadtxt(csv, delimiter=",", skiprows=1)
X = (d[:, :-1] / d[:, :-1].max()).astype(np.float64)
y = d[:, -1].astype(int)
tr = np.arange(len(y)) % 5 != 0
Xtr, ytr, Xva, yva = X[tr], y[tr], X[~tr], y[~tr]
out = {"nTrain": int(tr.sum())}

from sklearn.neural_network import MLPClassifier

m = MLPClassifier(hidden_layer_sizes=(hidden,), solver="adam", learning_rate_init=1e-3, alpha=0.0, batch_size=batch,
                  max_iter=epochs, tol=0.0, n_iter_no_change=10**9, shuffle=True, random_state=0)
t, c = time.perf_counter(), time.process_time()
m.fit(Xtr, ytr)
dt, dc = time.perf_counter() - t, time.process_time() - c
out["sklearn"] = {"seconds": dt, "cpuSeconds": dc, "samplesEpochsPerSec": tr.sum() * m.n_iter_ / dt,
                  "samplesEpochsPerCpuSec": tr.sum() * m.n_iter_ / dc, "epochs": m.n_iter_, "valAcc": m.score(Xva, yva)}

try:
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, int(y.max()) + 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    xt = torch.tensor(Xtr, dtype=torch.float32)
    yt = torch.tensor(ytr, dtype=torch.long)
    t, c = time.perf_counter(), time.process_time()
    for _ in range(epochs):
        perm = torch.randperm(len(yt))
        for i in range(0, len(yt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = lossf(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    dt, dc = time.perf_counter() - t, time.process_time() - c
    with torch.no_grad():
        acc = (net(torch.tensor(Xva, dtype=torch.float32)).argmax(1).numpy() == yva).mean()
    out["torch"] = {"seconds": dt, "cpuSeconds": dc, "samplesEpochsPerSec": len(yt) * epochs / dt,
                    "samplesEpochsPerCpuSec": len(yt) * epochs / dc, "epochs": epochs, "valAcc": float(acc)}
except ImportError as e:
    out["torch"] = {"error": str(e)}
print(json.dumps(out))
