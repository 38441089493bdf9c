#!/usr/bin/python3
"""Peak resident memory, engram against PyTorch: a MemN2N run on bAbI 10k and NTM training at N 1024.

    /usr/bin/python3 bench/peak_memory.py                    # both works
    /usr/bin/python3 bench/peak_memory.py --only ntm --json out.json

Every figure is the peak resident set of one fresh process doing one piece of work, as GNU time
reports it (/usr/bin/time, Debian's `time`, installed by `scripts/setup`): a process
forked from this Python script would count the script's own pages in its peak, since Linux keeps
the high-water mark across exec. The works:
  memn2n  MemN2N with the paper's recipe (the one of bench/babi/memn2n_side_by_side.py, which
          both sides share) trained --epochs epochs on a bAbI 10k task file (9,000 training
          questions), one thread. engram: `engram run experiments/configs/babi/memn2n.yaml` with
          that script's overrides (reading the file, training, the final evaluation and its
          checkpoints; not the Python process that draws its heat maps afterwards). PyTorch: that
          script's batched model and training loop (reading the same file into tensors, training,
          the final evaluation).
  ntm     forward+backward of NTM copy episodes (L 20) with N = 1024 memory slots. engram: the
          bench_mann row seq/ntm/N:1024/L:20 (one sequence per graph). PyTorch: the batched model
          of bench/mann/side_by_side.py at batch --ntm-batch (its best batch size there), a few
          steps.
Beside each PyTorch figure, the resident memory of a process that only imports torch (the
framework at rest), so the work's own share can be read off; engram's at rest is its binary
printing --help. Memory does not depend on the machine's load (unlike the timings of the other
side-by-side scripts).
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from machine import cpu_line, write_json  # noqa: E402


TIME = "/usr/bin/time"


def peak_mib(cmd, env=None):
    """Runs cmd under GNU time (stdout discarded) and returns its peak RSS in MiB; raises on failure."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".maxrss") as out:
        p = subprocess.run([TIME, "-f", "%M", "-o", out.name] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, env=env)
        if p.returncode != 0:
            raise RuntimeError("%s exited with %d:\n%s" % (" ".join(cmd[:3]), p.returncode, p.stderr[-2000:]))
        return int(out.read().split()[-1]) / 1024.0  # KiB


def python_child(code):
    return [sys.executable, "-c", code]


def memn2n_rows(a):
    sys.path.insert(0, os.path.join(HERE, "babi"))
    import memn2n_side_by_side as m  # noqa: E402  (the shared recipe)

    path = m.task_file(a.data_10k, a.task)
    n_train = sum(1 for line in open(path) if "\t" in line) * 9 // 10
    steps = a.epochs * ((n_train + m.RECIPE["batch"] - 1) // m.RECIPE["batch"])
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [a.engram, "run", m.CONFIG] + m.engram_overrides(a.task, a.epochs, 1, a.data_10k, steps)
        cmd += ["--out", os.path.join(tmp, "run"), "--runs-root", tmp, "--no-progress"]
        # the training process alone: after a run engram draws its inspect heat maps in a Python
        # child (matplotlib), which is not training memory; ENGRAM_PLOTTER at nothing skips it
        engram = peak_mib(cmd, env=dict(os.environ, ENGRAM_PLOTTER=os.path.join(tmp, "no-plotter")))
    torch_code = ("import sys; sys.path.insert(0, %r); import memn2n_side_by_side as m; "
                  "d = m.Data(%r, 0); m.train_torch(d, %d, 1, 0, warmup=False)" % (os.path.join(HERE, "babi"), path, a.epochs))
    return {"work": "MemN2N bAbI 10k task %d, %d epoch(s), 1 thread" % (a.task, a.epochs), "engram_mib": engram,
            "torch_mib": None if a.no_torch else peak_mib(python_child(torch_code))}


def ntm_rows(a):
    engram = peak_mib([a.bench_mann, "--benchmark_filter=^seq/ntm/N:1024/L:20$", "--benchmark_min_time=0.5"])
    torch_code = ("import sys, torch; sys.path.insert(0, %r); import side_by_side as s; "
                  "s.time_torch(torch, 1024, 20, %d, 1, 1)" % (os.path.join(HERE, "mann"), a.ntm_batch))
    return {"work": "NTM copy L 20, N 1024, fwd+bwd (PyTorch at batch %d)" % a.ntm_batch, "engram_mib": engram,
            "torch_mib": None if a.no_torch else peak_mib(python_child(torch_code))}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=["memn2n", "ntm"], help="one work (default: both)")
    ap.add_argument("--engram", default=os.path.join(REPO, "build", "experiments", "engram"))
    ap.add_argument("--bench-mann", default=os.path.join(REPO, "build", "bench", "memory", "bench_mann"))
    ap.add_argument("--data-10k", default=os.path.normpath(os.path.join(REPO, "..", "shared", "data", "babi", "en-10k")))
    ap.add_argument("--task", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--ntm-batch", type=int, default=16)
    ap.add_argument("--no-torch", action="store_true", help="engram only (PyTorch is a bench-only package)")
    ap.add_argument("--json", help="also write the figures here (scripts/bench)")
    a = ap.parse_args(argv)
    if not os.access(TIME, os.X_OK):
        sys.exit("peak_memory: needs GNU time at %s (scripts/setup --bench installs Debian's `time`)" % TIME)
    for exe in ([a.engram] if a.only != "ntm" else []) + ([a.bench_mann] if a.only != "memn2n" else []):
        if not os.access(exe, os.X_OK):
            sys.exit("peak_memory: no binary at %s; build it (scripts/build engram bench_mann)" % exe)

    at_rest = {"engram_mib": peak_mib([a.engram, "--help"]) if os.access(a.engram, os.X_OK) else None,
               "torch_mib": None if a.no_torch else peak_mib(python_child("import torch"))}
    rows = []
    if a.only in (None, "memn2n"):
        rows.append(memn2n_rows(a))
    if a.only in (None, "ntm"):
        rows.append(ntm_rows(a))

    print("peak resident memory (MiB) of one child process per figure; machine: %s" % cpu_line())
    print("%-55s %10s %10s %8s" % ("work", "engram", "PyTorch", "ratio"))
    mib = lambda v: "%.1f" % v if v is not None else "—"
    for r in rows:
        r["ratio"] = r["torch_mib"] / r["engram_mib"] if r["torch_mib"] is not None else None
        print("%-55s %10s %10s %8s" % (r["work"], mib(r["engram_mib"]), mib(r["torch_mib"]),
                                        "%.1fx" % r["ratio"] if r["ratio"] else "—"))
    print("%-55s %10s %10s" % ("at rest (engram --help; python3 -c 'import torch')", mib(at_rest["engram_mib"]),
                               mib(at_rest["torch_mib"])))
    if a.json:
        write_json(a.json, {"rows": rows, "at_rest": at_rest, "machine": cpu_line()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
