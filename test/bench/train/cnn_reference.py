"""PyTorch peer of `npm run bench:train -- --suite cnn`: the cnn family's architecture on the same images, one thread.

Usage: /usr/bin/python3 cnn_reference.py X.f32 Y.f64 N H W C CLASSES BATCH EPOCHS REPEAT FILTERS DENSE [ARCH]
-> prints one JSON line. ARCH is `cnn` (the default: FILTERS and DENSE as below) or `resnet:WIDTH:BLOCKS:STAGES`, the
resnet family's CIFAR-style network (3×3 stem, BLOCKS basic blocks per stage, width doubling and stride 2 into every
later stage with a 1×1 projection shortcut, convolutions without bias, batch norm after each, global average pooling).

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
arch = sys.argv[13] if len(sys.argv) > 13 else "cnn"
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


class Block(nn.Module):
    def __init__(self, cin, f, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, f, 3, stride, 1, bias=False), nn.BatchNorm2d(f)
        self.c2, self.b2 = nn.Conv2d(f, f, 3, 1, 1, bias=False), nn.BatchNorm2d(f)
        self.sc = (
            None
            if stride == 1 and cin == f
            else nn.Sequential(nn.Conv2d(cin, f, 1, stride, bias=False), nn.BatchNorm2d(f))
        )

    def forward(self, x):
        y = self.b2(self.c2(torch.relu(self.b1(self.c1(x)))))
        return torch.relu(y + (x if self.sc is None else self.sc(x)))


def resnet(width, blocks, stages):
    layers, cin = [nn.Conv2d(c, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()], width
    for s in range(stages):
        f = width * 2**s
        for b in range(blocks):
            layers.append(Block(cin, f, 2 if s > 0 and b == 0 else 1))
            cin = f
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, k)]
    return nn.Sequential(*layers)


if arch.startswith("resnet:"):
    _w, _b, _s = (int(v) for v in arch.split(":")[1:])
    model = lambda: resnet(_w, _b, _s)  # noqa: E731


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
    "arch": arch,
}))
