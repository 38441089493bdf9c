"""Every config shipped under experiments/configs builds as what `engram run` would run it
(`engram run --check`: task, model and trainer, every combination of a sweep, every cell of a
comparison, the data read, every key known), so a config cannot drift from the code it names.
A config whose external data (../shared/data/babi, kept outside the repository) is not on the
machine must say so at its data key; any other error fails. `--check` writes nothing."""

import concurrent.futures
import os
import subprocess

from conftest import CONFIGS, KV


def check(engram_exe, *args, cwd=None):
    return subprocess.run([engram_exe, "run", "--check", *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def test_every_shipped_config_builds(engram_exe, tmp_path):
    files = sorted(str(p) for p in CONFIGS.rglob("*.yaml"))
    assert len(files) >= 30
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda f: (f, check(engram_exe, f, cwd=tmp_path)), files))
    without_data = []
    for f, r in results:
        if r.returncode != 0 and "task.data.dir" in r.stderr and "is not a directory" in r.stderr and "data/babi" in r.stderr:
            without_data.append(f)  # the bAbI files are not on this machine: said at the key, file:line
            assert f + ":" in r.stderr
            continue
        assert r.returncode == 0, "%s: %s" % (f, r.stderr)
        assert r.stdout.startswith("config ok: "), r.stdout
    assert len(without_data) <= 6, without_data  # the bAbI configs at most
    assert os.listdir(tmp_path) == []  # nothing written: no runs/, no index


def test_check_names_the_first_problem_and_counts_sweeps(engram_exe, tmp_path):
    r = check(engram_exe, KV, "model.hiden=3", cwd=tmp_path)
    assert r.returncode != 0
    assert "model.hiden" in r.stderr and "hidden" in r.stderr  # the unknown key and its near miss
    r = check(engram_exe, "-m", KV, "seed=0,1,2", "model.hidden=8,16", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "config ok: kv_retrieval, 6 runs"
    r = check(engram_exe, "-m", KV, "seed=0,1", "model.hidden=8,-1", cwd=tmp_path)
    assert r.returncode != 0 and "model.hidden" in r.stderr  # one bad combination fails the sweep
    r = check(engram_exe, KV, "--resume", str(tmp_path), cwd=tmp_path)
    assert r.returncode != 0 and "--check" in r.stderr
    small = str(CONFIGS / "compare" / "small.yaml")
    r = check(engram_exe, small, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "config ok: comparison compare_small, 4 readers x 4 loads x 1 seeds = 16 runs"
    assert os.listdir(tmp_path) == []
