"""bench/compare_builds.py: the ratio it prints is before/after of the medians of alternating
runs, matched by benchmark name, with the machine's CPU line above the table. The Hopfield
side-by-side script's engram half (PyTorch is a bench-only package, not installed for tests) and
bench/summary.py, the table scripts/bench prints."""

import subprocess
import sys

from conftest import ROOT


def fake_program(path, times_ns, arch, allocator):
    """A stand-in benchmark program: each call prints the next of `times_ns` as Google Benchmark JSON."""
    counter = path.with_suffix(".count")
    path.write_text(
        "#!%s\nimport json, pathlib\n"
        "c = pathlib.Path(%r); i = int(c.read_text()) if c.exists() else 0; c.write_text(str(i + 1))\n"
        "t = %r[i %% %d]\n"
        "print(json.dumps({'context': {'engram_arch': %r, 'allocator': %r}, 'benchmarks': ["
        "{'name': 'BM_Retrieval/packed/sync', 'run_type': 'iteration', 'real_time': t, 'time_unit': 'ns'},"
        "{'name': 'BM_Retrieval/only_%s', 'run_type': 'iteration', 'real_time': 1, 'time_unit': 'ns'}]}))\n"
        % (sys.executable, str(counter), times_ns, len(times_ns), arch, allocator, arch))
    path.chmod(0o755)


def test_compare_builds_reports_ratio_of_medians(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after" / "bench" / "memory"
    before.mkdir()
    after.mkdir(parents=True)
    fake_program(before / "bench_hopfield", [3000, 100000, 3000], "portable", "glibc")  # median 3 us
    fake_program(after / "bench_hopfield", [1000, 1000, 9], "native", "tcmalloc")  # median 1 us
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "compare_builds.py"), str(before),
                        str(tmp_path / "after"), "--set", "hopfield", "--repetitions", "3"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("machine: ") and "flags:" in r.stdout.splitlines()[0]
    assert "before arch portable, allocator glibc | after arch native, allocator tcmalloc" in r.stdout
    rows = [l for l in r.stdout.splitlines() if l.startswith("| bench_hopfield")]
    assert rows == ["| bench_hopfield | BM_Retrieval/packed/sync | 3 us | 1 us | 3.00x |"]


def test_compare_builds_names_a_missing_program(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "compare_builds.py"), str(tmp_path), str(tmp_path),
                        "--set", "hopfield"], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "no executable bench_hopfield" in r.stderr


def test_hopfield_side_by_side_runs_engram_and_checks_every_path_ends_in_the_same_states(tmp_path):
    out = tmp_path / "hop.json"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "hopfield" / "side_by_side.py"), "--n", "96", "--p", "6",
                        "--probes", "24", "--repeat", "1", "--no-torch", "--json", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("machine: ") and "flags:" in r.stdout.splitlines()[0]
    import json
    rows = json.loads(out.read_text())["rows"]
    assert [(x["side"], x["form"]) for x in rows] == [("engram", "packed sync"), ("engram", "dense sync"),
                                                      ("engram", "packed async"), ("engram", "dense async")]
    assert all(x["best_ms"] > 0 and set(x["ms"]) == {"1", "2"} for x in rows)


def test_bench_summary_tabulates_ratios_against_their_targets(tmp_path):
    import json
    (tmp_path / "attention.json").write_text(json.dumps({"rows": [
        {"T": 256, "pass": "ForwardBackward", "engram_ms": 2.0, "torch_ms": {"1": 5.0, "2": 6.0}, "ratio": 2.5, "gemm_share": 0.6},
        {"T": 1024, "pass": "ForwardBackward", "engram_ms": 50.0, "torch_ms": {"1": 40.0, "2": 45.0}, "ratio": 0.8,
         "gemm_share": 0.5}]}))
    (tmp_path / "memory.json").write_text(json.dumps({"rows": [
        {"work": "NTM copy L 20, N 1024, fwd+bwd (PyTorch at batch 16)", "engram_mib": 15.5, "torch_mib": 920.0,
         "ratio": 920.0 / 15.5}]}))
    (tmp_path / "mann.json").write_text(json.dumps({"rows": [
        {"N": 128, "L": 20, "engram_ms": 1.0, "engram_form": "batch 16, 2 thr", "torch_ms": 12.0, "torch_batch": 16,
         "torch_threads": 1, "ratio": 12.0},
        {"memory": "dnc", "N": 128, "L": 20, "engram_ms": 2.0, "engram_form": "batch 16, 2 thr", "torch_ms": 9.0,
         "torch_batch": 64, "torch_threads": 2, "ratio": 4.5}]}))
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "summary.py"), str(tmp_path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("machine: ") and "flags:" in lines[0]
    assert "| attention fwd+bwd, d 64, 4 heads, T 256 | 2.000 ms | 5.000 ms (1 thr) | 2.5x | >= 2x (met) |" in lines
    assert "| attention fwd+bwd, d 64, 4 heads, T 1024 | 50.000 ms | 40.000 ms (1 thr) | 0.8x | >= 1x (not met) |" in lines
    assert ("| NTM copy L 20, N 128, fwd+bwd per sequence | 1.00 ms (batch 16, 2 thr) | 12.00 ms (batch 16, 1 thr) | 12.0x "
            "| >= 10x (met) |") in lines
    assert ("| DNC copy L 20, N 128, fwd+bwd per sequence | 2.00 ms (batch 16, 2 thr) | 9.00 ms (batch 64, 2 thr) | 4.5x "
            "| >= 10x (not met) |") in lines
    assert ("| peak resident memory: NTM copy L 20, N 1024, fwd+bwd (PyTorch at batch 16) | 15.5 MiB | 920.0 MiB | 59.4x |  |"
            in lines)
    assert not any("Hopfield" in l or "MemN2N" in l for l in lines)  # scripts that did not run leave no rows
    bad = subprocess.run([sys.executable, str(ROOT / "bench" / "summary.py"), str(tmp_path / "nowhere")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "usage" in bad.stderr


def test_peak_memory_measures_the_child_alone_not_its_parent(tmp_path, engram_exe):
    """bench/peak_memory.py: GNU time's figure for a small program stays small however large the
    process that starts it (a fork would carry the parent's pages into the child's peak), and the
    engram half of the NTM row runs without PyTorch."""
    sys.path.insert(0, str(ROOT / "bench"))
    import peak_memory

    ballast = bytearray(400 * 1024 * 1024)  # a 400 MiB parent, touched
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    assert peak_memory.peak_mib([engram_exe, "--help"]) < 100
    del ballast
    import json
    bench_mann = ROOT / "build" / "bench" / "memory" / "bench_mann"
    if not bench_mann.exists():
        import pytest
        pytest.skip("bench_mann not built (scripts/build bench_mann)")
    out = tmp_path / "memory.json"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "peak_memory.py"), "--only", "ntm", "--no-torch",
                        "--engram", engram_exe, "--bench-mann", str(bench_mann), "--json", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    row = json.loads(out.read_text())["rows"][0]
    assert 1 < row["engram_mib"] < 200 and row["torch_mib"] is None and row["ratio"] is None
    with open("/proc/self/status") as f:  # (this process is large: the figure above is not ours)
        assert any(l.startswith("VmHWM:") and int(l.split()[1]) > 400 * 1024 for l in f)


def test_mann_side_by_side_reads_every_form_of_engrams_ntm(tmp_path):
    """bench/mann/side_by_side.py's engram half: one sequence on one thread and the trainer's batch
    of 16 on 1 and 2 threads, one graph per sequence or in graphs of 8, each read from bench_mann (a filter
    that missed the wall-clock rows' /real_time suffix once left only the first)."""
    import importlib.util
    binary = ROOT / "build" / "bench" / "memory" / "bench_mann"
    if not binary.exists():
        import pytest
        pytest.skip("bench_mann not built (scripts/build bench_mann)")
    spec = importlib.util.spec_from_file_location("mann_side_by_side", ROOT / "bench" / "mann" / "side_by_side.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for memory in ("ntm", "dnc"):
        rows = mod.engram_rows(str(binary), [128], 20, 1, memory)
        assert set(rows) == {128}
        assert set(rows[128]) == {"1 seq, 1 thr", "batch 16, 1 thr", "batch 16, 2 thr",
                                  "batch 16, 8 per graph, 1 thr", "batch 16, 8 per graph, 2 thr"}
        assert all(0 < t < 1 for t in rows[128].values())  # seconds per sequence


def test_vision_side_by_side_reads_engrams_conv_rows(tmp_path):
    """bench/vision/side_by_side.py without PyTorch: every shape and pass of the backbone's
    convolutions has engram's time from bench_core."""
    import json
    binary = ROOT / "build" / "bench" / "core" / "bench_core"
    if not binary.exists():
        import pytest
        pytest.skip("bench_core not built (scripts/build bench_core)")
    out = tmp_path / "vision.json"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "vision" / "side_by_side.py"), "--no-torch", "--repeat", "1",
                        "--binary", str(binary), "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rows = json.loads(out.read_text())["rows"]
    assert [(x["shape"], x["pass"]) for x in rows] == [(s, p) for s in ("N:32/1x28x28->16", "N:32/16x14x14->32", "N:32/32x7x7->64")
                                                       for p in ("Forward", "ForwardBackward")]
    assert all(x["engram_ms"] > 0 and "ratio" not in x for x in rows)
