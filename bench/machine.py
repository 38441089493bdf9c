"""What every side-by-side figure is printed with: the CPU, its vector instruction sets, the
engram build and the BLAS a process mapped (ratios hold for one machine; docs/performance.md)."""

import json
import os

VECTOR_FLAGS = ("sse4_2", "popcnt", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
                "avx512_vpopcntdq", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_int8", "amx_bf16")


def cpu_line():
    """'<model>, <cores> cores, flags: <the vector flags /proc/cpuinfo lists>'."""
    model, flags = "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown CPU":
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    vec = [f for f in VECTOR_FLAGS if f in flags]
    return "%s, %d cores, flags: %s" % (model, os.cpu_count() or 0, " ".join(vec))


def blas_in_use():
    """The BLAS library this process mapped (Debian's alternatives pick it at load time)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower()}
        return ", ".join(sorted(os.path.realpath(x) for x in libs)) or "none mapped"
    except OSError:
        return "unknown"


def machine_header():
    """The lines above a table: machine, and the engram build when `engram` is importable."""
    lines = ["machine: " + cpu_line()]
    try:
        import engram
        info = engram.build_info()
        lines.append("engram: %s %s, %s" % (info.get("version", "?"), info.get("git_commit", "?")[:10],
                                            info.get("flags", "?")))
    except Exception as e:  # the header never stops a benchmark
        lines.append("engram: build info unavailable (%s)" % e)
    return "\n".join(lines)


def write_json(path, result):
    """The figures of a script for scripts/bench (bench/summary.py), when --json names a file."""
    if path:
        with open(path, "w") as f:
            json.dump(result, f, indent=2)


def best_seconds(call, iters, repeat, warmup=3):
    """The fastest of `repeat` timed blocks of `iters` calls (after `warmup` untimed calls), in
    seconds per call: how every side-by-side script times the PyTorch side."""
    import time

    for _ in range(warmup):
        call()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(iters):
            call()
        best = min(best, (time.perf_counter() - t0) / iters)
    return best
