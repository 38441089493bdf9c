"""bench/compare_builds.py: the ratio it prints is before/after of the medians of alternating
runs, matched by benchmark name, with the machine's CPU line above the table."""

import subprocess
import sys

from conftest import ROOT


def fake_program(path, times_ns, arch):
    """A stand-in benchmark program: each call prints the next of `times_ns` as Google Benchmark JSON."""
    counter = path.with_suffix(".count")
    path.write_text(
        "#!%s\nimport json, pathlib\n"
        "c = pathlib.Path(%r); i = int(c.read_text()) if c.exists() else 0; c.write_text(str(i + 1))\n"
        "t = %r[i %% %d]\n"
        "print(json.dumps({'context': {'engram_arch': %r}, 'benchmarks': ["
        "{'name': 'BM_Retrieval/packed/sync', 'run_type': 'iteration', 'real_time': t, 'time_unit': 'ns'},"
        "{'name': 'BM_Retrieval/only_%s', 'run_type': 'iteration', 'real_time': 1, 'time_unit': 'ns'}]}))\n"
        % (sys.executable, str(counter), times_ns, len(times_ns), arch, arch))
    path.chmod(0o755)


def test_compare_builds_reports_ratio_of_medians(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after" / "bench" / "memory"
    before.mkdir()
    after.mkdir(parents=True)
    fake_program(before / "bench_hopfield", [3000, 100000, 3000], "portable")  # median 3 us
    fake_program(after / "bench_hopfield", [1000, 1000, 9], "native")  # median 1 us
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "compare_builds.py"), str(before),
                        str(tmp_path / "after"), "--set", "hopfield", "--repetitions", "3"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("machine: ") and "flags:" in r.stdout.splitlines()[0]
    assert "before arch portable | after arch native" in r.stdout
    rows = [l for l in r.stdout.splitlines() if l.startswith("| bench_hopfield")]
    assert rows == ["| bench_hopfield | BM_Retrieval/packed/sync | 3 us | 1 us | 3.00x |"]


def test_compare_builds_names_a_missing_program(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "compare_builds.py"), str(tmp_path), str(tmp_path),
                        "--set", "hopfield"], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "no executable bench_hopfield" in r.stderr
