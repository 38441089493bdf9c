"""Sweeps beyond one machine: one ``engram run`` per grid point on a Dask cluster.

:func:`sweep` expands a grid into override lists (as ``engram run -m`` does), skips the points
whose config already has a completed run in the index (by config hash), and submits one task
per remaining point to Dask distributed: a local cluster by default, or an existing scheduler
(``scheduler="tcp://host:8786"``) whose workers may be on many machines. Each task runs the
``engram`` program as a subprocess (a crash cannot take a worker down) and sends back the run's
index record, which the sweep writes into its own index: every run lands in ``runs_root``'s
index, also when a worker wrote its own on another machine. A point that fails — bad config,
non-finite loss, crash — is recorded as failed with its error.

The same from the command line: ``engram run -m CONFIG a=1,2 seed=0,1 --launcher dask
[--scheduler ADDRESS] [--jobs N]``.

Workers need the same engram build (the ``engram`` program at ``engram=`` or the one this
package was built with, and this package importable) and the config and plugin files at the
same paths; with several machines ``runs_root`` is best on each machine's local disk (the
index is SQLite in WAL mode: not for network file systems) — the records are gathered here.

>>> import engram, tempfile
>>> root = tempfile.mkdtemp()
>>> res = engram.sweep("experiments/configs/kv_retrieval.yaml", {"seed": [0, 1]},
...                    base=["trainer.steps=5"], runs_root=root, n_workers=2)
>>> sorted(p.status for p in res.points)
['completed', 'completed']
>>> [p.status for p in engram.sweep("experiments/configs/kv_retrieval.yaml", {"seed": [0, 1]},
...                                 base=["trainer.steps=5"], runs_root=root).points]
['skipped', 'skipped']
"""

import datetime
import itertools
import os
import secrets
import shutil
import socket
import subprocess

from . import _engram

__all__ = ["sweep", "grid_overrides", "SweepResult", "SweepPoint", "engram_executable"]


def engram_executable(path=None):
    """The ``engram`` program: `path`, else $ENGRAM_EXE, else the one installed with this package
    (engram/bin/engram, pip install), else the one built with it, else ``engram`` on PATH."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "engram")
    for p in (path, os.environ.get("ENGRAM_EXE"), here, _engram.build_info().get("engram")):
        if p and os.path.exists(p):
            return os.path.abspath(p)
    found = shutil.which("engram")
    if found:
        return found
    raise FileNotFoundError("the engram program was not found: build it (ninja -C build engram), "
                            "set ENGRAM_EXE or pass engram=PATH")


def _value_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def grid_overrides(grid, base=()):
    """Override lists of a grid, the first key varying slowest.

    ``grid``: a dict ``{"model.hidden": [8, 32], "seed": [0, 1]}``; or override strings with
    comma-separated sweeps (``["seed=0,1", "model.hidden=8"]``, as on the command line); or a
    list of override lists, used as they are. ``base`` overrides come first in every list.

    >>> grid_overrides({"a": [1, 2], "b": ["x"]}, base=["seed=0"])
    [['seed=0', 'a=1', 'b=x'], ['seed=0', 'a=2', 'b=x']]
    """
    base = [str(b) for b in base]
    if isinstance(grid, dict):
        keys = list(grid)
        values = [v if isinstance(v, (list, tuple, range)) else [v] for v in grid.values()]
        return [base + [f"{k}={_value_text(x)}" for k, x in zip(keys, combo)] for combo in itertools.product(*values)]
    grid = list(grid)
    if grid and all(isinstance(g, (list, tuple)) for g in grid):
        return [base + [str(o) for o in g] for g in grid]
    return [base + combo for combo in _engram.expand_multirun([str(g) for g in grid])]


class SweepPoint:
    """One grid point: its ``overrides``, ``status`` (completed | failed | interrupted |
    skipped), ``dir``, ``id``, ``exit_code``, ``error``, and the ``host`` that ran it."""

    def __init__(self, overrides, status, dir="", id="", exit_code=None, error="", host=""):
        self.overrides = overrides
        self.status = status
        self.dir = dir
        self.id = id
        self.exit_code = exit_code
        self.error = error
        self.host = host

    def __repr__(self):
        return f"SweepPoint({self.overrides!r}, status={self.status!r}, id={self.id!r})"


class SweepResult:
    """The points of a sweep, in grid order; ``failed``, ``completed``, ``skipped`` select by
    status; ``exit_code`` is the worst exit status of the runs (0 when all completed or
    were skipped)."""

    def __init__(self, points, runs_root):
        self.points = points
        self.runs_root = runs_root

    def _with(self, status):
        return [p for p in self.points if p.status == status]

    @property
    def completed(self):
        return self._with("completed")

    @property
    def failed(self):
        return self._with("failed")

    @property
    def skipped(self):
        return self._with("skipped")

    @property
    def exit_code(self):
        return max([p.exit_code or 0 for p in self.points] + [0])

    def records(self):
        """The index records of the points that ran or were skipped."""
        index = _engram.ResultsIndex(self.runs_root)
        return [r for r in (index.get(p.dir) if p.dir else None for p in self.points) if r is not None]

    def __repr__(self):
        counts = {}
        for p in self.points:
            counts[p.status] = counts.get(p.status, 0) + 1
        return f"SweepResult({counts})"


def _utc():
    return datetime.datetime.now(datetime.timezone.utc)


def _run_point(exe, config, overrides, runs_root, plugins, out):
    """The Dask task: one ``engram run`` subprocess; returns what happened and the run's record
    from the index the worker wrote."""
    # --skip-done: the run decides for itself, holding a claim on its combination, whether it
    # was done meanwhile (another sweep), is running elsewhere, or died and is to be resumed
    cmd = [exe, "run", config, "--runs-root", runs_root, "--out", out, "--no-progress", "--skip-done"]
    for p in plugins:
        cmd += ["--plugin", p]
    cmd += list(overrides)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    record = None
    lines = proc.stdout.strip().splitlines()
    where = lines[-1] if proc.returncode == 0 and lines and os.path.isdir(lines[-1]) else out  # the run's directory
    try:
        r = _engram.ResultsIndex(runs_root).get(where)
        record = r.to_dict() if r is not None else None
    except Exception:  # no index yet (a config error stops before anything is written)
        record = None
    return {
        "exit_code": proc.returncode,
        "stderr": proc.stderr[-4000:],
        "stdout": proc.stdout[-2000:],
        "record": record,
        "host": socket.gethostname(),
    }


def _record_from_dict(d):
    r = _engram.RunRecord()
    for k in ("id", "experiment", "dir", "status", "started", "finished", "config_hash", "error"):
        setattr(r, k, d.get(k, ""))
    r.params = list(d.get("params", {}).items())
    r.summary = {k: float("nan") if v is None else float(v) for k, v in d.get("summary", {}).items()}
    return r


def _iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def sweep(config, grid, *, base=(), runs_root="runs", scheduler=None, client=None, n_workers=2, plugins=(),
          engram=None, skip_completed=True, validate=True, log=None):
    """Runs ``config`` at every point of ``grid`` on Dask; returns a :class:`SweepResult`.

    config: a path or an :class:`engram.Config` (its overrides come first); grid: see
    :func:`grid_overrides`; base: overrides for every point. runs_root: where runs and the
    index go (the index gets every point's record). scheduler: a Dask scheduler address; client:
    an existing ``distributed.Client``; neither: a local cluster of ``n_workers`` workers
    (threads, each driving one subprocess at a time), closed at the end. plugins: Python files
    registering components, passed to every run (``engram run --plugin``). skip_completed: points
    whose config hash has a completed run in the index are not run again. validate: build every
    point's task and model here before starting any (a config error stops the sweep before it
    starts; off when the components come from plugins this process has not loaded).

    >>> import engram, tempfile
    >>> res = engram.sweep("experiments/configs/kv_retrieval.yaml", ["seed=0,1"], base=["trainer.steps=5"],
    ...                    runs_root=tempfile.mkdtemp(), n_workers=2)
    >>> res, [p.overrides for p in res.points]
    (SweepResult({'completed': 2}), [['trainer.steps=5', 'seed=0'], ['trainer.steps=5', 'seed=1']])
    """
    if isinstance(config, _engram.Config):
        base = list(config.overrides) + list(base)
        config = config.file
    config = os.path.abspath(os.fspath(config))
    runs_root = os.path.abspath(os.fspath(runs_root))
    plugins = [os.path.abspath(os.fspath(p)) for p in plugins]
    for p in plugins:
        if not os.path.exists(p):
            raise FileNotFoundError(f"plugin {p} not found")
    exe = engram_executable(engram)
    say = log or (lambda s: None)

    combos = grid_overrides(grid, base)
    os.makedirs(runs_root, exist_ok=True)
    index = _engram.ResultsIndex(runs_root)
    points, todo, seen = [], [], {}
    stamp = _utc().strftime("%Y%m%d-%H%M%S")
    for combo in combos:
        cfg = _engram.Config.load(config, combo)  # a bad override stops the sweep here
        if validate and not plugins:
            cfg.validate()
        h = cfg.hash
        done = index.find_done(cfg.experiment, h) if skip_completed else None
        if done is not None:
            points.append(SweepPoint(combo, "skipped", done.dir, done.id, 0))
            continue
        if h in seen:  # the same resolved config twice in one grid: run once
            points.append(seen[h])
            continue
        out = os.path.join(runs_root, cfg.experiment, f"{stamp}-{h[:6]}-{secrets.token_hex(2)}")
        p = SweepPoint(combo, "pending", out, os.path.basename(out))
        seen[h] = p
        points.append(p)
        todo.append((p, cfg))
    say(f"sweep: {len(combos)} points, {len(points) - len(todo)} already completed or repeated, {len(todo)} to run")
    if not todo:
        return SweepResult(points, runs_root)

    from distributed import Client, LocalCluster, as_completed

    cluster = None
    own_client = client is None
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=False,
                                   dashboard_address=None)
            client = Client(cluster)
    try:
        futures = {}
        started = {}
        for p, cfg in todo:
            f = client.submit(_run_point, exe, config, p.overrides, runs_root, plugins, p.dir, pure=False)
            futures[f] = (p, cfg)
            started[f] = _utc()
        for f in as_completed(list(futures)):
            p, cfg = futures[f]
            try:
                res = f.result()
            except Exception as e:  # the worker itself failed (lost, killed)
                res = {"exit_code": 1, "stderr": f"{type(e).__name__}: {e}", "record": None, "host": ""}
            p.exit_code = res["exit_code"]
            p.host = res.get("host", "")
            rec = _record_from_dict(res["record"]) if res["record"] else None
            error = res["stderr"].strip()
            if p.exit_code == 0 and rec is None and not os.path.isdir(p.dir):
                p.status = "skipped"  # done meanwhile, or running in another sweep: no run of ours
                say(f"{p.status:<11} {' '.join(p.overrides)}  ({res.get('stdout', '').strip().splitlines()[0] if res.get('stdout', '').strip() else 'skipped'})")
                continue
            if rec is not None and rec.dir and rec.dir != p.dir:  # a run that had died, resumed in its own directory
                p.dir, p.id = rec.dir, rec.id
            if rec is None:  # stopped before the run existed (config error, missing program)
                rec = _engram.RunRecord()
                rec.id = p.id
                rec.experiment = cfg.experiment
                rec.dir = p.dir
                rec.started = _iso(started[f])
                rec.config_hash = cfg.hash
                rec.params = list(cfg.flatten().items())
            if p.exit_code == 0:
                p.status = "completed"
            elif p.exit_code == 130:
                p.status = "interrupted"
                rec.status = "interrupted"
            else:
                p.status = "failed"
                p.error = rec.error or error or f"exit status {p.exit_code}"
                rec.status = "failed"
                rec.error = p.error
                if not rec.finished:
                    rec.finished = _iso(_utc())
            index.upsert(rec)
            say(f"{p.status:<11} {' '.join(p.overrides)}  {p.dir}" + (f"  ({p.error.splitlines()[-1]})" if p.error else ""))
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()
    return SweepResult(points, runs_root)


def _cli_sweep(config, combos, runs_root, jobs, scheduler, plugins, exe):
    """``engram run -m ... --launcher dask``: called by the engram program's embedded
    interpreter; returns the worst exit status."""
    import sys

    res = sweep(config, [list(c) for c in combos], runs_root=runs_root, scheduler=scheduler or None,
                n_workers=jobs, plugins=plugins, engram=exe, validate=False,
                log=lambda s: (print(s), sys.stdout.flush()))
    return res.exit_code
