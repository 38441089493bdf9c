#!/usr/bin/python3
"""NTM and DNC training cost, engram against PyTorch: forward+backward of one copy-task sequence.

    /usr/bin/python3 bench/mann/side_by_side.py                       # NTM N 128 and 1024, DNC N 128, L 20
    /usr/bin/python3 bench/mann/side_by_side.py --memories ntm --slots 128 --batches 1,16,64,256 --json out.json

Work (both sides): a memory-augmented network with an LSTM controller of 100 units, one read and
one write head, memory N x 20, on one copy episode of L random 8-bit vectors (T = 2L + 1 steps, 9
input channels, 8 outputs): every step's logits, the per-bit cross-entropy over the L answer
steps, backward through all steps. Controller input [x_t | r_{t-1}]; output logits from
[h_t | r_t]. The memories:
  NTM (Graves et al. 2014)
    each head       key k (W), strength beta = softplus, gate g = sigmoid, shift s = softmax over
                    {-1, 0, +1}, sharpening gamma = 1 + softplus; write head also erase e =
                    sigmoid and add a (W)
    addressing      content (cosine, softmax of beta * similarity) -> interpolate with the previous
                    weighting -> circular shift -> sharpen (w^gamma, normalised)
    memory          M <- M * (1 - w e^T) + w a^T; r = w M
  DNC (Graves et al. 2016), memory starting at zeros, weightings at zero
    read head       key (W), beta = 1 + softplus, free gate f = sigmoid, read modes pi = softmax(3)
    write head      key (W), beta = 1 + softplus, allocation gate g^a and write gate g^w = sigmoid,
                    erase e = sigmoid (W), add a (W)
    each step       usage u <- (u + w^w - u w^w) prod(1 - f w^r) (the last step's weightings);
                    allocation a from u sorted ascending, a[phi_j] = (1 - u[phi_j]) prod_{i<j} u[phi_i];
                    w^w = g^w (g^a a + (1 - g^a) content(M, key, beta)); M <- M * (1 - w^w e^T) + w^w a^T;
                    links L <- (1 - w_i - w_j) L + w_i p_j (zero diagonal), precedence p <- (1 - sum w^w) p + w^w;
                    w^r = pi_b L^T w^r + pi_c content(M, key, beta) + pi_f L w^r; r = w^r M
engram: the rows seq/<memory>/N:<N>/L:<L> (one sequence per graph, one thread: CPU time per
sequence), batch/<memory>/N:<N>/L:<L>/B:16/threads:<1|2> (a batch of 16 as its trainer runs it,
one graph per sequence built and differentiated on 1 or 2 threads: wall time / 16) and
batched/<memory>/.../per_graph:8/threads:<1|2> (the batch in graphs of 8 sequences, as the ntm
and dnc models train with examples_per_graph: 8) of its Google
Benchmark program bench/memory/bench_mann (networks/memory_augmented.h with the `ntm` and `dnc`
presets: the same pipelines); the best of them, minimum over --repeat repetitions, as PyTorch gets
its best batch size and thread count.
PyTorch (written for this comparison only): the same networks batched over B sequences (the time
per sequence is the batch's time / B), every step's tensors [B x ...], the memory [B x N x W] (the
DNC's links [B x N x N]), the NTM's shift as a sum of three rolled weightings, the DNC's
allocation through torch.sort (stable) and an exclusive cumulative product, autograd for the
backward pass. Timed at each batch size of --batches and at 1 and 2 threads; the best (batch,
threads) counts, as PyTorch's best batch size is what a user would run. The DNC runs at the
sizes of --dnc-slots only (default 128): at N 1024 PyTorch would keep [B x 1024 x 1024] link
matrices of every step for its backward pass, gigabytes at batch 16.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, ".."))
from machine import blas_in_use, cpu_line, write_json  # noqa: E402

BITS, WIDTH, HIDDEN = 8, 20, 100


def engram_rows(binary, slots, length, repeat, memory="ntm"):
    """{N: {form: seconds per sequence}} of `memory` (ntm or dnc): engram's one sequence per graph
    on one thread (CPU time, form "1 seq, 1 thr") and a batch of 16 as its trainer runs it on 1 and
    2 threads (wall time / 16, "batch 16, <t> thr"); the minimum over the repetitions."""
    ns = "|".join(map(str, slots))
    # (benchmarks timed by the wall clock carry /real_time in their names)
    filt = "^(seq/%s/N:(%s)/L:%d|batch/%s/N:(%s)/L:%d/B:16/threads:[12]/real_time" % (memory, ns, length, memory, ns, length)
    # the memories batch: 8 episodes per graph (bench_mann batched/)
    filt += "|batched/%s/N:(%s)/L:%d/B:16/per_graph:8/threads:[12]/real_time" % (memory, ns, length)
    filt += ")$"
    out = subprocess.run([binary, "--benchmark_filter=" + filt, "--benchmark_format=json",
                          "--benchmark_repetitions=%d" % repeat], check=True, capture_output=True, text=True).stdout
    rows = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        parts = b.get("run_name", b["name"]).split("/")
        n = int(parts[2].split(":")[1])
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        if parts[0] == "batch":
            t, form = b["real_time"] * scale / 16, "batch 16, %s thr" % parts[5].split(":")[1]
        elif parts[0] == "batched":
            t, form = b["real_time"] * scale / 16, "batch 16, %s per graph, %s thr" % (
                parts[5].split(":")[1], parts[6].split(":")[1])
        else:
            t, form = b["cpu_time"] * scale, "1 seq, 1 thr"
        forms = rows.setdefault(n, {})
        forms[form] = min(forms.get(form, float("inf")), t)
    return rows


def content_weighting(torch, M, key, beta, eps):
    """softmax over the slots of beta * cos(M_i, key): M [B x N x W], key [B x W], beta [B x 1].

    The dot products as one batched product over the norms' product: 30-40% faster per training
    step than torch.nn.functional.cosine_similarity over the broadcast [B x N x W] pair (NTM N 128,
    batch 64 and 256, PyTorch 1.13; same values to 2e-9), so that is what a careful user writes."""
    dot = torch.bmm(M, key.unsqueeze(2)).squeeze(2)  # [B x N]
    norms = (M.norm(dim=2) * key.norm(dim=1, keepdim=True)).clamp_min(eps)
    return torch.softmax(beta * dot / norms, dim=1)


def torch_ntm(torch, N):
    nn, F = torch.nn, torch.nn.functional

    class NTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.LSTMCell(BITS + 1 + WIDTH, HIDDEN)
            # per head: k (W), beta, g, s (3), gamma; write head adds e (W), a (W)
            self.read_head = nn.Linear(HIDDEN, WIDTH + 6)
            self.write_head = nn.Linear(HIDDEN, 3 * WIDTH + 6)
            self.out = nn.Linear(HIDDEN + WIDTH, BITS)

        @staticmethod
        def address(p, w_prev, M):
            k, beta = p[:, :WIDTH], F.softplus(p[:, WIDTH:WIDTH + 1])
            g = torch.sigmoid(p[:, WIDTH + 1:WIDTH + 2])
            s = torch.softmax(p[:, WIDTH + 2:WIDTH + 5], dim=1)
            gamma = 1 + F.softplus(p[:, WIDTH + 5:WIDTH + 6])
            wc = content_weighting(torch, M, k, beta, 1e-6)
            wg = g * wc + (1 - g) * w_prev
            ws = s[:, 0:1] * torch.roll(wg, -1, 1) + s[:, 1:2] * wg + s[:, 2:3] * torch.roll(wg, 1, 1)
            wp = ws.clamp_min(1e-12) ** gamma
            return wp / wp.sum(dim=1, keepdim=True)

        def forward(self, x):  # x: [T x B x 9]
            T, B = x.shape[0], x.shape[1]
            h = x.new_zeros(B, HIDDEN)
            c = x.new_zeros(B, HIDDEN)
            M = x.new_full((B, N, WIDTH), 1e-6)
            wr = x.new_zeros(B, N)
            wr[:, 0] = 1
            ww = wr.clone()
            r = x.new_zeros(B, WIDTH)
            outs = []
            for t in range(T):
                h, c = self.cell(torch.cat([x[t], r], dim=1), (h, c))
                pw = self.write_head(h)
                ww = self.address(pw[:, :WIDTH + 6], ww, M)
                e = torch.sigmoid(pw[:, WIDTH + 6:2 * WIDTH + 6])
                a = pw[:, 2 * WIDTH + 6:]
                M = M * (1 - ww.unsqueeze(2) * e.unsqueeze(1)) + ww.unsqueeze(2) * a.unsqueeze(1)
                wr = self.address(self.read_head(h), wr, M)
                r = torch.bmm(wr.unsqueeze(1), M).squeeze(1)
                outs.append(self.out(torch.cat([h, r], dim=1)))
            return torch.stack(outs)

    return NTM()


def torch_dnc(torch, N):
    nn, F = torch.nn, torch.nn.functional
    R = WIDTH + 5           # read head: key, beta, free gate, 3 read modes
    Wr = 3 * WIDTH + 3      # write head: key, beta, allocation gate, write gate, erase, add

    class DNC(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.LSTMCell(BITS + 1 + WIDTH, HIDDEN)
            self.interface = nn.Linear(HIDDEN, R + Wr)
            self.out = nn.Linear(HIDDEN + WIDTH, BITS)
            self.register_buffer("off_diagonal", 1 - torch.eye(N))

        def forward(self, x):  # x: [T x B x 9]
            T, B = x.shape[0], x.shape[1]
            h, c = x.new_zeros(B, HIDDEN), x.new_zeros(B, HIDDEN)
            M = x.new_zeros(B, N, WIDTH)
            u, p, wr, ww = x.new_zeros(B, N), x.new_zeros(B, N), x.new_zeros(B, N), x.new_zeros(B, N)
            L = x.new_zeros(B, N, N)
            r = x.new_zeros(B, WIDTH)
            outs = []
            for t in range(T):
                h, c = self.cell(torch.cat([x[t], r], dim=1), (h, c))
                v = self.interface(h)
                rk, rbeta = v[:, :WIDTH], 1 + F.softplus(v[:, WIDTH:WIDTH + 1])
                free, modes = torch.sigmoid(v[:, WIDTH + 1:WIDTH + 2]), torch.softmax(v[:, WIDTH + 2:R], dim=1)
                w = v[:, R:]
                wk, wbeta = w[:, :WIDTH], 1 + F.softplus(w[:, WIDTH:WIDTH + 1])
                ga, gw = torch.sigmoid(w[:, WIDTH + 1:WIDTH + 2]), torch.sigmoid(w[:, WIDTH + 2:WIDTH + 3])
                e, a = torch.sigmoid(w[:, WIDTH + 3:2 * WIDTH + 3]), w[:, 2 * WIDTH + 3:]
                u = (u + ww - u * ww) * (1 - free * wr)
                su, order = torch.sort(u, dim=1, stable=True)
                before = torch.cat([x.new_ones(B, 1), torch.cumprod(su, dim=1)[:, :-1]], dim=1)
                alloc = torch.zeros_like(u).scatter(1, order, (1 - su) * before)
                ww = gw * (ga * alloc + (1 - ga) * content_weighting(torch, M, wk, wbeta, 1e-8))
                M = M * (1 - ww.unsqueeze(2) * e.unsqueeze(1)) + ww.unsqueeze(2) * a.unsqueeze(1)
                # (as fast here as baddbmm for the outer product, measured: [B x N x N] passes dominate)
                L = ((1 - ww.unsqueeze(2) - ww.unsqueeze(1)) * L + ww.unsqueeze(2) * p.unsqueeze(1)) * self.off_diagonal
                p = (1 - ww.sum(dim=1, keepdim=True)) * p + ww
                forward = torch.bmm(L, wr.unsqueeze(2)).squeeze(2)
                backward = torch.bmm(L.transpose(1, 2), wr.unsqueeze(2)).squeeze(2)
                wr = modes[:, 0:1] * backward + modes[:, 1:2] * content_weighting(torch, M, rk, rbeta, 1e-8) + modes[:, 2:3] * forward
                r = torch.bmm(wr.unsqueeze(1), M).squeeze(1)
                outs.append(self.out(torch.cat([h, r], dim=1)))
            return torch.stack(outs)

    return DNC()


def time_torch(torch, N, length, batch, threads, repeat, memory="ntm"):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = (torch_dnc if memory == "dnc" else torch_ntm)(torch, N)
    T = 2 * length + 1
    x = torch.zeros(T, batch, BITS + 1)
    x[:length, :, :BITS] = (torch.rand(length, batch, BITS) < 0.5).float()
    x[length, :, BITS] = 1
    target = x[:length, :, :BITS].clone()

    def call():
        net.zero_grad(set_to_none=True)
        logits = net(x)
        torch.nn.functional.binary_cross_entropy_with_logits(logits[length + 1:], target).backward()

    call()
    best = float("inf")
    reps = max(2, int(8 / batch))
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(reps):
            call()
        best = min(best, (time.perf_counter() - t0) / reps / batch)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--memories", default="ntm,dnc", help="ntm, dnc or both (default)")
    ap.add_argument("--slots", default="128,1024", help="the NTM's memory sizes")
    ap.add_argument("--dnc-slots", default="128", help="the DNC's memory sizes")
    ap.add_argument("--length", type=int, default=20)
    ap.add_argument("--batches", default="1,16,64,256")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "bench", "memory", "bench_mann"))
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args(argv)
    import torch

    memories = [m for m in a.memories.split(",") if m]
    if not memories or any(m not in ("ntm", "dnc") for m in memories):
        sys.exit("mann side_by_side: --memories takes ntm and/or dnc, got %r" % a.memories)
    sizes = {"ntm": [int(s) for s in a.slots.split(",")], "dnc": [int(s) for s in a.dnc_slots.split(",")]}
    if not os.access(a.binary, os.X_OK):
        sys.exit("mann side_by_side: no benchmark binary %s (scripts/build bench_mann)" % a.binary)
    print("machine:", cpu_line())
    print("torch %s, BLAS: %s" % (torch.__version__, blas_in_use()))
    result = {"rows": []}
    batches = [int(b) for b in a.batches.split(",")]
    threads = [int(t) for t in a.threads.split(",")]
    print("\n| work | engram ms/seq | PyTorch ms/seq, best (batch, threads) | all PyTorch (batch/threads: ms) | ratio |")
    print("|---|---:|---:|---|---:|")
    for memory in memories:
        eng = engram_rows(a.binary, sizes[memory], a.length, a.repeat, memory)
        for N in sizes[memory]:
            per = {(b, t): time_torch(torch, N, a.length, b, t, a.repeat, memory) for b in batches for t in threads}
            (bb, bt), best = min(per.items(), key=lambda kv: kv[1])
            how, e = min(eng[N].items(), key=lambda kv: kv[1])  # engram's best form
            print("| %s copy L %d, N %d, fwd+bwd | %.2f (%s) | %.2f (%d, %d) | %s | %.1fx |" % (
                memory.upper(), a.length, N, e * 1e3, how, best * 1e3, bb, bt,
                ", ".join("%d/%d: %.2f" % (b, t, v * 1e3) for (b, t), v in sorted(per.items())), best / e))
            result["rows"].append({"memory": memory, "N": N, "L": a.length, "engram_ms": e * 1e3, "engram_form": how,
                                   "torch_ms": best * 1e3, "torch_batch": bb, "torch_threads": bt, "ratio": best / e})
    write_json(a.json, result)
    return result


if __name__ == "__main__":
    main()
