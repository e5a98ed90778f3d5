"""PyTorch peer of `npm run bench:train -- --suite cnn`: the cnn family's architecture on the same images, one thread.

Usage: /usr/bin/python3 cnn_reference.py X.f32 Y.f64 N H W C CLASSES BATCH EPOCHS REPEAT FILTERS DENSE
-> prints one JSON line.

The same terms as foldwise's side: float32, the images foldwise trains on (its fold 0: every fifth image held out),
conv 3×3 'same' → batch norm → relu → max-pool 2 per block (filters as given), flatten, dense relu, dense softmax,
Adam lr 1e-3 (PyTorch's eps 1e-8 is foldwise's too), the same batch size and epochs, one untimed warm-up epoch on a
throwaway model, best rate of each clock over REPEAT timed runs, torch.set_num_threads(1).
"""
import json
import sys
import time

import numpy as np

xf, yf = sys.argv[1], sys.argv[2]
n, h, w, c, k, batch, epochs, repeat = (int(v) for v in sys.argv[3:11])
filters = [int(f) for f in sys.argv[11].split(",")]
dense = int(sys.argv[12])
X = np.fromfile(xf, dtype=np.float32).reshape(n, h, w, c).transpose(0, 3, 1, 2).copy()
y = np.fromfile(yf, dtype=np.float64).astype(np.int64)
tr = np.arange(n) % 5 != 0
try:
    import torch
    from torch import nn
except Exception as e:  # noqa: BLE001
    print(json.dumps({"error": f"torch not importable: {e}"}))
    sys.exit(0)

torch.set_num_threads(1)
torch.manual_seed(0)
Xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr])
Xva, yva = torch.from_numpy(X[~tr]), torch.from_numpy(y[~tr])
ntr = int(tr.sum())


def model():
    layers, cin, size = [], c, (h, w)
    for f in filters:
        layers += [nn.Conv2d(cin, f, 3, padding=1), nn.BatchNorm2d(f), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True)]
        cin, size = f, ((size[0] + 1) // 2, (size[1] + 1) // 2)
    layers += [nn.Flatten(), nn.Linear(cin * size[0] * size[1], dense), nn.ReLU(), nn.Linear(dense, k)]
    return nn.Sequential(*layers)


def fit(m, e):
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    loss = nn.CrossEntropyLoss()
    m.train()
    for _ in range(e):
        perm = torch.randperm(ntr)
        for s in range(0, ntr, batch):
            idx = perm[s : s + batch]
            opt.zero_grad()
            loss(m(Xtr[idx]), ytr[idx]).backward()
            opt.step()


fit(model(), 1)
runs = []
for _ in range(repeat):
    m = model()
    t, cpu = time.perf_counter(), time.process_time()
    fit(m, epochs)
    runs.append((time.perf_counter() - t, time.process_time() - cpu, m))
m = runs[0][2]
m.eval()
with torch.no_grad():
    acc = float((m(Xva).argmax(1) == yva).float().mean())
print(json.dumps({
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
    "samplesEpochsPerSec": max(ntr * epochs / r[0] for r in runs),
    "samplesEpochsPerCpuSec": max(ntr * epochs / r[1] for r in runs),
    "valAcc": acc,
}))
