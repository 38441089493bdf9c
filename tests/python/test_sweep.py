"""Sweeps on Dask distributed: a two-worker local cluster, failures recorded, completed runs skipped."""

import subprocess
import textwrap

import pytest

import engram
from conftest import KV, ROOT

pytest.importorskip("distributed")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # tornado's, inside distributed

BASE = ["trainer.steps=10", "trainer.eval_every=10"]


def test_sweep_on_two_workers_records_failures_and_skips_completed(runs_root):
    # lr=1e30 without clipping makes the loss non-finite: that run fails (exit 1)
    grid = {"seed": [0, 1], "trainer.optimizer.lr": [0.003, 1e30]}
    res = engram.sweep(KV, grid, base=BASE + ["trainer.clip_norm=0"], runs_root=runs_root, n_workers=2)
    assert len(res.points) == 4
    by_lr = {}
    for p in res.points:
        by_lr.setdefault(p.overrides[-1], []).append(p)
    assert all(p.status == "completed" for p in by_lr["trainer.optimizer.lr=0.003"])
    failed = by_lr["trainer.optimizer.lr=1e+30"]
    assert all(p.status == "failed" and p.exit_code == 1 and p.error for p in failed)
    index = engram.ResultsIndex(runs_root)
    for p in res.points:
        rec = index.get(p.dir)
        assert rec is not None and rec.status == p.status
    assert all(index.get(p.dir).error for p in failed)
    assert len(res.records()) == 4

    again = engram.sweep(KV, grid, base=BASE + ["trainer.clip_norm=0"], runs_root=runs_root, n_workers=2)
    assert [p.status for p in again.points if "lr=0.003" in p.overrides[-1]] == ["skipped", "skipped"]
    assert [p.status for p in again.points if "lr=1e+30" in p.overrides[-1]] == ["failed", "failed"]  # tried again
    assert len(engram.runs(runs_root, status="completed")) == 2


def test_a_config_error_at_run_time_is_recorded_as_failed(runs_root, tmp_path):
    # without validation here (components from plugins the driver has not loaded), a bad value
    # reaches the worker: `engram run` exits 2 before any run exists; the sweep records it
    res = engram.sweep(KV, [["model.hidden=0"]], base=BASE, runs_root=runs_root, n_workers=1, validate=False)
    (p,) = res.points
    assert p.status == "failed" and p.exit_code == 2 and "model.hidden must be in" in p.error
    rec = engram.ResultsIndex(runs_root).get(p.dir)
    assert rec.status == "failed" and "model.hidden" in rec.error and rec.params
    with pytest.raises(engram.ConfigError):  # validated before anything starts
        engram.sweep(KV, [["model.hidden=0"]], base=BASE, runs_root=runs_root)


def test_grid_forms():
    assert engram.grid_overrides(["seed=0,1"], base=["a=1"]) == [["a=1", "seed=0"], ["a=1", "seed=1"]]
    assert engram.grid_overrides({"x": [True, 2]}) == [["x=true"], ["x=2"]]
    assert engram.grid_overrides([["a=1"], ["a=2", "b=3"]]) == [["a=1"], ["a=2", "b=3"]]


def test_engram_run_with_the_dask_launcher(engram_exe, runs_root, tmp_path):
    plugin = tmp_path / "score.py"
    plugin.write_text(textwrap.dedent("""\
        import engram
        from engram import ops
        @engram.register_score("py_dot", "q . k in Python")
        class PyDot:
            def __init__(self, shape, options, ctx):
                pass
            def scores(self, q, k):
                return ops.matmul_nt(q, k)
        """))
    cmd = [engram_exe, "run", "-m", "--launcher", "dask", "--jobs", "2", "--plugin", str(plugin), KV,
           "+model.score={name: py_dot}", "seed=0,1", "--runs-root", runs_root] + BASE
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "2 to run" in p.stdout and p.stdout.count("\ncompleted ") == 2
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "2 already completed" in p.stdout
    assert len(engram.runs(runs_root)) == 2


def test_an_existing_scheduler_by_address(engram_exe, runs_root):
    # a scheduler on TCP as another machine would run it; its workers are threads of this process
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        addr = cluster.scheduler_address
        assert addr.startswith("tcp://")
        res = engram.sweep(KV, {"seed": [0, 1]}, base=BASE, runs_root=runs_root, scheduler=addr)
        assert [p.status for p in res.points] == ["completed", "completed"]
        with Client(addr) as client:
            res = engram.sweep(KV, {"seed": [2]}, base=BASE, runs_root=runs_root, client=client)
            assert client.status == "running"  # a client given is left open
        assert res.points[0].status == "completed"
        p = subprocess.run([engram_exe, "run", "-m", "--launcher", "dask", "--scheduler", addr, KV, "seed=3,4",
                            "--runs-root", runs_root] + BASE, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
    assert len(engram.runs(runs_root, status="completed")) == 5
