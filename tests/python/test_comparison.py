"""The memory comparison end to end through the engram program (experiments/comparison.h): cells
as worker processes, the table, determinism whatever the threads, Ctrl-C and resume without
recomputing finished cells, config errors at file:line, and the one-call Python API."""

import glob
import json
import os
import signal
import subprocess
import time

import pytest

import engram

TINY = """name: cmp_tiny
seed: 0
task:
  name: babi
  task: 1
  memory_size: 20
  data: {generate: {stories: %(stories)d, test_stories: 30, statements: 4, questions: 2, distance: uniform}}
model: ~
trainer: {epochs: %(epochs)d, batch: 16, threads: 1, eval_every: epoch, log_every: epoch, optimizer: {name: adam, lr: 0.02}}
comparison:
  readers:
    mem: {name: memn2n, dim: 8, hops: 1, memory_size: 4, examples_per_graph: 4}
    hop: {name: hopfield_reader, dim: 8}
  load: {key: task.data.generate.statements, values: [3, 6]}
  seeds: [1]
"""


def run_summaries(root):
    """summary.json of every run (not the comparison's own folder)."""
    return [p for p in glob.glob(os.path.join(root, "cmp_tiny", "*", "summary.json")) if "/comparison/" not in p]


def write_config(tmp_path, stories=30, epochs=2):
    p = tmp_path / "cmp.yaml"
    p.write_text(TINY % {"stories": stories, "epochs": epochs})
    return str(p)


def run(exe, config, root, *extra, timeout=300):
    return subprocess.run([exe, "run", config, "--runs-root", root, "--no-progress", *extra], capture_output=True,
                          text=True, timeout=timeout)


def test_comparison_writes_table_and_is_the_same_at_one_or_two_threads(engram_exe, tmp_path):
    config = write_config(tmp_path)
    tables = []
    for threads, jobs in ((1, 1), (2, 2)):
        root = str(tmp_path / ("runs%d" % threads))
        p = run(engram_exe, config, root, "--jobs", str(jobs), "trainer.threads=%d" % threads)
        assert p.returncode == 0, p.stderr
        lines = p.stdout.strip().splitlines()
        out = lines[-1]
        assert out == os.path.join(root, "cmp_tiny", "comparison")
        assert "comparison cmp_tiny: 2 readers x 2 loads x 1 seeds = 4 runs, 0 already done" in p.stdout
        assert "| reader | parameters | state (numbers) | statements=3 | statements=6 | capacity |" in p.stdout
        with open(os.path.join(out, "table.csv")) as f:
            tables.append(f.read())
        summary = json.load(open(os.path.join(out, "summary.json")))
        assert set(summary["readers"]) == {"mem", "hop"}
        # retention at the largest load: the error by the quarter of the story holding the fact
        assert len(summary["readers"]["hop"]["retention"]) == 4
        assert "Retention at statements=6" in p.stdout
        assert len(run_summaries(root)) == 4
    assert tables[0] == tables[1]
    rows = tables[0].strip().splitlines()
    assert rows[0] == "reader,load_key,load,mean,std,n,seeds,budget,parameters,state_size,skipped,theory"
    assert len(rows) == 5
    # engram compare --comparison renders the same from the index
    root = str(tmp_path / "runs1")
    p = subprocess.run([engram_exe, "compare", "--comparison", config, "--runs-root", root], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert open(os.path.join(root, "cmp_tiny", "comparison", "table.csv")).read() == tables[0]
    # a second run trains nothing
    p = run(engram_exe, config, root)
    assert p.returncode == 0 and "4 already done" in p.stdout


def test_ctrl_c_stops_the_comparison_and_a_rerun_finishes_only_what_is_missing(engram_exe, tmp_path):
    config = write_config(tmp_path, stories=400, epochs=8)
    root = str(tmp_path / "runs")
    proc = subprocess.Popen([engram_exe, "run", config, "--runs-root", root, "--no-progress", "--jobs", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if run_summaries(root):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the comparison ended before it could be interrupted: " + proc.stdout.read()
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, out + err
    assert "comparison interrupted" in err
    finished = len(run_summaries(root))
    assert 1 <= finished < 4
    p = run(engram_exe, config, root, "--jobs", "1")
    assert p.returncode == 0, p.stderr
    assert "already done" in p.stdout
    # every cell has exactly one run directory: the finished ones were not trained again and the
    # interrupted one was resumed in place
    dirs = [d for d in glob.glob(os.path.join(root, "cmp_tiny", "*")) if os.path.basename(d) != "comparison"]
    assert len(dirs) == 4
    # and the table is the one of an uninterrupted comparison
    fresh = str(tmp_path / "fresh")
    q = run(engram_exe, config, fresh, "--jobs", "2")
    assert q.returncode == 0, q.stderr
    assert open(os.path.join(root, "cmp_tiny", "comparison", "table.csv")).read() == \
        open(os.path.join(fresh, "cmp_tiny", "comparison", "table.csv")).read()


def test_a_bad_reader_is_an_error_at_the_comparison_file_line(engram_exe, tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text((TINY % {"stories": 30, "epochs": 1}).replace("hops: 1,", "hopz: 1,"))
    p = run(engram_exe, str(config), str(tmp_path / "runs"))
    assert p.returncode == 2
    assert "bad.yaml:12:" in p.stderr and "did you mean model.hops" in p.stderr and "reader 'mem'" in p.stderr
    assert not os.path.exists(tmp_path / "runs" / "cmp_tiny")


def test_python_runs_a_comparison_in_one_call(engram_exe, tmp_path):
    config = write_config(tmp_path)
    c = engram.comparison(config, ["comparison.seeds=[1, 2]"], runs_root=str(tmp_path / "runs"), jobs=2)
    assert isinstance(c, engram.Comparison)
    assert [(r["reader"], r["load"]) for r in c.rows] == [("mem", 3.0), ("mem", 6.0), ("hop", 3.0), ("hop", 6.0)]
    assert all(r["seeds"] == 2.0 and 0 <= r["mean"] <= 1 for r in c.rows)
    assert "| mem |" in c.markdown
    cap = c.capacity("hop")
    assert cap is None or cap in (3.0, 6.0)
    with pytest.raises(engram.ComparisonError) as e:
        engram.comparison(config, ["comparison.load.key=task.nope"], runs_root=str(tmp_path / "runs"))
    assert e.value.exit_code == 2 and "unknown key task.nope" in str(e.value)
    with pytest.raises(TypeError):
        engram.comparison(config, "seed=1")
    with pytest.raises(ValueError):
        engram.comparison(config, jobs=0)


def test_recall_comparison_stored_memories_against_their_theory(engram_exe, tmp_path):
    """The associative-recall config with its stored memories only (they are evaluated, not
    trained): the Hebbian memory breaks where its partial-cue theory says, the modern one holds
    far longer, and the theory reaches the table, the csv and the summary."""
    config = os.path.join(os.path.dirname(__file__), "..", "..", "experiments", "configs", "compare", "recall.yaml")
    stored = ("comparison.readers={hebbian: {name: associative_memory, memory: hebbian},"
              " modern: {name: associative_memory, memory: modern, beta: 0.25}}")
    c = engram.comparison(config, [stored, "~comparison.max_load", "comparison.load.values=[2, 8, 32]", "comparison.seeds=[0]",
                                   "task.stories=2", "task.val_stories=20", "task.test_stories=300"],
                          runs_root=str(tmp_path / "runs"), jobs=2)
    rows = {(r["reader"], r["load"]): r for r in c.rows}
    assert rows[("hebbian", 2.0)]["mean"] == 0.0
    assert abs(rows[("hebbian", 8.0)]["mean"] - rows[("hebbian", 8.0)]["theory"]) < 0.1  # 0.42 by theory
    assert rows[("hebbian", 8.0)]["mean"] > 0.2
    assert rows[("modern", 32.0)]["mean"] < 0.05
    assert c.capacity("hebbian") == 2.0 and c.capacity("modern") == 32.0
    assert c.summary["readers"]["modern"]["capacity_is_bound"] is True
    assert c.summary["readers"]["hebbian"]["theory_capacity"] == 2.0
    assert c.summary["readers"]["hebbian"]["capacity_per_parameter"] is None  # no parameters
    assert c.summary["readers"]["hebbian"]["capacity_per_byte"] == 2.0 / (4 * 24 * 24)
    assert "| ↳ theory |" in c.markdown
