#!/usr/bin/python3
"""Multi-head self-attention, engram against PyTorch: forward and forward+backward per call.

    /usr/bin/python3 bench/attention/side_by_side.py                    # T = 16, 64, 256, 1024
    /usr/bin/python3 bench/attention/side_by_side.py --lengths 64,256 --json out.json

Work (both sides): one sequence of T tokens, d_model 64, 4 heads (d_k = d_v = 16), float32,
self-attention with Q, K, V and output projections (weights and biases), no mask, no dropout:
  forward:           y = MHA(x)
  forward+backward:  y = MHA(x), then the gradients of sum(y * g) for x and every parameter
engram: its Google Benchmark rows BM_MHA_SelfAttention/{Forward,ForwardBackward}/T
(bench/attention/bench_attention.cpp; attention/multi_head.h through the graph), CPU time per
iteration, run with --benchmark_repetitions and the minimum taken, plus the same binary's raw
Eigen GEMM rows BM_EigenGemm/Forward/T (the GEMMs of that attention alone): forward / GEMM
is the share of the GEMM rate attention reaches (the issue's 70% target).
PyTorch (written for this comparison only): its best formulation of the same math, heads batched:
the three projections as one [T x 64][64 x 192] product, torch's fused
scaled_dot_product_attention where the installed version has it (else softmax(Q K^T / 4) V
batched over heads, in the better of two forms: Q scaled by 1/4 before the product, or the
product's alpha of torch.baddbmm; either saves the pass over the [H x T x T] scores that dividing
them takes, 10-20% of forward+backward at T >= 256 in PyTorch 1.13), the output projection;
backward by autograd. Timed at 1 and 2 threads (torch.set_num_threads), best of --repeat blocks
of --iters calls after a warm-up, and the better thread count (and form) counts. engram's benchmark runs single-threaded (the graph of one sequence).
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, ".."))
from machine import best_seconds, blas_in_use, cpu_line, write_json  # noqa: E402

D, HEADS = 64, 4


def engram_rows(binary, lengths, repetitions):
    """{(row, T): seconds} from the benchmark binary (minimum CPU time over repetitions)."""
    filt = "BM_(MHA_SelfAttention|EigenGemm)/(Forward|ForwardBackward)/(%s)$" % "|".join(map(str, lengths))
    out = subprocess.run([binary, "--benchmark_filter=" + filt, "--benchmark_format=json",
                          "--benchmark_repetitions=%d" % repetitions, "--benchmark_report_aggregates_only=false"],
                         check=True, capture_output=True, text=True).stdout
    rows = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"] if "run_name" in b else b["name"]
        kind, mode, t = name.split("/")[:3]
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        key = (kind.replace("BM_", ""), mode, int(t))
        rows[key] = min(rows.get(key, float("inf")), b["cpu_time"] * scale)
    return rows


FORMS = ("scale_q", "baddbmm")  # without a fused kernel: where the 1/sqrt(d_k) goes


def torch_mha(torch, form="scale_q"):
    F = torch.nn.functional
    scale = (D // HEADS) ** -0.5
    g = torch.Generator().manual_seed(1)
    w_in = (torch.randn(D, 3 * D, generator=g) * 0.1).requires_grad_()
    b_in = torch.zeros(3 * D, requires_grad=True)
    w_out = (torch.randn(D, D, generator=g) * 0.1).requires_grad_()
    b_out = torch.zeros(D, requires_grad=True)
    fused = hasattr(F, "scaled_dot_product_attention")

    def forward(x):
        T = x.shape[0]
        qkv = torch.addmm(b_in, x, w_in).view(T, 3, HEADS, D // HEADS).permute(1, 2, 0, 3)  # [3, H, T, dk]
        q, k, v = qkv[0], qkv[1], qkv[2]
        if fused:
            a = F.scaled_dot_product_attention(q, k, v)
        elif form == "scale_q":
            a = torch.softmax((q * scale) @ k.transpose(1, 2), dim=-1) @ v
        else:
            scores = torch.baddbmm(q.new_empty(1, 1, 1), q, k.transpose(1, 2), beta=0, alpha=scale)
            a = torch.softmax(scores, dim=-1) @ v
        return torch.addmm(b_out, a.transpose(0, 1).reshape(T, D), w_out)

    return forward, [w_in, b_in, w_out, b_out], fused


def time_torch(torch, T, backward, threads, iters, repeat):
    """The best of the formulations (one when PyTorch has a fused kernel)."""
    fused = torch_mha(torch)[2]
    return min(time_form(torch, form, T, backward, threads, iters, repeat) for form in (FORMS[:1] if fused else FORMS))


def time_form(torch, form, T, backward, threads, iters, repeat):
    forward, params, _ = torch_mha(torch, form)
    g = torch.Generator().manual_seed(2)
    x = torch.randn(T, D, generator=g, requires_grad=backward)
    upstream = torch.randn(T, D, generator=g)
    torch.set_num_threads(threads)

    def call():
        if backward:
            for p in params + [x]:
                p.grad = None
            forward(x).backward(upstream)
        else:
            with torch.no_grad():
                forward(x)

    return best_seconds(call, iters, repeat, warmup=max(3, iters // 10))


def iterations(T):
    return max(5, int(4e5 / (T * T + 64 * T)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lengths", default="16,64,256,1024")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "bench", "attention", "bench_attention"))
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args(argv)
    import torch

    lengths = [int(t) for t in a.lengths.split(",")]
    threads = [int(t) for t in a.threads.split(",")]
    if not os.access(a.binary, os.X_OK):
        sys.exit("attention side_by_side: no benchmark binary %s (scripts/build bench_attention)" % a.binary)
    print("machine:", cpu_line())
    print("torch %s (fused sdpa: %s), BLAS: %s" % (torch.__version__, torch_mha(torch)[2], blas_in_use()))
    eng = engram_rows(a.binary, lengths, a.repeat)
    result = {"rows": []}
    print("\n| T | pass | engram ms | PyTorch ms (1 / 2 threads) | ratio | engram forward / its GEMM rate |")
    print("|---:|---|---:|---:|---:|---:|")
    for T in lengths:
        for mode, backward in (("Forward", False), ("ForwardBackward", True)):
            e = eng[("MHA_SelfAttention", mode, T)]
            per = {t: time_torch(torch, T, backward, t, iterations(T), a.repeat) for t in threads}
            best = min(per.values())
            gemm = eng.get(("EigenGemm", mode, T))
            share = gemm / e if gemm else float("nan")
            print("| %d | %s | %.3f | %s | %.2fx | %.0f%% |" % (
                T, "fwd+bwd" if backward else "fwd", e * 1e3, " / ".join("%.3f" % (per[t] * 1e3) for t in threads),
                best / e, 100 * share))
            result["rows"].append({"T": T, "pass": mode, "engram_ms": e * 1e3,
                                   "torch_ms": {str(t): per[t] * 1e3 for t in threads}, "ratio": best / e,
                                   "gemm_share": share})
    write_json(a.json, result)
    return result


if __name__ == "__main__":
    main()
