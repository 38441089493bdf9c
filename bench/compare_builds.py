#!/usr/bin/env python3
"""Speed of two builds of engram side by side, measured in one run on one machine.

    bench/compare_builds.py BEFORE_DIR AFTER_DIR [--set arch] [--repetitions 3]

BEFORE_DIR and AFTER_DIR hold benchmark programs of the same names (bench_core, bench_attention,
bench_hopfield, bench_mann: a build's bench/ tree or a flat folder of copies). Each benchmark of
the chosen set runs in both builds, alternating, `--repetitions` times; the table gives the
median time per iteration of each and the ratio before/after (above 1: the second build is
faster). The CPU model and its vector flags are printed above the table, because a ratio holds
for the machine it was measured on only.

Extra environment for one side: --before-env KEY=VALUE / --after-env KEY=VALUE (for example
ENGRAM_SIMD=portable to compare instruction-set levels of one build).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import cpu_line  # noqa: E402

# benchmark sets: program -> filter (a regex of Google Benchmark)
SETS = {
    "arch": [
        ("bench_core", r"^BM_Raw_Matmul/256$|^BM_Graph_Matmul_ForwardBackward/256$|^BM_Graph_Softmax_ForwardBackward/1024$"),
        ("bench_attention", r"^BM_EigenGemm/Forward/(256|1024)$|^BM_MHA_SelfAttention/ForwardBackward/(16|64|256)$"),
        ("bench_hopfield", r"^BM_Retrieval/"),
        ("bench_mann", r"^seq/(ntm|dnc)/N:(128|1024)/L:20$"),
    ],
    "hopfield": [("bench_hopfield", r"^BM_Retrieval/")],
}


def find_program(root, name):
    root = Path(root)
    for p in [root / name] + sorted(root.rglob(name)):
        if p.is_file() and os.access(p, os.X_OK):
            return p
    sys.exit("compare_builds: no executable %s under %s" % (name, root))


def run_once(program, filt, env):
    r = subprocess.run([str(program), "--benchmark_filter=" + filt, "--benchmark_format=json",
                        "--benchmark_min_time=0.3"], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("compare_builds: %s failed:\n%s" % (program, r.stderr[-2000:]))
    data = json.loads(r.stdout)
    return data["context"], {b["name"]: b["real_time"] * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
                             for b in data["benchmarks"] if b.get("run_type", "iteration") == "iteration"}


def env_with(pairs):
    env = dict(os.environ)
    for p in pairs:
        k, _, v = p.partition("=")
        env[k] = v
    return env


def fmt_ns(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return "%.3g %s" % (ns / scale, unit)
    return "%.3g ns" % ns


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--set", choices=sorted(SETS), default="arch")
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--before-env", action="append", default=[])
    ap.add_argument("--after-env", action="append", default=[])
    args = ap.parse_args()
    if args.repetitions < 1:
        sys.exit("compare_builds: --repetitions must be at least 1")
    env_b, env_a = env_with(args.before_env), env_with(args.after_env)
    print("machine:", cpu_line())
    rows = []
    for name, filt in SETS[args.set]:
        pb, pa = find_program(args.before, name), find_program(args.after, name)
        times_b, times_a = {}, {}
        for _ in range(args.repetitions):  # alternating, so drifts of the machine hit both sides
            ctx_b, tb = run_once(pb, filt, env_b)
            ctx_a, ta = run_once(pa, filt, env_a)
            for k, v in tb.items():
                times_b.setdefault(k, []).append(v)
            for k, v in ta.items():
                times_a.setdefault(k, []).append(v)
        print("%s: before arch %s, allocator %s | after arch %s, allocator %s" % (
            name, ctx_b.get("engram_arch", "(not reported)"), ctx_b.get("allocator", "(not reported)"),
            ctx_a.get("engram_arch", "(not reported)"), ctx_a.get("allocator", "(not reported)")))
        for k in times_b:
            if k in times_a:
                b, a = statistics.median(times_b[k]), statistics.median(times_a[k])
                rows.append((name, k, b, a))
    print()
    print("| program | benchmark | before | after | before/after |")
    print("|---|---|---:|---:|---:|")
    for name, k, b, a in rows:
        print("| %s | %s | %s | %s | %.2fx |" % (name, k, fmt_ns(b), fmt_ns(a), b / a))


if __name__ == "__main__":
    main()
