"""scripts/reproduce_memn2n on generated bAbI files: the table in the paper's form with the
selected restart's validation and test errors and the spread over restarts (--test-dir), and
extra overrides for every run (--set), and selection on training error (--select train)."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_reproduce_memn2n_reports_test_errors_and_the_spread_over_restarts(engram_exe, tmp_path):
    gen = tmp_path / "gen"
    subprocess.run([engram_exe, "babi-generate", "--task", "1", "--out", str(gen), "--stories", "40", "--test-stories", "20"],
                   check=True, capture_output=True)
    (tmp_path / "data" / "en").mkdir(parents=True)
    (tmp_path / "test").mkdir()
    os.rename(gen / "qa1_generated_train.txt", tmp_path / "data" / "en" / "qa1_generated_train.txt")
    os.rename(gen / "qa1_generated_test.txt", tmp_path / "test" / "qa1_generated_test.txt")
    out = tmp_path / "table.md"
    env = dict(os.environ, ENGRAM=engram_exe)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "reproduce_memn2n"), "--data", str(tmp_path / "data"),
                        "--sets", "1k", "--variants", "pe", "--restarts", "2", "--jobs", "1", "--set", "trainer.epochs=2",
                        "--test-dir", str(tmp_path / "test"), "--runs-root", str(tmp_path / "runs"), "--out", str(out)],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    table = out.read_text()
    # task 1: selected validation / its test error (mean ± std over the 2 restarts)
    assert re.search(r"\| 1 \| \d+\.\d / \d+\.\d \(\d+\.\d ± \d+\.\d\) \|", table), table
    assert re.search(r"\*\*failed \(> 5%\)\*\* \| \d \(test\) \|", table), table
    # --set and the test folder reached every run
    configs = [os.path.join(d, f) for d, _, fs in os.walk(tmp_path / "runs") for f in fs if f == "config.yaml"]
    configs = [c for c in configs if os.path.exists(os.path.join(os.path.dirname(c), "summary.json"))]
    assert len(configs) == 2
    for c in configs:
        text = open(c).read()
        assert re.search(r"\bepochs: 2\b", text) and "test_dir:" in text, text
    bad = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "reproduce_memn2n"), "--data", str(tmp_path / "data"),
                          "--sets", "1k", "--variants", "pe", "--test-dir", str(tmp_path / "nope")],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "is not a folder" in bad.stderr


def test_reproduce_memn2n_selects_on_training_error_with_held_out_stories(engram_exe, tmp_path):
    """--select train: each run's last epoch, the restart with the lowest training error; the cell
    is that restart's validation error, recomputed here from the runs' summaries."""
    import json
    gen = tmp_path / "gen"
    subprocess.run([engram_exe, "babi-generate", "--task", "1", "--out", str(gen), "--stories", "40"],
                   check=True, capture_output=True)
    (tmp_path / "data" / "en").mkdir(parents=True)
    os.rename(gen / "qa1_generated_train.txt", tmp_path / "data" / "en" / "qa1_generated_train.txt")
    out = tmp_path / "table.md"
    env = dict(os.environ, ENGRAM=engram_exe)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "reproduce_memn2n"), "--data", str(tmp_path / "data"),
                        "--sets", "1k", "--variants", "pe", "--restarts", "3", "--jobs", "1", "--set", "trainer.epochs=3",
                        "--select", "train", "--val-split", "last", "--runs-root", str(tmp_path / "runs"), "--out", str(out)],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    table = out.read_text()
    summaries = []
    for d, _, fs in os.walk(tmp_path / "runs"):
        if "summary.json" in fs:
            cfg = open(os.path.join(d, "config.yaml")).read()
            assert re.search(r"\bval_split: last\b", cfg) and re.search(r"\beval_train: true\b", cfg), cfg
            summaries.append(json.load(open(os.path.join(d, "summary.json"))))
    assert len(summaries) == 3
    lowest = min(s["final"]["train/error"] for s in summaries)
    tied = [s for s in summaries if s["final"]["train/error"] == lowest]  # any of them may be the one
    vals = [100 * s["final"]["val/error"] for s in summaries]
    mean = sum(vals) / len(vals)
    assert any("| 1 | %.1f (%.1f ± " % (100 * s["final"]["val/error"], mean) in table for s in tied), table
    assert "training error (each run's last epoch" in table and "last 10% of stories" in table, table
