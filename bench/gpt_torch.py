# python3 bench/gpt_torch.py [--steps N] [--threads N] [--generate]
# The PyTorch twin of bench/gpt_profile.ts: the same baby GPT (4 pre-norm decoder blocks with
# exact gelu, 4 heads, embedding 128, context 64, batch 12, vocabulary 65, AdamW with global
# gradient clipping, no dropout), timed the same way (median step after warm-up). Prints one
# JSON line. Cached generation uses a key/value cache per block, as Myelin's cachedCall does.
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--steps', type=int, default=30)
p.add_argument('--warmup', type=int, default=5)
p.add_argument('--threads', type=int, default=1)
p.add_argument('--context', type=int, default=64)
p.add_argument('--generate', action='store_true')
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

BATCH, VOCAB, DIM, HEADS, LAYERS = 12, 65, 128, 4, 4


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(DIM)
        self.q = nn.Linear(DIM, DIM)
        self.k = nn.Linear(DIM, DIM)
        self.v = nn.Linear(DIM, DIM)
        self.o = nn.Linear(DIM, DIM)
        self.ln2 = nn.LayerNorm(DIM)
        self.fc = nn.Linear(DIM, 4 * DIM)
        self.proj = nn.Linear(4 * DIM, DIM)

    def attend(self, x, cache=None):
        b, t, _ = x.shape
        h = self.ln1(x)
        split = lambda z: z.view(b, t, HEADS, DIM // HEADS).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        if cache is not None:
            k = torch.cat([cache[0], k], 2)
            v = torch.cat([cache[1], v], 2)
        s = k.shape[2]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(DIM // HEADS)
        mask = torch.ones(t, s, dtype=torch.bool).tril(s - t)
        att = att.masked_fill(~mask, float('-inf')).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, DIM)
        x = x + self.o(y)
        x = x + self.proj(F.gelu(self.fc(self.ln2(x))))
        return x, (k, v)

    def forward(self, x):
        return self.attend(x)[0]


class GPT(nn.Module):
    def __init__(self, context):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, DIM)
        self.pos = nn.Embedding(context, DIM)
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln = nn.LayerNorm(DIM)
        self.head = nn.Linear(DIM, VOCAB)

    def forward(self, idx, start=0, caches=None):
        t = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(start, start + t))
        new = []
        for i, b in enumerate(self.blocks):
            x, c = b.attend(x, caches[i] if caches else None)
            new.append(c)
        return self.head(self.ln(x)), new


def train():
    model = GPT(args.context)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)
    g = torch.Generator().manual_seed(1)
    data = [
        (torch.randint(VOCAB, (BATCH, args.context), generator=g), torch.randint(VOCAB, (BATCH, args.context), generator=g))
        for _ in range(8)
    ]

    def step(i):
        x, y = data[i % 8]
        logits, _ = model(x)
        loss = F.cross_entropy(logits.view(-1, VOCAB), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for i in range(args.warmup):
        step(i)
    times, cpus = [], []
    for i in range(args.steps):
        t, c = time.perf_counter(), time.process_time()
        loss = step(i)
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    times.sort()
    cpus.sort()
    med = times[len(times) // 2]
    cpu = cpus[len(cpus) // 2]
    return {
        'stepMs': round(med * 1000, 2),
        # Processor time of the step (every thread): what a busy machine's waiting does not inflate.
        'cpuMs': round(cpu * 1000, 2),
        'cpuTokensPerSec': round(BATCH * args.context / cpu),
        'tokensPerSec': round(BATCH * args.context / med),
        'meanTokensPerSec': round(BATCH * args.context * args.steps / sum(times)),
        'loss': round(loss, 4),
    }


@torch.no_grad()
def generation():
    out = {}
    for context in (64, 256):
        model = GPT(context).eval()

        def run():
            token, caches = 1, None
            for pos in range(context):
                logits, caches = model(torch.tensor([[token]]), pos, caches)
                token = int(logits[0, -1].argmax())

        run()
        t, c = time.perf_counter(), time.process_time()
        run()
        out[f'cachedTokensPerSec{context}'] = round(context / (time.perf_counter() - t))
        out[f'cpuCachedTokensPerSec{context}'] = round(context / (time.process_time() - c))
    return out


result = {'who': 'torch', 'threads': args.threads, 'context': args.context, **train()}
if args.generate:
    result['generate'] = generation()
print(json.dumps(result))
