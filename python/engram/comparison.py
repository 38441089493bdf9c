"""The memory comparison from Python (docs/compare.md): one call runs a comparison config and
returns its table.

    >>> import engram
    >>> c = engram.comparison("experiments/configs/compare/small.yaml", jobs=2)   # doctest: +SKIP
    >>> c.rows[0]["reader"], c.rows[0]["mean"]                                     # doctest: +SKIP
    >>> c.frame().pivot(index="reader", columns="load", values="mean")            # doctest: +SKIP
"""

import csv
import json
import os
import subprocess

from .sweeps import engram_executable

__all__ = ["comparison", "Comparison", "ComparisonError"]


class ComparisonError(RuntimeError):
    """The engram program refused the comparison (a bad config: the message names file:line) or
    was interrupted; ``exit_code`` is its exit status.

    >>> import engram, tempfile
    >>> try:
    ...     engram.comparison("experiments/configs/compare/small.yaml", ["comparison.seeds=[-1]"],
    ...                       runs_root=tempfile.mkdtemp())
    ... except engram.ComparisonError as e:
    ...     print(e.exit_code, "small.yaml" in str(e), "comparison.seeds must be integers" in str(e))
    2 True True
    """

    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code


class Comparison:
    """A comparison's outputs: ``dir`` (table.md, table.csv, summary.json, plots/), ``rows``
    (table.csv as dicts: reader, load_key, load, mean, std, n, seeds, budget, parameters,
    state_size, skipped (1: not run, comparison.max_load), theory (the memory's theory, when
    its runs report one); numbers as floats, missing as None), ``summary`` (summary.json: each
    reader's error per load, capacity, capacity per parameter and per byte, theory, parameters,
    state size) and ``markdown`` (table.md).

    >>> import engram, tempfile
    >>> root = tempfile.mkdtemp()
    >>> small = ["task.data.generate.stories=20", "task.data.generate.test_stories=5", "trainer.epochs=1",
    ...          "comparison.load.values=[5, 10]"]
    >>> c = engram.comparison("experiments/configs/compare/small.yaml", small, runs_root=root)
    >>> again = engram.Comparison(c.dir)          # read back later from its directory
    >>> again.rows == c.rows, sorted(again.summary["readers"])
    (True, ['hopfield', 'lstm', 'memn2n', 'ntm'])
    """

    def __init__(self, directory):
        self.dir = directory
        with open(os.path.join(directory, "table.csv"), newline="") as f:
            self.rows = [{k: _number(k, v) for k, v in r.items()} for r in csv.DictReader(f)]
        with open(os.path.join(directory, "summary.json")) as f:
            self.summary = json.load(f)
        with open(os.path.join(directory, "table.md")) as f:
            self.markdown = f.read()

    def capacity(self, reader):
        """The reader's capacity (the largest load with mean error at most the target), or None."""
        return self.summary["readers"][reader]["capacity"]

    def frame(self):
        """``rows`` as a pandas DataFrame (needs pandas)."""
        import pandas

        return pandas.DataFrame(self.rows)

    def __repr__(self):
        return "Comparison(%r, readers=%s)" % (self.dir, list(self.summary.get("readers", {})))


def _number(key, value):
    if key in ("reader", "load_key"):
        return value
    if value == "":
        return None
    return float(value)


def comparison(config, overrides=(), *, runs_root="runs", jobs=2, rerun=False, progress=False, engram=None):
    """Runs the comparison config (``engram run CONFIG OVERRIDES --jobs JOBS``): every cell not
    yet completed in ``runs_root``'s index is trained, then the table is written; returns a
    :class:`Comparison`. Raises :class:`ComparisonError` when the program fails (a config error
    names its file:line) and TypeError for overrides given as one string.

    >>> import engram, tempfile
    >>> c = engram.comparison("experiments/configs/compare/small.yaml",
    ...                       ["task.data.generate.stories=20", "task.data.generate.test_stories=5", "trainer.epochs=1",
    ...                        "comparison.load.values=[5, 10]"], runs_root=tempfile.mkdtemp())
    >>> [(r["load"], r["n"]) for r in c.rows if r["reader"] == "ntm"]
    [(5.0, 1.0), (10.0, 1.0)]
    >>> c.capacity("memn2n") in (None, 5.0, 10.0)
    True
    """
    if isinstance(overrides, str):
        raise TypeError("overrides: expected a list of 'key=value' strings, got a str")
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError("jobs: expected an integer >= 1, got %r" % (jobs,))
    args = [engram_executable(engram), "run", os.fspath(config), "--runs-root", os.fspath(runs_root),
            "--jobs", str(jobs)]
    if rerun:
        args.append("--rerun")
    if not progress:
        args.append("--no-progress")
    args += [str(o) for o in overrides]
    r = subprocess.run(args, capture_output=not progress, text=True)
    if r.returncode != 0:
        err = (r.stderr or "").strip() if not progress else ""
        raise ComparisonError("engram run %s failed (exit %d)%s" % (config, r.returncode, ": " + err if err else ""),
                              r.returncode)
    lines = (r.stdout or "").strip().splitlines() if not progress else []
    directory = lines[-1] if lines else os.path.join(os.fspath(runs_root), _name(config, overrides), "comparison")
    return Comparison(directory)


def _name(config, overrides):
    from . import _engram

    return _engram.Config.load(os.fspath(config), [str(o) for o in overrides]).experiment
