"""W6 in PyTorch: the model of Myelin's models.gpt, written out (nanoGPT's layout with biases).

    python3 bench/torch_gpt.py train|gen64|gen256 [--quick] [--threads N]

Prints one JSON line in the bench's Outcome shape. The model matches models.gpt: token and
position tables (normal, std 0.02), pre-norm blocks (LayerNorm eps 1e-5, causal self-attention
with biased query/key/value/output projections, a 4x GELU feedforward), a final LayerNorm and
logits tied to the token table. Training: AdamW (lr 1e-3, betas 0.9/0.99, weight decay 0.1 on
matrices only), cross-entropy, global gradient-norm clipping at 1. Generation samples from the
softmax of the last position's logits, with a per-layer key/value cache or by re-running the
whole context.
"""
import json
import math
import os
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print(json.dumps({"ok": False, "reason": "not available: PyTorch is not installed (Debian: python3-torch)"}))
    sys.exit(0)

# Measured on one thread and on every core; the faster counts (on a busy machine, OpenMP's
# threads can lose much of their time waiting for each other).
THREADS = sorted({1, os.cpu_count() or 1})
if "--threads" in sys.argv:  # one thread count only (profiling beside bench/gpt_profile.ts)
    THREADS = [int(sys.argv[sys.argv.index("--threads") + 1])]
VOCAB = 65


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.fc = nn.Linear(d, 4 * d)
        self.proj = nn.Linear(4 * d, d)

    def split(self, x):
        b, t, d = x.shape
        return x.view(b, t, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, x, cache=None):
        b, t, d = x.shape
        h = self.ln1(x)
        q, k, v = self.split(self.q(h)), self.split(self.k(h)), self.split(self.v(h))
        if cache is not None:
            k = torch.cat([cache[0], k], dim=2)
            v = torch.cat([cache[1], v], dim=2)
        s = k.shape[2]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.heads)
        # Query i (position s - t + i) sees keys 0 .. s - t + i.
        mask = torch.ones(t, s, dtype=torch.bool).tril(diagonal=s - t)
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.o(y)
        x = x + self.proj(F.gelu(self.fc(self.ln2(x))))
        return x, (k, v)


class GPT(nn.Module):
    def __init__(self, vocab, block, layers, heads, d):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(block, d)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln = nn.LayerNorm(d, eps=1e-5)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids, caches=None, start=0):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(start, start + t))
        new = []
        for i, block in enumerate(self.blocks):
            x, c = block(x, None if caches is None else caches[i])
            new.append(c)
        return self.ln(x) @ self.wte.weight.t(), new


def train(quick):
    torch.manual_seed(0)
    model = GPT(VOCAB, 64, 4, 4, 128)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    rest = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.99)
    )
    x = torch.randint(0, VOCAB, (12, 64))
    y = torch.randint(0, VOCAB, (12, 64))

    def step():
        logits, _ = model(x)
        loss = F.cross_entropy(logits.view(-1, VOCAB), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(1 if quick else 3):
        step()
    times = []
    cpu = time.process_time()
    for _ in range(3 if quick else 20):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    # Processor time (every thread) a step, comparable on a busy machine with gpt_profile's.
    cpu_ms = (time.process_time() - cpu) / len(times) * 1000
    return {
        "ok": True,
        "value": 12 * 64 / statistics.median(times),
        "unit": "tokens/s",
        "higherIsBetter": True,
        "extra": {"cpuMsPerStep": round(cpu_ms, 1)},
    }


@torch.no_grad()
def generate(model, prompt, count, cached):
    ids = prompt.clone()
    caches, fresh = None, ids
    for _ in range(count):
        if cached:
            logits, caches = model(fresh, caches, ids.shape[1] - fresh.shape[1])
        else:
            logits, _ = model(ids)
        probs = logits[:, -1, :].softmax(dim=-1)
        nxt = torch.multinomial(probs, 1)
        ids = torch.cat([ids, nxt], dim=1)
        fresh = nxt
    return ids


def gen(context, quick):
    torch.manual_seed(0)
    model = GPT(VOCAB, context, 4, 4, 128).eval()
    count = context // 2 if not quick else 8
    prompt = torch.randint(0, VOCAB, (1, context - count))
    out = {}
    for cached in (True, False):
        generate(model, prompt, 2, cached)
        t = time.perf_counter()
        generate(model, prompt, count, cached)
        out[cached] = count / (time.perf_counter() - t)
    return {
        "ok": True,
        "value": out[True],
        "unit": "tokens/s",
        "higherIsBetter": True,
        "extra": {"uncached": out[False]},
    }


def best_of_threads(run):
    results = []
    for n in THREADS:
        torch.set_num_threads(n)
        r = run()
        r.setdefault("extra", {})["threads"] = n
        results.append(r)
    best = max(results, key=lambda r: r["value"])
    for r in results:
        best["extra"][f"value_{r['extra']['threads']}_threads"] = r["value"]
    return best


if __name__ == "__main__":
    case = sys.argv[1]
    quick = "--quick" in sys.argv
    try:
        if case == "train":
            result = best_of_threads(lambda: train(quick))
        elif case.startswith("gen"):
            result = best_of_threads(lambda: gen(int(case[3:]), quick))
        else:
            result = {"ok": False, "reason": f"unknown W6 case '{case}'"}
    except Exception as e:  # reported as the contender's result
        result = {"ok": False, "reason": f"cannot run: {str(e).splitlines()[0][:160]}"}
    print(json.dumps(result))
