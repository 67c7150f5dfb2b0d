"""The benchmark workloads W1-W5 and W7 written against PyTorch, for `npm run bench`.

    python3 bench/torch_workloads.py <W1..W5|W7> <threads> [param] [model] [--quick]

Same models, data sizes, optimizers and step counts as bench/workloads.ts (and the same seeded
random numbers: the generator below is the one there). Prints one JSON line, the outcome the
Node children print: {"ok": true, "value": ..., "unit": ..., "higherIsBetter": ..., "extra": {...}}
or {"ok": false, "reason": ...}. Only the benchmark runs it; nothing in the package or its tests
imports PyTorch.
"""

import json
import os
import resource
import sys
import time


def mulberry32(seed):
    """The seeded generator of bench/workloads.ts, bit for bit."""
    a = seed & 0xFFFFFFFF

    def imul(x, y):
        return (x * y) & 0xFFFFFFFF

    def nxt():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return nxt


def uniform(n, seed, lo=-1.0, hi=1.0):
    r = mulberry32(seed)
    return [lo + (hi - lo) * r() for _ in range(n)]


def random_labels(n, classes, seed):
    r = mulberry32(seed)
    return [int(r() * classes) for _ in range(n)]


def settings(quick):
    return {
        "w2_samples": 1024 if quick else 8192,
        "w2_timed_epochs": 1 if quick else 3,
        "w45_warmup": 1 if quick else 3,
        "w45_timed": 2 if quick else 20,
    }


def w3_data():
    r = mulberry32(3)
    w = [r() * 2 - 1 for _ in range(13)]

    def make(rows):
        x, y = [], []
        for _ in range(rows):
            s = 22.0
            for j in range(13):
                v = (r() + r() + r() - 1.5) * 2
                x.append(v)
                s += 3 * w[j] * v
            y.append(s + (r() - 0.5))
        return x, y

    return make(404) + make(102)


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[(n - 1) // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def process_seconds():
    """Seconds since this process started (what the Node children report as `process`)."""
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def time_steps(step, warmup, timed, cap_seconds=30):
    for _ in range(warmup):
        step()
    t = time.perf_counter()
    steps = 0
    while steps < timed:
        step()
        steps += 1
        if time.perf_counter() - t > cap_seconds:
            break
    return (time.perf_counter() - t) / steps, steps


# ---- models (Keras layouts where it matters for the arithmetic: channels and units) ----


def mlp(nn):
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn(nn):
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(5 * 5 * 64, 10),
    )


def char_lstm(torch, nn):
    class CharLstm(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(65, 64)
            self.lstm = nn.LSTM(64, 128, batch_first=True)
            self.dense = nn.Linear(128, 65)

        def forward(self, x):
            h, _ = self.lstm(self.embedding(x))
            return self.dense(h)

    return CharLstm()


def adam(torch, params):
    # Keras' epsilon (1e-7), learning rate 1e-3.
    return torch.optim.Adam(params, lr=1e-3, eps=1e-7)


def train_step(torch, model, opt, x, y):
    """One step of softmax cross-entropy on logits (the models end in a linear layer)."""
    opt.zero_grad(set_to_none=True)
    logits = model(x)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    loss.backward()
    opt.step()
    return loss


# ---- workloads ----


def w1(torch, n):
    a = torch.tensor(uniform(n * n, 1), dtype=torch.float32).reshape(n, n)
    b = torch.tensor(uniform(n * n, 2), dtype=torch.float32).reshape(n, n)
    torch.mm(a, b)
    times = []
    t0 = time.perf_counter()
    while True:
        t = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - t)
        if time.perf_counter() - t0 >= 1 or len(times) >= 20:
            break
    return {"value": 2 * n**3 / median(times) / 1e9, "unit": "GFLOPS", "higherIsBetter": True}


def w2(torch, s):
    nn = torch.nn
    n = s["w2_samples"]
    x = torch.tensor(uniform(n * 784, 4, 0, 1), dtype=torch.float32).reshape(n, 784)
    y = torch.tensor(random_labels(n, 10, 5), dtype=torch.long)
    model = mlp(nn)
    opt = adam(torch, model.parameters())

    def epoch():
        order = torch.randperm(n)
        for start in range(0, n, 128):
            idx = order[start:start + 128]
            train_step(torch, model, opt, x[idx], y[idx])

    epoch()
    t = time.perf_counter()
    for _ in range(s["w2_timed_epochs"]):
        epoch()
    sec = time.perf_counter() - t
    return {"value": n * s["w2_timed_epochs"] / sec, "unit": "samples/s", "higherIsBetter": True}


def w3(torch):
    nn = torch.nn
    x_train, y_train, x_test, y_test = (torch.tensor(v, dtype=torch.float32) for v in w3_data())
    x_train, x_test = x_train.reshape(404, 13), x_test.reshape(102, 13)
    y_train, y_test = y_train.reshape(404, 1), y_test.reshape(102, 1)
    model = nn.Sequential(nn.Linear(13, 10), nn.ReLU(), nn.Linear(10, 1))
    opt = adam(torch, model.parameters())
    t = time.perf_counter()
    for _ in range(10):
        mae_sum = 0.0
        for start in range(0, 404, 32):
            xb, yb = x_train[start:start + 32], y_train[start:start + 32]
            opt.zero_grad(set_to_none=True)
            pred = model(xb)
            loss = torch.mean((pred - yb) ** 2)
            loss.backward()
            opt.step()
            mae_sum += float(torch.abs(pred.detach() - yb).sum())  # the mae metric, as fit() keeps it
    fit = time.perf_counter() - t
    with torch.no_grad():
        mse = float(torch.mean((model(x_test) - y_test) ** 2))
    print(f"W3 pytorch: test mse {mse:.2f}", file=sys.stderr)
    return {"value": fit, "unit": "s fit()", "higherIsBetter": False, "extra": {"process": process_seconds()}}


def w4(torch, s):
    model = char_lstm(torch, torch.nn)
    opt = adam(torch, model.parameters())
    x = torch.tensor(random_labels(32 * 64, 65, 6), dtype=torch.long).reshape(32, 64)
    y = torch.tensor(random_labels(32 * 64, 65, 7), dtype=torch.long).reshape(32, 64)
    per_step, steps = time_steps(lambda: train_step(torch, model, opt, x, y), s["w45_warmup"], s["w45_timed"])
    return {"value": 32 * 64 / per_step, "unit": "tokens/s", "higherIsBetter": True, "extra": {"steps": steps}}


def w5(torch, s):
    model = cnn(torch.nn)
    opt = adam(torch, model.parameters())
    # bench/workloads.ts draws the images as NHWC; with one channel that is the same order as NCHW.
    x = torch.tensor(uniform(64 * 28 * 28, 8, 0, 1), dtype=torch.float32).reshape(64, 1, 28, 28)
    y = torch.tensor(random_labels(64, 10, 9), dtype=torch.long)
    per_step, steps = time_steps(lambda: train_step(torch, model, opt, x, y), s["w45_warmup"], s["w45_timed"])
    return {"value": 64 / per_step, "unit": "images/s", "higherIsBetter": True, "extra": {"steps": steps}}


def w7(torch, model_name, batch, quick):
    """Inference (torch.no_grad, eval mode): latency of one sample, or samples/s at batch 256."""
    nn = torch.nn
    if model_name == "mlp":
        model = mlp(nn)
        x = torch.tensor(uniform(batch * 784, 10, 0, 1), dtype=torch.float32).reshape(batch, 784)
    elif model_name == "cnn":
        model = cnn(nn)
        x = torch.tensor(uniform(batch * 28 * 28, 11, 0, 1), dtype=torch.float32).reshape(batch, 1, 28, 28)
    else:
        model = char_lstm(torch, nn)
        x = torch.tensor(random_labels(batch * 64, 65, 12), dtype=torch.long).reshape(batch, 64)
    model.eval()
    with torch.no_grad():
        per_call = time_predictions(lambda: torch.softmax(model(x), -1), quick)
    if batch == 1:
        return {"value": per_call * 1000, "unit": "ms/sample", "higherIsBetter": False}
    return {"value": batch / per_call, "unit": "samples/s", "higherIsBetter": True}


def time_predictions(predict, quick):
    """Median seconds per call after a warm-up, over at most 1 s (0.2 s quick) or 2000 calls."""
    for _ in range(5):
        predict()
    budget = 0.2 if quick else 1.0
    times = []
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < budget and len(times) < 2000:
        t = time.perf_counter()
        predict()
        times.append(time.perf_counter() - t)
    return median(times)


def main():
    argv = [a for a in sys.argv[1:] if a != "--quick"]
    quick = "--quick" in sys.argv
    workload, threads = argv[0], int(argv[1])
    param = int(argv[2]) if len(argv) > 2 else None
    model_name = argv[3] if len(argv) > 3 else None
    try:
        import torch
    except ImportError as e:
        print(json.dumps({"ok": False, "reason": f"not available: PyTorch cannot be imported ({e})"}))
        return
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    s = settings(quick)
    if workload == "W1":
        out = w1(torch, param)
    elif workload == "W2":
        out = w2(torch, s)
    elif workload == "W3":
        out = w3(torch)
    elif workload == "W4":
        out = w4(torch, s)
    elif workload == "W5":
        out = w5(torch, s)
    elif workload == "W7":
        out = w7(torch, model_name, param, quick)
    else:
        print(json.dumps({"ok": False, "reason": f"unknown workload '{workload}'"}))
        return
    extra = {**out.get("extra", {}), "rssMiB": peak_rss_mib(), "threads": threads}
    print(json.dumps({"ok": True, **out, "extra": extra}))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - reported as the contender's result
        print(json.dumps({"ok": False, "reason": f"cannot run: {str(e).splitlines()[0][:160]}"}))
