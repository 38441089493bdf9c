"""Plotting helpers (learning curves, capacity curves with theory, heat maps) and `engram plot`."""

import os
import subprocess

import numpy as np
import pytest

import engram
from conftest import KV, PLOTTER
from engram import plotting

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("plots") / "runs")
    return [engram.run(KV, ["trainer.steps=20", "trainer.eval_every=10", f"seed={s}"], runs_root=root) for s in (0, 1)]


def test_learning_curves(two_runs):
    fig = plotting.learning_curves(two_runs[0], ["val/accuracy", "train/loss"])
    labels = [l.get_label() for l in fig.axes[0].get_lines()]
    assert labels == ["val/accuracy", "train/loss"]
    xs = fig.axes[0].get_lines()[0].get_xdata()
    assert list(xs) == [10, 20]
    fig = plotting.learning_curves([r.dir for r in two_runs], ["val/accuracy"])
    assert len(fig.axes[0].get_lines()) == 2


def test_capacity_curves_with_theory(tmp_path):
    fig = plotting.capacity_curves({"hebbian": ([64, 128, 256], [6.8, 13.7, 20.4], [0.3, 0.4, 0.5])})
    labels = {l.get_label() for l in fig.axes[0].get_lines()}
    assert {"N/(2 ln N) (Hebbian)", "N/sqrt(2 ln N) (Storkey)"} <= labels
    cfg = tmp_path / "cap.yaml"
    cfg.write_text("name: cap\nseed: 1\nstudy: {name: capacity, Ns: [16, 32], rules: [hebbian, storkey], trials: 2, threads: 1}\n")
    run = engram.run(str(cfg), runs_root=str(tmp_path / "runs"))
    fig = plotting.capacity_curves(run, theory={"N / 10": lambda n: n / 10})
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert {"hebbian", "storkey", "N / 10"} == set(texts)


def test_heat_maps_of_attention_and_memory(two_runs):
    w = two_runs[0].inspect("val_attention")
    fig = plotting.heatmap(w)
    assert fig.axes[0].get_images()[0].get_array().shape == w.shape
    mem = engram.ExternalMemory.ntm(slots=8, width=4)
    state = mem.initial_state()
    rows = []
    for t in range(5):
        mem.step(state, np.full((1, mem.interface_size), 0.1 * t, np.float32))
        rows.append(state.read_weights[0].value[0])
    fig = plotting.memory_heatmap(np.stack(rows))
    assert fig.axes[0].get_xlabel() == "memory slot"


def test_engram_plot_command(engram_exe, two_runs, tmp_path):
    env = dict(os.environ, ENGRAM_PLOTTER=PLOTTER)
    root = os.path.dirname(os.path.dirname(two_runs[0].dir))
    out = tmp_path / "out"
    p = subprocess.run([engram_exe, "plot", two_runs[0].id, two_runs[1].dir, "--runs-root", root, "--metric",
                        "val/accuracy", "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    written = p.stdout.split()
    assert str(out / "learning_curves.png") in written and all(os.path.exists(f) for f in written)
    assert any(f.endswith("_val_attention.png") for f in written)
    p = subprocess.run([engram_exe, "plot", "no-such-run", "--runs-root", root], capture_output=True, text=True, env=env)
    assert p.returncode == 2 and "no run 'no-such-run'" in p.stderr


def test_plotting_script_keeps_its_spec_cli(tmp_path):
    import json

    spec = {"name": "demo", "title": "t", "xlabel": "x", "ylabel": "y", "logx": False, "logy": False,
            "series": [{"label": "a", "x": [0, 1], "y": [1, 2], "theory": True}], "vlines": []}
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(spec))
    p = subprocess.run(["/usr/bin/python3", PLOTTER, str(path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "demo.png").exists()


def test_image_maps_are_labelled_in_pixels():
    from engram import plotting

    assert plotting._labels("val0_glimpses") == ("pixel column", "pixel row")
    assert plotting._labels("val0_image") == ("pixel column", "pixel row")
    assert plotting._labels("val0_locations")[1] == "glimpse"
    assert plotting._labels("val0_read_weights") == ("memory slot", "time step")
