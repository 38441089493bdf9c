"""The README's second way in: `pip install` into a venv made with --system-site-packages from
Debian's Python gives `import engram` and an `engram` command on the venv's PATH. The build
reuses the build tree (ENGRAM_BUILD_DIR), so this costs seconds, not a rebuild."""

import os
import pathlib
import subprocess
import sys

import pytest

from conftest import KV, ROOT


def test_pip_install_into_a_venv_gives_the_module_and_the_command(tmp_path, engram_exe):
    build_dir = pathlib.Path(engram_exe).parents[1]  # <build>/experiments/engram
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    env = dict(os.environ, ENGRAM_BUILD_DIR=str(build_dir), PIP_NO_INPUT="1")
    env.pop("PYTHONPATH", None)  # the installed package, not the build tree's
    r = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-index", "--no-deps",
                        "--quiet", str(ROOT)], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    cmd = venv / "bin" / "engram"
    assert cmd.exists(), "no engram command on the venv's PATH"
    env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
    h = subprocess.run(["engram", "--help"], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert h.returncode == 0 and "run" in h.stdout and "compare" in h.stdout
    runs = tmp_path / "runs"
    r = subprocess.run(["engram", "run", KV, "trainer.steps=5", "trainer.eval_every=5", "task.val_size=16",
                        "--runs-root", str(runs), "--no-progress"], env=env, capture_output=True, text=True,
                       timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert os.path.exists(os.path.join(r.stdout.strip().splitlines()[-1], "summary.json"))
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import engram, os; print(os.path.dirname(engram.__file__))"],
                           env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert where.returncode == 0 and where.stdout.strip().startswith(str(venv)), where.stdout + where.stderr
