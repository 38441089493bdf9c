#!/usr/bin/python3
"""3x3 convolutions, engram against PyTorch: forward and forward+backward per batch.

    /usr/bin/python3 bench/vision/side_by_side.py                 # the backbone's three shapes
    /usr/bin/python3 bench/vision/side_by_side.py --json out.json --no-torch

Work (both sides): the convolutions of the Fashion-MNIST backbone (networks/cnn.h, stages of 16,
32 and 64 channels) on a batch of 32, float32: 3x3, padding 1, stride 1, with bias,
  1 x 28 x 28 -> 16,   16 x 14 x 14 -> 32,   32 x 7 x 7 -> 64;
  forward:           y = conv2d(x, w, b)
  forward+backward:  y, then the gradients of sum(y * g) for x, w and b.
engram: the rows BM_Conv2d3x3/{Forward,ForwardBackward}/N:32/<C>x<H>x<W>-><O> of its Google
Benchmark program bench/core/bench_core (core/ops_image.h: im2col + one GEMM per image through the
graph), CPU time per batch, minimum over --repeat repetitions; one thread.
PyTorch: torch.nn.functional.conv2d (its own best path for the installed build: mkldnn or its
native kernels) and autograd, timed at 1 and 2 threads, best of --repeat blocks after a warm-up;
the better thread count counts.
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, ".."))
from machine import best_seconds, cpu_line, write_json  # noqa: E402

SHAPES = [(32, 1, 28, 28, 16), (32, 16, 14, 14, 32), (32, 32, 7, 7, 64)]


def shape_name(s):
    n, c, h, w, o = s
    return "N:%d/%dx%dx%d->%d" % (n, c, h, w, o)


def engram_rows(binary, repeat):
    """{(mode, shape name): seconds} from the benchmark program (minimum CPU time)."""
    out = subprocess.run([binary, "--benchmark_filter=^BM_Conv2d3x3/", "--benchmark_format=json",
                          "--benchmark_repetitions=%d" % repeat], check=True, capture_output=True, text=True).stdout
    rows = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b.get("run_name", b["name"])
        _, mode, rest = name.split("/", 2)
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        rows[(mode, rest)] = min(rows.get((mode, rest), float("inf")), b["cpu_time"] * scale)
    return rows


def time_torch(torch, s, backward, threads, repeat):
    n, c, h, w, o = s
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(n, c, h, w, generator=g, requires_grad=backward)
    wt = (torch.rand(o, c, 3, 3, generator=g) * 0.1).requires_grad_(backward)
    b = torch.zeros(o, requires_grad=backward)
    up = torch.rand(n, o, h, w, generator=g)
    F = torch.nn.functional

    def call():
        if backward:
            for t in (x, wt, b):
                t.grad = None
            F.conv2d(x, wt, b, padding=1).backward(up)
        else:
            with torch.no_grad():
                F.conv2d(x, wt, b, padding=1)

    return best_seconds(call, 20, repeat)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "bench", "core", "bench_core"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--no-torch", action="store_true", help="engram only (PyTorch is a bench-only package)")
    ap.add_argument("--json", help="also write the figures here (scripts/bench)")
    a = ap.parse_args(argv)
    if not os.access(a.binary, os.X_OK):
        sys.exit("vision side_by_side: no benchmark program at %s; build it (scripts/build bench_core)" % a.binary)
    e = engram_rows(a.binary, a.repeat)
    torch = None
    if not a.no_torch:
        import torch
    print("machine:", cpu_line())
    if torch is not None:
        print("torch %s" % torch.__version__)
    print("%-28s %-16s %12s %24s %8s" % ("shape", "pass", "engram ms", "PyTorch ms (1 / 2 thr)", "ratio"))
    rows = []
    for s in SHAPES:
        for mode, backward in (("Forward", False), ("ForwardBackward", True)):
            key = (mode, shape_name(s))
            if key not in e:
                sys.exit("vision side_by_side: %s has no row BM_Conv2d3x3/%s/%s" % (a.binary, *key))
            row = {"shape": shape_name(s), "pass": mode, "engram_ms": e[key] * 1e3}
            if torch is not None:
                per = {t: time_torch(torch, s, backward, int(t), a.repeat) * 1e3 for t in a.threads.split(",")}
                best = min(per, key=per.get)
                row.update(torch_ms=per, torch_best_ms=per[best], torch_threads=int(best), ratio=per[best] / row["engram_ms"])
            rows.append(row)
            print("%-28s %-16s %12.3f %24s %8s" % (row["shape"], mode, row["engram_ms"],
                                                  " / ".join("%.3f" % v for v in row["torch_ms"].values()) if "torch_ms" in row else "—",
                                                  "%.2fx" % row["ratio"] if "ratio" in row else "—"))
    if a.json:
        write_json(a.json, {"rows": rows, "machine": cpu_line()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
