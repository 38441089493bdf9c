"""Shared fixtures of the Python suite (run by scripts/test with PYTHONPATH=build/python:python)."""

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "experiments" / "configs"
KV = str(CONFIGS / "kv_retrieval.yaml")
SCORES = str(CONFIGS / "attention" / "score_comparison.yaml")
PLOTTER = str(ROOT / "python" / "engram" / "plotting.py")

# Runs draw heat maps and study plots through a matplotlib subprocess (about a second each);
# the suite turns that off, except where it tests the plots (those pass ENGRAM_PLOTTER back).
os.environ["ENGRAM_PLOTTER"] = str(ROOT / "tests" / "python" / "no-plotter.py")


@pytest.fixture
def runs_root(tmp_path):
    return str(tmp_path / "runs")


@pytest.fixture(scope="session")
def engram_exe():
    import engram

    exe = engram.build_info()["engram"]
    if not exe or not os.path.exists(exe):
        pytest.skip("the engram program is not built (ninja -C build engram)")
    return exe


@pytest.fixture
def in_root(monkeypatch):
    """Runs the test from the repository root (docstring examples use relative paths)."""
    monkeypatch.chdir(ROOT)
    return ROOT


def _untracked_files():
    import subprocess

    try:
        r = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--others", "--exclude-standard", "-z"],
                           capture_output=True, timeout=60)
    except OSError:  # no git on the machine: a source tarball
        return None
    return set(r.stdout.split(b"\0")) - {b""} if r.returncode == 0 else None


@pytest.fixture(scope="session", autouse=True)
def source_tree_stays_clean():
    """Tests write into temporary directories only: files a test left in the checkout (runs of a
    relative runs root, say) would end up committed. Outside a git checkout, not checked."""
    before = _untracked_files()
    yield
    after = _untracked_files()
    if before is not None and after is not None:
        new = sorted(p.decode(errors="replace") for p in after - before)
        assert not new, "the Python tests left files in the source tree: %s" % new[:10]
