"""Runs lose nothing: kill -9 at any moment, a full or read-only disk, concurrent sweeps.

Each test drives the `engram` program. Faults are injected with ENGRAM_FAULT (core/fileio.h):
kill@N sends SIGKILL to the process at its N-th write point (half of a checkpoint written, a
metrics line half appended, a write of the results index), enospc@N / erofs@N make that write
fail as a full or read-only disk would. ENGRAM_FAULT_LOG lists the write points of a run, so
the kill schedule covers a whole run.
"""

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

from conftest import CONFIGS, KV

TINY = ["trainer.steps=40", "trainer.eval_every=10", "trainer.log_every=5", "task.val_size=32", "model.hidden=8",
        "trainer.threads=1"]
STUDY = str(CONFIGS / "hopfield" / "one_step_error.yaml")
STUDY_TINY = ["study.N=64", "study.alphas=[0.05,0.1,0.15,0.2]", "study.trials=2", "study.threads=1"]


def engram(exe, args, env_extra=None, **kw):
    env = dict(os.environ)
    env.pop("ENGRAM_FAULT", None)
    env.pop("ENGRAM_FAULT_LOG", None)
    env.update(env_extra or {})
    return subprocess.run([exe] + args, env=env, capture_output=True, text=True, timeout=120, **kw)


def write_points(exe, tmp_path, args):
    """(n, kind, path) of every write point of an uninterrupted run of `args`."""
    log = tmp_path / "points.log"
    r = engram(exe, args, {"ENGRAM_FAULT_LOG": str(log)})
    assert r.returncode == 0, r.stderr
    points = []
    for line in log.read_text().splitlines():
        n, kind, path = line.split("\t", 2)
        points.append((int(n), kind, path))
    return points


def schedule(points, seed, total=12, in_checkpoints=3, in_index=1):
    """A seeded choice of write points over the whole run: some inside checkpoint writes, some
    inside index transactions, the rest anywhere."""
    rng = random.Random(seed)
    ck = [n for n, kind, path in points if "/checkpoints/" in path]
    ix = [n for n, kind, path in points if kind == "index"]
    chosen = set(rng.sample(ck, in_checkpoints)) | set(rng.sample(ix, in_index))
    rest = [n for n, _, _ in points if n not in chosen]
    chosen |= set(rng.sample(rest, total - len(chosen)))
    return sorted(chosen)


def summary_without_clock(path):
    s = json.loads(open(path).read())
    s.pop("seconds", None)
    s.pop("points_computed", None)  # how many points this attempt computed: fewer after a resume
    return s


def resume_until_done(exe, run_dir, fresh_args, runs_root):
    """What a user does after a crash: resume the run; a run killed before it wrote its config
    has nothing to resume and is run again."""
    for _ in range(3):
        if os.path.exists(os.path.join(run_dir, "config.yaml")):
            r = engram(exe, ["run", "--resume", run_dir, "--runs-root", runs_root, "--no-progress"])
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
            r = engram(exe, fresh_args)
        if r.returncode == 0:
            return r
    raise AssertionError("the run did not complete after resuming: " + r.stderr)


def ls_status(exe, runs_root, run_dir):
    r = engram(exe, ["ls", "--runs-root", runs_root])
    for line in r.stdout.splitlines()[1:]:
        if line.split()[0] == os.path.basename(run_dir):
            return line.split()[2]
    return None


def test_kill_9_anywhere_in_a_training_run_loses_nothing(engram_exe, tmp_path):
    runs = str(tmp_path / "runs")
    ref = str(tmp_path / "ref")
    points = write_points(engram_exe, tmp_path, ["run", KV, *TINY, "--out", ref, "--runs-root", runs, "--no-progress"])
    plan = schedule(points, seed=13)
    assert len(plan) >= 10
    kinds = {n: (kind, path) for n, kind, path in points}
    assert sum("/checkpoints/" in kinds[n][1] for n in plan) >= 3 and sum(kinds[n][0] == "index" for n in plan) >= 1
    for n in plan:
        # a runs root of its own, as the reference had: the same sequence of write points
        d, runs = str(tmp_path / ("killed-%d" % n)), str(tmp_path / ("runs-%d" % n))
        args = ["run", KV, *TINY, "--out", d, "--runs-root", runs, "--no-progress"]
        r = engram(engram_exe, args, {"ENGRAM_FAULT": "kill@%d" % n})
        assert r.returncode == -signal.SIGKILL, (n, kinds[n], r.returncode, r.stderr)
        # never "running" forever: died (or completed, when the kill came after the final commit)
        assert ls_status(engram_exe, runs, d) in (None, "died", "completed"), n
        resume_until_done(engram_exe, d, args, runs)
        for f in ["metrics.jsonl", "checkpoints/last.ck", "checkpoints/best.ck"]:
            assert open(os.path.join(d, f), "rb").read() == open(os.path.join(ref, f), "rb").read(), (n, kinds[n], f)
        assert summary_without_clock(os.path.join(d, "summary.json")) == summary_without_clock(os.path.join(ref, "summary.json"))
        assert ls_status(engram_exe, runs, d) == "completed"


def test_kill_9_in_a_study_resumes_point_by_point(engram_exe, tmp_path):
    runs = str(tmp_path / "runs")
    ref = str(tmp_path / "ref")
    points = write_points(engram_exe, tmp_path, ["run", STUDY, *STUDY_TINY, "--out", ref, "--runs-root", runs, "--no-progress"])
    appends = [n for n, kind, path in points if path.endswith("points.jsonl")]
    assert len(appends) == 4
    rng = random.Random(5)
    plan = sorted(set(appends[1:]) | set(rng.sample([n for n, _, _ in points], 3)))
    for n in plan:
        d, runs = str(tmp_path / ("killed-%d" % n)), str(tmp_path / ("runs-%d" % n))
        args = ["run", STUDY, *STUDY_TINY, "--out", d, "--runs-root", runs, "--no-progress"]
        r = engram(engram_exe, args, {"ENGRAM_FAULT": "kill@%d" % n})
        assert r.returncode == -signal.SIGKILL
        resume_until_done(engram_exe, d, args, runs)
        for f in ["points.jsonl", "table.csv", "table.md"]:
            assert open(os.path.join(d, f), "rb").read() == open(os.path.join(ref, f), "rb").read(), (n, f)
        assert summary_without_clock(os.path.join(d, "summary.json")) == summary_without_clock(os.path.join(ref, "summary.json"))


def completed_by_seed(exe, runs_root):
    """{seed: [run dirs]} of the runs `engram ls` shows as completed."""
    r = engram(exe, ["ls", "--runs-root", runs_root, "--status", "completed"])
    out = {}
    import engram as eg

    index = eg.ResultsIndex(runs_root)
    for line in r.stdout.splitlines()[1:]:
        rec = index.get(line.split()[0])
        out.setdefault(dict(rec.params)["seed"], []).append(rec.dir)
    return out


def test_a_sweep_whose_worker_is_killed_completes_only_what_is_missing(engram_exe, tmp_path):
    longer = [o for o in TINY if not o.startswith("trainer.steps")] + ["trainer.steps=400"]
    ref_root, runs = str(tmp_path / "ref"), str(tmp_path / "runs")
    sweep = ["run", "-m", KV, *longer, "seed=0,1,2", "--jobs", "1"]
    assert engram(engram_exe, sweep + ["--runs-root", ref_root]).returncode == 0
    p = subprocess.Popen([engram_exe] + sweep + ["--runs-root", runs], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = None
    deadline = time.time() + 60
    while killed is None and time.time() < deadline:  # the first worker, once it has a checkpoint
        for root, _, files in os.walk(runs):
            if root.endswith("checkpoints") and "last.ck" in files:
                kids = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True).stdout.split()
                if kids:
                    os.kill(int(kids[0]), signal.SIGKILL)
                    killed = os.path.dirname(root)
                break
        time.sleep(0.01)
    p.communicate(timeout=120)
    assert killed is not None and p.returncode != 0
    assert ls_status(engram_exe, runs, killed) == "died"
    again = engram(engram_exe, sweep + ["--runs-root", runs])
    assert again.returncode == 0, again.stderr
    assert "2 of 3 runs already completed" in again.stdout
    done, ref = completed_by_seed(engram_exe, runs), completed_by_seed(engram_exe, ref_root)
    assert sorted(done) == ["0", "1", "2"] and all(len(v) == 1 for v in done.values())
    assert killed in [v[0] for v in done.values()]  # the killed run was resumed, not started again
    for seed in done:
        for f in ["metrics.jsonl", "checkpoints/last.ck"]:
            assert open(os.path.join(done[seed][0], f), "rb").read() == open(os.path.join(ref[seed][0], f), "rb").read()


def test_two_sweeps_on_one_runs_root_neither_duplicate_nor_lose_runs(engram_exe, tmp_path):
    runs = str(tmp_path / "runs")
    sweep = [engram_exe, "run", "-m", KV, *TINY, "seed=0,1,2,3,4,5", "--jobs", "2", "--runs-root", runs]
    a = subprocess.Popen(sweep, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    b = subprocess.Popen(sweep, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    a.communicate(timeout=300)
    b.communicate(timeout=300)
    assert a.returncode == 0 and b.returncode == 0
    done = completed_by_seed(engram_exe, runs)
    assert sorted(done) == [str(s) for s in range(6)]
    assert all(len(v) == 1 for v in done.values()), done
    import engram as eg

    assert len(eg.ResultsIndex(runs).list()) == 6  # no second, abandoned run of any seed


def test_a_deleted_run_directory_is_missing_and_the_sweep_runs_it_again(engram_exe, tmp_path):
    runs = str(tmp_path / "runs")
    sweep = ["run", "-m", KV, *TINY, "seed=0,1", "--runs-root", runs]
    assert engram(engram_exe, sweep).returncode == 0
    gone = completed_by_seed(engram_exe, runs)["1"][0]
    shutil.rmtree(gone)
    assert ls_status(engram_exe, runs, gone) == "missing"
    again = engram(engram_exe, sweep)
    assert again.returncode == 0
    assert "1 of 2 runs already completed" in again.stdout
    done = completed_by_seed(engram_exe, runs)
    assert len(done["1"]) == 1 and os.path.isdir(done["1"][0]) and done["1"][0] != gone


@pytest.mark.parametrize("fault,reason", [("enospc", "No space left on device"), ("erofs", "Read-only file system")])
def test_a_full_or_read_only_disk_fails_clearly_and_keeps_the_last_checkpoint(engram_exe, tmp_path, fault, reason):
    runs = str(tmp_path / "runs")
    ref = str(tmp_path / "ref")
    points = write_points(engram_exe, tmp_path, ["run", KV, *TINY, "--out", ref, "--runs-root", runs, "--no-progress"])
    # a checkpoint write, a metrics append after it, and the first index write of the final
    # update (the run's "completed" record: a write inside its commit)
    ck = [n for n, kind, path in points if path.endswith("last.ck")]
    ap = [n for n, kind, path in points if path.endswith("metrics.jsonl") and kind == "append" and n > ck[2]]
    ix = [n for n, kind, path in points if kind == "index" and n > ck[-1]]
    for n, where in [(ck[2], "checkpoint"), (ap[0], "metrics"), (ix[0], "index")]:
        d, runs = str(tmp_path / ("%s-%d" % (fault, n))), str(tmp_path / ("runs-%d" % n))
        args = ["run", KV, *TINY, "--out", d, "--runs-root", runs, "--no-progress"]
        r = engram(engram_exe, args, {"ENGRAM_FAULT": "%s@%d" % (fault, n)})
        assert r.returncode != 0, where
        message = r.stderr.strip()
        assert message.startswith("engram: error: ") and (reason in message or "disk" in message or "I/O" in message), (where, message)
        assert d in message or "index" in message, (where, message)
        # the last checkpoint on disk is whole and loads: resuming it (no fault now) completes
        # the run to exactly the numbers of the uninterrupted one
        resume_until_done(engram_exe, d, args, runs)
        assert open(os.path.join(d, "metrics.jsonl"), "rb").read() == open(os.path.join(ref, "metrics.jsonl"), "rb").read()
        assert open(os.path.join(d, "checkpoints", "last.ck"), "rb").read() == open(os.path.join(ref, "checkpoints", "last.ck"), "rb").read()
        db = sqlite3.connect(os.path.join(runs, "index.sqlite"))
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT status FROM runs").fetchall() == [("completed",)]
