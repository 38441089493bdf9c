#!/usr/bin/python3
"""Binary Hopfield retrieval, engram against PyTorch: the same probes run to the same states.

    /usr/bin/python3 bench/hopfield/side_by_side.py                  # N 1024, P 128, 1024 probes
    /usr/bin/python3 bench/hopfield/side_by_side.py --n 2048 --p 256 --repeat 7 --json out.json

Work: P random +-1 patterns of N units stored with the Hebbian rule (zero diagonal); B probes,
probe b = pattern b mod P with 10% of its bits flipped; synchronous dynamics
s <- sign(h), sign(0) = +1, each probe until it reaches a fixed point, closes a 2-cycle, or
100 sweeps (docs/hopfield.md). Every side returns the final states, and the script checks they
are identical to engram's (the fields are integers, so every formulation decides the same signs).

engram (through `import engram`, numpy in and out; the time of the call):
  packed       PackedHebbian.run: XOR-popcount overlaps, int16 fields, kernels at the CPU's
               instruction-set level (memory/hopfield/packed.h)
  dense        BinaryHopfield.store(hebbian).run: one float GEMM per step over the unfinished probes
PyTorch (written for this comparison only; float32, exact here since every field is an integer
below 2^24; the time of the loop, patterns and probes already tensors):
  dense        h = S W with W = X^T X - P I: one [B x N][N x N] GEMM per step
  overlaps     h = (S X^T) X - P S: two [B x N][N x P] GEMMs per step, cheaper since P < N
               (the formulation a careful PyTorch user writes)
Both PyTorch forms step only the probes still running (finished ones drop out of the batch) as
engram does. Each is timed at 1 and 2 threads (torch.set_num_threads; engram's `threads`), the
best of --repeat runs counts (a shared 2-core machine), and ratios compare each side's best
thread count.

Asynchronous dynamics are engram's only here: each probe draws its own random unit order per
sweep, a per-unit loop that PyTorch can only run from Python (no fair peer exists).
"""

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "..", "build", "python"), os.path.join(HERE, "..", "..", "python")]

import engram  # noqa: E402
from engram import hopfield  # noqa: E402

sys.path.insert(0, os.path.join(HERE, ".."))
from machine import machine_header, write_json  # noqa: E402


def workload(n, p, probes, noise, seed):
    patterns = hopfield.random_patterns(p, n, seed=seed)
    targets = patterns[np.arange(probes) % p]
    return patterns, hopfield.flip_bits(targets, noise, seed=seed + 1)


def best_time(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def torch_sync(torch, X, S0, step, max_sweeps=100):
    """Synchronous runs to a fixed point or 2-cycle; `step(S)` -> the next states of rows S."""
    S = S0.clone()
    prev = torch.full_like(S, 2.0)  # s(t-1); 2 matches no state
    running = torch.arange(S.shape[0])
    sweeps = 0
    while running.numel() and sweeps < max_sweeps:
        cur = S[running]
        nxt = step(cur)
        fixed = (nxt == cur).all(dim=1)
        cycle = (nxt == prev[running]).all(dim=1)
        prev[running] = cur
        S[running] = nxt
        running = running[~(fixed | cycle)]
        sweeps += 1
    return S


def run_torch(torch, patterns, probes, repeat, threads):
    X = torch.from_numpy(patterns)
    S0 = torch.from_numpy(probes)
    P = X.shape[0]
    W = X.t() @ X
    W.fill_diagonal_(0.0)
    Xt = X.t().contiguous()

    def sign(h):
        return torch.where(h >= 0, 1.0, -1.0)

    forms = {
        "dense": lambda S: sign(S @ W),
        "overlaps": lambda S: sign((S @ Xt) @ X - P * S),
    }
    out = {}
    for name, step in forms.items():
        rows = {}
        for t in threads:
            torch.set_num_threads(t)
            torch_sync(torch, X, S0[:64], step)  # warm-up
            seconds, states = best_time(lambda: torch_sync(torch, X, S0, step), repeat)
            rows[t] = (seconds, states.numpy())
        out[name] = rows
    return out


def run_engram(patterns, probes, repeat, threads, update):
    packed = hopfield.PackedHebbian(patterns)
    dense = hopfield.BinaryHopfield.store(patterns, "hebbian")
    out = {}
    for name, net in (("packed", packed), ("dense", dense)):
        rows = {}
        for t in threads:
            net.run(probes[:64], update=update, threads=t)  # warm-up
            seconds, res = best_time(lambda: net.run(probes, update=update, threads=t, seed=3), repeat)
            rows[t] = (seconds, res.states, float(np.mean([s.sweeps for s in res.stats])))
        out[name] = rows
    return out


def best_of(rows):
    t = min(rows, key=lambda k: rows[k][0])
    return t, rows[t][0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--p", type=int, default=128)
    ap.add_argument("--probes", type=int, default=1024)
    ap.add_argument("--noise", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", default="1,2", help="thread counts tried on each side")
    ap.add_argument("--no-torch", action="store_true", help="engram only (no PyTorch installed)")
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args(argv)
    threads = [int(t) for t in a.threads.split(",")]
    patterns, probes = workload(a.n, a.p, a.probes, a.noise, a.seed)
    print(machine_header())
    print(f"work: N {a.n}, P {a.p}, {a.probes} probes, {a.noise:.0%} noise, synchronous to convergence; "
          f"best of {a.repeat}; threads {threads}")

    eng = run_engram(patterns, probes, a.repeat, threads, "sync")
    eng_async = run_engram(patterns, probes, a.repeat, threads, "async")
    reference = eng["packed"][threads[0]][1]
    for name, rows in eng.items():
        for t, row in rows.items():
            if not np.array_equal(row[1], reference):
                sys.exit(f"engram {name} at {t} threads ended in other states than packed")

    lines = []
    result = {"work": vars(a), "rows": []}

    def add(side, name, rows, note=""):
        t, s = best_of(rows)
        per = " / ".join(f"{rows[k][0] * 1e3:.2f}" for k in sorted(rows))
        lines.append((side, name, per, s, t, note))
        result["rows"].append({"side": side, "form": name, "ms": {str(k): rows[k][0] * 1e3 for k in rows},
                               "best_ms": s * 1e3, "best_threads": t})
        return s

    e_packed = add("engram", "packed sync", eng["packed"], f"{eng['packed'][threads[0]][2]:.2f} sweeps")
    add("engram", "dense sync", eng["dense"])
    add("engram", "packed async", eng_async["packed"], f"{eng_async['packed'][threads[0]][2]:.2f} sweeps")
    add("engram", "dense async", eng_async["dense"])
    peers = {}
    if not a.no_torch:
        import torch
        tor = run_torch(torch, patterns, probes, a.repeat, threads)
        for name, rows in tor.items():
            for t, row in rows.items():
                if not np.array_equal(row[1], reference):
                    sys.exit(f"PyTorch {name} at {t} threads ended in other states than engram")
            peers[name] = add("PyTorch " + torch.__version__, name + " sync", rows, "same states as engram")

    width = max(len(l[1]) for l in lines)
    print(f"\n| side | formulation | ms at {' / '.join(map(str, threads))} threads | best ms | note |")
    print("|---|---|---:|---:|---|")
    for side, name, per, s, t, note in lines:
        print(f"| {side} | {name:<{width}} | {per} | {s * 1e3:.2f} ({t}) | {note} |")
    if peers:
        print()
        for name, s in peers.items():
            r = s / e_packed
            print(f"ratio PyTorch {name} / engram packed, synchronous: {r:.1f}x")
            result[f"ratio_{name}"] = r
    write_json(a.json, result)
    return result


if __name__ == "__main__":
    main()
