"""Everything a config can do, from Python: load, override, run, metrics, index, compare, CLI."""

import json
import os

import numpy as np
import pytest

import engram
from conftest import KV, SCORES

SHORT = ["trainer.steps=20", "trainer.eval_every=10", "trainer.log_every=5"]


def test_config_load_override_flatten_hash():
    cfg = engram.Config.load(KV, ["model.hidden=64"])
    assert cfg.experiment == "kv_retrieval" and cfg.seed == 0
    flat = cfg.flatten()
    assert flat["model.hidden"] == "64" and flat["task.name"] == "kv_retrieval"
    other = cfg.override("seed=3")
    assert other.seed == 3 and other.overrides == ["model.hidden=64", "seed=3"]
    assert other.hash != cfg.hash and engram.Config.load(KV, ["model.hidden=64"]).hash == cfg.hash
    assert "hidden: 64" in cfg.to_yaml()
    cfg.validate()


def test_config_errors_name_where():
    with pytest.raises(engram.ConfigError, match=r"override 'model.hiden=3': unknown key model.hiden \(did you mean model.hidden\?\)"):
        engram.Config.load(KV, ["model.hiden=3"])
    with pytest.raises(ValueError, match=r"model.hidden must be in \[1, 100000\], got -3"):
        engram.Config.load(KV, ["model.hidden=-3"]).validate()
    with pytest.raises(engram.ConfigError, match=r"cannot|no such|not found|read"):
        engram.Config.load("/nonexistent.yaml")


def test_run_metrics_index_compare(runs_root):
    r = engram.run(KV, SHORT, runs_root=runs_root)
    assert r.status == "completed" and r.exit_code == 0 and r.step == 20
    assert set(r.final) >= {"val/accuracy", "val/loss"}
    assert os.path.exists(r.path("checkpoints", "last.ck"))
    recs = r.metrics()
    assert recs[0].keys() == {"step", "split", "name", "value"}
    steps, acc = r.history("accuracy", "val")
    assert steps == [10, 20] and len(acc) == 2
    frame = r.metrics_frame()
    assert list(frame.columns) == ["step", "split", "name", "value"] and len(frame) == len(recs)
    assert r.inspect("val_attention").dtype == np.float32
    assert engram.Run(r.dir).final == r.final  # read back from summary.json
    assert r.config.flatten()["trainer.steps"] == "20"

    r2 = engram.run(engram.Config.load(KV, SHORT), ["model.hidden=8"], runs_root=runs_root)
    index = engram.ResultsIndex(runs_root)
    listed = index.list(experiment="kv_retrieval")
    assert sorted(x.id for x in listed) == sorted([r.id, r2.id])  # by start time (1 s resolution)
    assert index.list(params={"model.hidden": 8})[0].id == r2.id
    got = index.get(r.id)
    assert index.get(r.dir).id == r.id
    assert got.dir == os.path.abspath(r.dir) and got.status == "completed"
    assert index.find_completed("kv_retrieval", engram.Config.load(KV, SHORT).hash).id == r.id
    assert index.get("nothing-like-this") is None
    d = got.to_dict()
    assert d["summary"]["final/val/accuracy"] == pytest.approx(r.final["val/accuracy"])
    assert json.dumps(d)

    table = engram.compare(runs_root, by=["model.hidden"], metrics=["final/val/accuracy"])
    assert "| model.hidden |" in table and "| 8 " in table.replace("  ", " ")
    csv = engram.compare(index.list(), by=["model.hidden"], format="csv")
    assert csv.splitlines()[0].startswith("model.hidden,n,")
    frame = engram.compare_frame(runs_root, by=["model.hidden"])
    assert list(frame["model.hidden"]) == ["8", "32"] and "final/val/accuracy_mean" in frame.columns
    runs = engram.runs_frame(engram.runs(runs_root))
    assert {"id", "status", "model.hidden", "final/val/accuracy"} <= set(runs.columns)


def test_failed_run_is_reported_not_raised(runs_root):
    r = engram.run(KV, ["trainer.steps=5", "trainer.optimizer.lr=1e30", "trainer.clip_norm=0"], runs_root=runs_root)
    if r.status == "completed":
        pytest.skip("the loss stayed finite at lr=1e30")
    assert r.status == "failed" and r.exit_code == 1 and r.message
    assert engram.ResultsIndex(runs_root).get(r.id).status == "failed"


def test_study_runs_and_tables(runs_root, tmp_path):
    cfg = tmp_path / "cap.yaml"
    cfg.write_text("name: cap\nseed: 1\nstudy: {name: capacity, Ns: [16, 32], rules: [hebbian], trials: 2, threads: 1}\n")
    r = engram.run(str(cfg), runs_root=runs_root)
    assert r.status == "completed"
    t = r.table()
    assert t["N"] == [16.0, 32.0] and "cap_hebbian" in t
    assert "cap_hebbian |" in engram.compare(runs_root, rows=True)


def test_cli_in_process(runs_root):
    code, out, err = engram.cli(["list", "scores"])
    assert code == 0 and "scaled_dot" in out
    code, out, err = engram.cli(["run", KV, "--runs-root", runs_root, "--no-progress"] + SHORT)
    assert code == 0 and out.strip().splitlines()[-1].startswith(runs_root)
    code, out, err = engram.cli(["run", KV, "model.hiden=3"])
    assert code == 2 and "did you mean model.hidden" in err
    assert engram.expand_multirun(["seed=0,1", "a=1"]) == [["seed=0", "a=1"], ["seed=1", "a=1"]]
    assert ("adam", "trainer.optimizer.name") in engram.components("optimizers")
    with pytest.raises(ValueError, match=r"unknown kind"):
        engram.components("nope")
