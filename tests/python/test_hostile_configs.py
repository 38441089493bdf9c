"""A config loader that cannot be crashed: alias cycles, alias bombs and deep nesting are config
errors (exit status 2, file:line and the alias named), reached within seconds and without
exhausting memory, even under a 6 GB address-space limit."""

import resource
import subprocess
import time

import pytest

LIMIT = 6 << 30


def limited():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def bomb(levels=7, fan=10):
    lines = ["seed: 0", "a0: &a0 [" + ", ".join(["x"] * fan) + "]"]
    for i in range(1, levels + 1):
        lines.append("a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * fan)))
    lines.append("task: {name: kv_retrieval}")
    return "\n".join(lines) + "\n"


CASES = [
    ("cycle.yaml", "seed: 0\ntask: &a {name: kv_retrieval, x: *a}\n", ["cycle.yaml:2", "alias *a", "cycle"]),
    ("bomb.yaml", bomb(), ["bomb.yaml:", "alias *a", "values"]),
    ("deep.yaml", "seed: 0\nx: " + "[" * 5000 + "]" * 5000 + "\n", ["deep.yaml:2", "deeper than"]),
    ("keys.yaml", "seed: 0\n" + "".join("k%d: %d\n" % (i, i) for i in range(120000)), ["keys.yaml", "more than"]),
]


@pytest.mark.parametrize("name,text,expected", CASES, ids=[c[0] for c in CASES])
def test_hostile_yaml_is_a_config_error_within_seconds(engram_exe, tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    t0 = time.time()
    r = subprocess.run([engram_exe, "run", str(path), "--runs-root", str(tmp_path / "runs")], capture_output=True,
                       text=True, timeout=60, preexec_fn=limited)
    seconds = time.time() - t0
    assert r.returncode == 2, (r.returncode, r.stderr[-500:])
    for e in expected:
        assert e in r.stderr, (e, r.stderr[-500:])
    assert seconds < 10
    assert not (tmp_path / "runs").exists()  # nothing written for a config that does not load


def test_a_hostile_override_is_a_config_error_too(engram_exe, tmp_path, in_root):
    r = subprocess.run([engram_exe, "run", "experiments/configs/kv_retrieval.yaml", "model.hidden=" + "[" * 200 + "]" * 200,
                        "--runs-root", str(tmp_path / "runs")], capture_output=True, text=True, timeout=60, preexec_fn=limited)
    assert r.returncode == 2 and "override 'model.hidden=" in r.stderr and "deeper than" in r.stderr
