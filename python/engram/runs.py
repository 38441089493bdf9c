"""Runs from Python: run a config, read what a run wrote, query and compare the index.

A run is a directory (``config.yaml``, ``metrics.jsonl``, ``summary.json``, ``checkpoints/``,
``inspect/*.npy``, for studies ``table.csv`` and ``plots/``) recorded in ``RUNS_ROOT/index.sqlite``,
exactly as ``engram run`` makes it. :func:`run` runs in this process (components registered
from Python are available); Ctrl-C stops the run after its current step, keeps its checkpoint,
and raises :class:`RunInterrupted` (a KeyboardInterrupt) carrying the :class:`Run`.

>>> import engram, tempfile
>>> root = tempfile.mkdtemp()
>>> r = engram.run("experiments/configs/kv_retrieval.yaml", ["trainer.steps=20", "trainer.eval_every=10"],
...                runs_root=root)
>>> r.status, r.final["val/accuracy"] > 0
('completed', True)
>>> sorted({m["name"] for m in r.metrics(split="val")})
['accuracy', 'loss']
"""

import json
import math
import os

from . import _engram

__all__ = [
    "Run",
    "RunInterrupted",
    "run",
    "resume",
    "read_metrics",
    "metrics_frame",
    "runs",
    "runs_frame",
    "compare",
    "compare_frame",
]


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - Debian's python3-pandas is in scripts/setup
        raise ImportError("this needs pandas (Debian: python3-pandas); the dict form works without it") from e
    return pandas


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run cleanly: its checkpoint is kept; ``.run`` is the :class:`Run`
    (status "interrupted"); ``engram.resume(e.run.dir)`` continues it exactly."""

    def __init__(self, run):
        super().__init__(f"run interrupted at step {run.step}; checkpoint kept, resume with "
                         f"engram.resume({run.dir!r})")
        self.run = run


class Run:
    """One run directory and, when it was just run, its outcome.

    Attributes: ``dir``, ``status`` (completed | stopped_early | interrupted | failed),
    ``exit_code``, ``step``, ``final`` and ``best`` (metric dicts of the last and best
    evaluation), ``best_step``, ``message``, ``seconds``. A Run made from an existing directory
    reads them from its ``summary.json``.

    >>> import engram, tempfile
    >>> r = engram.run("experiments/configs/kv_retrieval.yaml", ["trainer.steps=10"],
    ...                runs_root=tempfile.mkdtemp())
    >>> engram.Run(r.dir).summary["status"]
    'completed'
    """

    def __init__(self, dir, outcome=None):
        self.dir = os.fspath(dir)
        if outcome is None:
            outcome = {}
            s = self.summary
            outcome = {
                "status": s.get("status", "unknown"),
                "exit_code": None,
                "step": s.get("steps", 0),
                "final": s.get("final", {}),
                "best": s.get("best", {}),
                "best_step": s.get("best_step", 0),
                "message": s.get("message", ""),
                "seconds": s.get("seconds", 0.0),
            }
        self.status = outcome["status"]
        self.exit_code = outcome.get("exit_code")
        self.step = outcome.get("step", 0)
        self.final = dict(outcome.get("final", {}))
        self.best = dict(outcome.get("best", {}))
        self.best_step = outcome.get("best_step", 0)
        self.message = outcome.get("message", "")
        self.seconds = outcome.get("seconds", 0.0)

    def __repr__(self):
        return f"Run({self.dir!r}, status={self.status!r})"

    def path(self, *parts):
        """A path inside the run directory."""
        return os.path.join(self.dir, *parts)

    @property
    def id(self):
        return os.path.basename(os.path.normpath(self.dir))

    @property
    def summary(self):
        """summary.json as a dict ({} while the run has not finished)."""
        p = self.path("summary.json")
        if not os.path.exists(p):
            return {}
        with open(p) as f:
            return json.load(f)

    @property
    def config(self):
        """The resolved config (an :class:`engram.Config` of the run's config.yaml)."""
        return _engram.Config.load(self.path("config.yaml"))

    def metrics(self, split=None, name=None):
        """The records of metrics.jsonl, optionally of one split and/or metric name."""
        return read_metrics(self.dir, split=split, name=name)

    def metrics_frame(self):
        """metrics.jsonl as a pandas DataFrame (columns step, split, name, value)."""
        return metrics_frame(self.dir)

    def history(self, name, split="val"):
        """(steps, values) of one metric, e.g. ``history("accuracy", "val")``."""
        recs = self.metrics(split=split, name=name)
        return [r["step"] for r in recs], [r["value"] for r in recs]

    def inspect_names(self):
        """The matrices the model saved after training (inspect/*.npy)."""
        d = self.path("inspect")
        return sorted(f[:-4] for f in os.listdir(d) if f.endswith(".npy")) if os.path.isdir(d) else []

    def inspect(self, name):
        """One saved matrix (e.g. "val_attention") as a float32 array."""
        import numpy

        return numpy.load(self.path("inspect", name + ".npy"))

    def table(self):
        """A study's table.csv as a dict of columns (lists of floats)."""
        with open(self.path("table.csv")) as f:
            lines = [l.strip() for l in f if l.strip()]
        cols = lines[0].split(",")
        rows = [[float(x) for x in l.split(",")] for l in lines[1:]]
        return {c: [r[i] for r in rows] for i, c in enumerate(cols)}


def _config_args(config, overrides):
    if isinstance(config, _engram.Config):
        return config.file, list(config.overrides) + list(overrides)
    if isinstance(overrides, str):
        raise TypeError("overrides: expected a list of 'key=value' strings, got a str")
    return os.fspath(config), [str(o) for o in overrides]


def run(config, overrides=(), *, runs_root="runs", out=None, progress=False):
    """Runs a config (a path or an :class:`engram.Config`) with overrides, in this process.

    Exactly what ``engram run CONFIG OVERRIDES`` does: the run directory (under ``runs_root``
    unless ``out``), the index record, studies included. Returns a :class:`Run`. A config
    problem raises :class:`engram.ConfigError`; a failed run returns status "failed" with the
    message; Ctrl-C raises :class:`RunInterrupted` after the checkpoint is written.
    Python-defined components take the GIL for each call, so they run one at a time whatever
    ``trainer.threads`` says (results do not depend on it).

    >>> import engram, tempfile
    >>> r = engram.run("experiments/configs/kv_retrieval.yaml", ["trainer.steps=10", "model.hidden=8"],
    ...                runs_root=tempfile.mkdtemp())
    >>> r.status, r.step, sorted(r.final)
    ('completed', 10, ['val/accuracy', 'val/loss'])
    """
    file, ovr = _config_args(config, overrides)
    outcome = _engram._run(file, ovr, os.fspath(runs_root), os.fspath(out) if out else "", "", bool(progress))
    r = Run(outcome["dir"], outcome)
    if outcome["interrupted"] and r.status == "interrupted":
        raise RunInterrupted(r)
    return r


def resume(run_dir, *, runs_root="runs", progress=False):
    """Continues an interrupted run from its last checkpoint (``engram run --resume DIR``)."""
    outcome = _engram._run("", [], os.fspath(runs_root), "", os.fspath(run_dir), bool(progress))
    r = Run(outcome["dir"], outcome)
    if outcome["interrupted"] and r.status == "interrupted":
        raise RunInterrupted(r)
    return r


def read_metrics(run_dir, split=None, name=None):
    """The records of RUN/metrics.jsonl: dicts with step, split, name, value."""
    d = run_dir.dir if isinstance(run_dir, Run) else os.fspath(run_dir)
    out = []
    p = os.path.join(d, "metrics.jsonl")
    if not os.path.exists(p):
        return out
    with open(p) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            if r.get("value") is None:
                r["value"] = math.nan
            if (split is None or r["split"] == split) and (name is None or r["name"] == name):
                out.append(r)
    return out


def metrics_frame(run_dir):
    """RUN/metrics.jsonl as a pandas DataFrame (step, split, name, value)."""
    pd = _pandas()
    return pd.DataFrame(read_metrics(run_dir), columns=["step", "split", "name", "value"])


def runs(runs_root="runs", experiment="", status="", params=None):
    """The RunRecords of the index under ``runs_root`` matching every filter (by start time)."""
    return _engram.ResultsIndex(os.fspath(runs_root)).list(experiment or "", status or "", params)


def runs_frame(records):
    """RunRecords as a pandas DataFrame: id, experiment, status, observed_status (what the disk says:
    missing, died, or the status), dir, started, finished, then one
    column per param (text) and per summary metric (float)."""
    pd = _pandas()
    rows = []
    for r in records:
        row = {k: getattr(r, k) for k in ("id", "experiment", "status", "observed_status", "dir", "started", "finished",
                                          "config_hash")}
        row.update(dict(r.params))
        row.update(r.summary)
        if r.error:
            row["error"] = r.error
        rows.append(row)
    return pd.DataFrame(rows)


def _select(runs_or_root, experiment, status, params):
    if runs_or_root is None or isinstance(runs_or_root, (str, os.PathLike)):
        return runs(runs_or_root or "runs", experiment, status, params)
    return list(runs_or_root)


def compare(runs=None, *, by=(), metrics=(), experiment="", status="completed", params=None, format="markdown",
            precision=4, best="", rows=False):
    """The ``engram compare`` table (markdown or csv text).

    ``runs``: a list of RunRecords, or a runs root (default "runs") filtered by
    ``experiment``, ``status`` and ``params`` as on the command line.
    """
    sel = _select(runs, experiment, status, params)
    return _engram.compare(sel, list(by), list(metrics), format, precision, best, rows)


def compare_frame(runs=None, *, by=(), metrics=(), experiment="", status="completed", params=None):
    """The comparison as a pandas DataFrame: one row per group of ``by`` values, columns n and
    ``<metric>_mean`` / ``<metric>_std`` (sample std)."""
    import io

    pd = _pandas()
    sel = _select(runs, experiment, status, params)
    text = _engram.compare(sel, list(by), list(metrics), "csv", 17, "", False)
    frame = pd.read_csv(io.StringIO(text), dtype={b: str for b in by})
    return frame
