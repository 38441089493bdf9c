#!/usr/bin/python3
"""One table of the side-by-side ratios scripts/bench measured (the JSON files of one run).

    /usr/bin/python3 bench/summary.py DIR     # DIR holds attention.json, hopfield.json, mann.json, memn2n.json, vision.json, memory.json

Each row: the work, engram's time, PyTorch's best (its thread count, and batch size where it has
one), PyTorch / engram, and the target of issue 15 (docs/performance.md), under the machine line.
A script that did not run leaves its rows out.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import cpu_line  # noqa: E402


def load(d, name):
    p = os.path.join(d, name + ".json")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def rows(d):
    out = []  # (work, engram, peer, ratio, target)
    att = load(d, "attention")
    if att:
        for r in att["rows"]:
            best_t = min(r["torch_ms"], key=lambda k: r["torch_ms"][k])
            target = (">= 2x" if r["T"] <= 256 else ">= 1x") if r["pass"] == "ForwardBackward" else ""
            out.append(("attention %s, d 64, 4 heads, T %d" % ("fwd+bwd" if r["pass"] == "ForwardBackward" else "fwd", r["T"]),
                        "%.3f ms" % r["engram_ms"], "%.3f ms (%s thr)" % (r["torch_ms"][best_t], best_t), r["ratio"], target))
    hop = load(d, "hopfield")
    if hop:
        by = {(x["side"].split()[0], x["form"]): x for x in hop["rows"]}
        e = by.get(("engram", "packed sync"))
        for form, target in (("overlaps sync", ">= 20x"), ("dense sync", "")):
            peer = next((x for (side, f), x in by.items() if side == "PyTorch" and f == form), None)
            if e and peer:
                out.append(("Hopfield N %d, P %d, %d probes, sync: engram packed vs PyTorch %s" % (
                    hop["work"]["n"], hop["work"]["p"], hop["work"]["probes"], form.split()[0]),
                    "%.2f ms" % e["best_ms"], "%.2f ms (%d thr)" % (peer["best_ms"], peer["best_threads"]),
                    peer["best_ms"] / e["best_ms"], target))
        ed = by.get(("engram", "dense sync"))
        peer = next((x for (side, f), x in by.items() if side == "PyTorch" and f == "dense sync"), None)
        if ed and peer:
            out.append(("Hopfield, the same, dense float on both sides", "%.2f ms" % ed["best_ms"],
                        "%.2f ms (%d thr)" % (peer["best_ms"], peer["best_threads"]), peer["best_ms"] / ed["best_ms"], ">= 1x"))
    mann = load(d, "mann")
    if mann:
        for r in mann["rows"]:
            out.append(("%s copy L %d, N %d, fwd+bwd per sequence" % (r.get("memory", "ntm").upper(), r["L"], r["N"]),
                        "%.2f ms (%s)" % (r["engram_ms"], r.get("engram_form", "1 seq, 1 thr")),
                        "%.2f ms (batch %d, %d thr)" % (r["torch_ms"], r["torch_batch"], r["torch_threads"]), r["ratio"],
                        ">= 10x"))
    mem = load(d, "memn2n")
    if mem:
        out.append(("MemN2N bAbI task %d, s/epoch" % mem["task"], "%.4f s (%d thr)" % (mem["engram_s_per_epoch"], mem["engram_threads"]),
                    "%.4f s (%d thr)" % (mem["torch_s_per_epoch"], mem["torch_threads"]), mem["ratio"], ">= 15x"))
    vis = load(d, "vision")
    if vis:
        for r in (r for r in vis["rows"] if r.get("ratio")):
            out.append(("conv2d 3x3 %s, %s" % ("fwd+bwd" if r["pass"] == "ForwardBackward" else "fwd", r["shape"].replace("N:", "batch ")),
                        "%.3f ms" % r["engram_ms"], "%.3f ms (%d thr)" % (r["torch_best_ms"], r["torch_threads"]), r["ratio"], ""))
    peak = load(d, "memory")
    if peak:
        for r in (r for r in peak["rows"] if r.get("ratio")):
            out.append(("peak resident memory: " + r["work"], "%.1f MiB" % r["engram_mib"], "%.1f MiB" % r["torch_mib"],
                        r["ratio"], ""))
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or not os.path.isdir(argv[0]):
        sys.exit("usage: bench/summary.py DIR (the --out folder of scripts/bench)")
    table = rows(argv[0])
    print("machine:", cpu_line())
    print("\n| work | engram | PyTorch (best) | PyTorch / engram | target |")
    print("|---|---:|---:|---:|---|")
    for work, e, p, r, target in table:
        met = "" if not target else (" (met)" if r >= float(target.split()[1].rstrip("x")) else " (not met)")
        print("| %s | %s | %s | %.1fx | %s%s |" % (work, e, p, r, target, met))
    print("\nJSON files:", os.path.abspath(argv[0]))
    return table


if __name__ == "__main__":
    main()
