"""scripts/babi_families on generated bAbI files: every family of families.yaml is a column, each
cell is the restart selected by training error (recomputed here from the runs' summaries), the
timing table counts the runs, the heat map is drawn, a second call trains nothing, and bad
arguments are refused with a message."""

import json
import os
import re
import shutil
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "babi_families")


def _data(engram_exe, tmp_path):
    gen = tmp_path / "gen"
    subprocess.run([engram_exe, "babi-generate", "--task", "1", "--out", str(gen), "--stories", "40"],
                   check=True, capture_output=True)
    data = tmp_path / "en"
    data.mkdir()
    shutil.copy(gen / "qa1_generated_train.txt", data / "qa1_generated_train.txt")
    shutil.copy(gen / "qa1_generated_train.txt", data / "qa2_copy_train.txt")  # a second task: the same stories
    return data


def _script(engram_exe, *args):
    env = dict(os.environ, ENGRAM=engram_exe)
    return subprocess.run([sys.executable, SCRIPT] + list(args), capture_output=True, text=True, env=env)


def test_babi_families_lists_every_reader_of_the_config_and_the_paper_recipe(engram_exe):
    p = _script(engram_exe, "--list")
    assert p.returncode == 0, p.stderr
    listed = [line.split()[0] for line in p.stdout.splitlines() if line.strip()]
    with open(os.path.join(ROOT, "experiments", "configs", "babi", "families.yaml")) as f:
        readers = list(yaml.safe_load(f)["comparison"]["readers"])
    assert listed == readers + ["memn2n_paper"]
    assert {"memn2n", "kv_memnn", "hopfield", "transformer", "lstm", "ntm", "dnc"} <= set(readers)


def test_babi_families_table_selects_each_restart_by_training_error_and_resumes(engram_exe, tmp_path):
    data = _data(engram_exe, tmp_path)
    runs, out = tmp_path / "runs", tmp_path / "table.md"
    args = ["--data", str(data), "--families", "hopfield,memn2n", "--restarts", "2", "--jobs", "1",
            "--set", "trainer.epochs=2", "--set", "trainer.early_stopping.min_epochs=0", "--runs-root", str(runs),
            "--out", str(out)]
    p = _script(engram_exe, *args)
    assert p.returncode == 0, p.stderr
    table = out.read_text()
    assert "| task | paper (test) | hopfield | memn2n |" in table, table
    for family in ("hopfield", "memn2n"):
        by_task = {}
        for d, _, fs in os.walk(runs / ("babi_families_1k_" + family)):
            if "summary.json" in fs:
                cfg = yaml.safe_load(open(os.path.join(d, "config.yaml")))
                assert cfg["trainer"]["epochs"] == 2 and cfg["task"]["val_split"] == "last", cfg
                s = json.load(open(os.path.join(d, "summary.json")))
                by_task.setdefault(cfg["task"]["task"], []).append(s)
        assert sorted(by_task) == [1, 2] and all(len(v) == 2 for v in by_task.values())
        row = next(line for line in table.split("\n") if line.startswith("| 1 | "))  # task 1's row
        column = 2 if family == "hopfield" else 3
        cell = row.strip("| ").split(" | ")[column]
        lowest = min(s["final"]["train/error"] for s in by_task[1])
        picked = ["%.1f" % (100 * s["final"]["val/error"]) for s in by_task[1] if s["final"]["train/error"] == lowest]
        assert cell.split(" ")[0] in picked, (cell, picked)
        mean = sum(100 * s["final"]["val/error"] for s in by_task[1]) / 2
        assert "(%.1f ± " % mean in cell, (cell, mean)
        assert re.search(r"\| %s \| \w+ \| 4 \| \d+\.\d \| \d+\.\d \|" % family, table), table
    assert re.search(r"\| \*\*failed \(> 5%\)\*\* \| 1 \| \d \(val\) \| \d \(val\) \|", table), table
    assert (tmp_path / "babi_families_error.png").stat().st_size > 1000
    # a second call trains nothing: every run is already in the index
    dirs = sorted(d for d, _, fs in os.walk(runs) if "summary.json" in fs)
    again = _script(engram_exe, *args)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("4 of 4 runs already completed") == 2, again.stdout
    assert sorted(d for d, _, fs in os.walk(runs) if "summary.json" in fs) == dirs


def test_babi_families_refuses_bad_arguments(engram_exe, tmp_path):
    data = _data(engram_exe, tmp_path)
    for args, message in [(["--families", "hopfield,nope"], "unknown family 'nope'"),
                          (["--tasks", "1,7"], "no training file for task 7"),
                          (["--tasks", "x"], "--tasks must be comma-separated numbers"),
                          (["--restarts", "0"], "--restarts must be at least 1"),
                          (["--test-dir", str(tmp_path / "nope")], "is not a folder")]:
        p = _script(engram_exe, "--data", str(data), "--runs-root", str(tmp_path / "runs"), *args)
        assert p.returncode == 2 and message in p.stderr, (args, p.stderr)
    assert not (tmp_path / "runs").exists()
