"""What the bAbI table scripts share (scripts/reproduce_memn2n, scripts/babi_families): the engram
binary, the tasks a data folder holds, the selection protocols, reading the runs of one column back
through `engram compare`, and the table in the paper's form (one row per task, then the mean error
and the number of failed tasks).

A column is {task: cell}; a cell is {"val", "mean", "std", and "test" when test files were given}:
the selected restart's validation (and test) error and the spread of the validation error over all
restarts, as fractions.
"""

import csv
import io
import os
import subprocess

from engram_scripts import ROOT, engram_binary  # noqa: F401 (re-exported to the table scripts)

# --select: (the summary block whose metrics are reported, the metric that picks the restart, what
# the table says of it)
SELECT = {"val": ("best", "best/val/error:min", "validation error (each run's best epoch by validation; optimistic)"),
          "train": ("final", "final/train/error:min",
                    "training error (each run's last epoch, as the authors; the validation error is untouched)")}
VAL_SPLITS = {"random": "a seeded 10% of each file's questions", "last": "each file's last 10% of stories"}

# Sukhbaatar et al. 2015, Table 1: test error (%) of MemN2N PE LS RN, 3 hops, 1k, per task.
PAPER_1K = {1: 0.0, 2: 8.3, 3: 40.3, 4: 2.8, 5: 13.1, 6: 7.6, 7: 17.3, 8: 10.0, 9: 13.2, 10: 15.1, 11: 0.9,
            12: 0.2, 13: 0.4, 14: 1.7, 15: 0.0, 16: 1.3, 17: 51.0, 18: 11.1, 19: 82.8, 20: 0.0}
FAILED = 0.05  # a task is failed above 5% error, as the paper


def tasks_in(data_dir):
    """The task numbers 1..20 whose qaN_*_train.txt file the folder holds."""
    files = os.listdir(data_dir)
    return [t for t in range(1, 21) if any(f.startswith("qa%d_" % t) and f.endswith("_train.txt") for f in files)]


def run(cmd):
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=False).returncode


def compare_csv(runs_root, select, experiment, by, metrics, best=True):
    """engram compare as dicts: the restart that `select` picks per group (best), or the mean and
    std over all restarts."""
    cmd = [engram_binary(), "compare", "--runs-root", runs_root, "--experiment", experiment, "--format", "csv",
           "--precision", "6"]
    if best:
        cmd += ["--best", SELECT[select][1]]
    for b in by:
        cmd += ["--by", b]
    for m in metrics:
        cmd += ["--metric", m]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def cell(best_row, spread_row, key, splits):
    """{val, test?, mean, std} of one task from the selected restart's row and the restarts' spread;
    None when the task has no completed run. key: a metric pattern with %s for the split."""
    val = best_row.get(key % "val" + "_mean")
    if not val:
        return None
    out = {"val": float(val), "mean": float(spread_row.get(key % "val" + "_mean") or val)}
    std = spread_row.get(key % "val" + "_std")
    out["std"] = float(std) if std else None
    out["runs"] = int(spread_row.get("n") or 0) or None
    if "test" in splits and best_row.get(key % "test" + "_mean"):
        out["test"] = float(best_row[key % "test" + "_mean"])
    return out


def single_task_column(runs_root, select, experiment, splits):
    """{task: cell} of a sweep over task.task (one run per task and restart)."""
    block = SELECT[select][0]
    metrics = ["%s/%s/error" % (block, sp) for sp in splits]
    rows = {r["task.task"]: r for r in compare_csv(runs_root, select, experiment, ["task.task"], metrics)}
    spread = {r["task.task"]: r for r in compare_csv(runs_root, select, experiment, ["task.task"], metrics, best=False)}
    cells = {int(t): cell(rows[t], spread.get(t, {}), block + "/%s/error", splits) for t in rows}
    return {t: c for t, c in cells.items() if c is not None}


def format_cell(c):
    """'val [/ test] (mean ± std)' in percent."""
    text = "%.1f" % (100 * c["val"])
    if "test" in c:
        text += " / %.1f" % (100 * c["test"])
    if c.get("std") is not None:
        text += " (%.1f ± %.1f)" % (100 * c["mean"], 100 * c["std"])
    else:
        text += " (%.1f)" % (100 * c["mean"])
    return text


def table(columns, tasks, paper=None):
    """Markdown lines of the paper's form: a row per task, the mean error, the failed tasks (by the
    test error when every task of the column has one, else by validation). columns: {label:
    {task: cell}}; paper: {task: test error in %} as a first column, or None."""
    labels = list(columns)
    head = "| task | " + ("paper (test) | " if paper else "") + " | ".join(labels) + " |"
    lines = [head, "|---:|" + ("---:|" if paper else "") + "---:|" * len(labels)]
    for t in tasks:
        cells = [format_cell(columns[l][t]) if t in columns[l] else "—" for l in labels]
        lines.append("| %d | %s%s |" % (t, ("%.1f | " % paper[t]) if paper else "", " | ".join(cells)))
    means, fails = [], []
    for l in labels:
        vals = [columns[l][t] for t in tasks if t in columns[l]]
        if not vals:
            means.append("—")
            fails.append("—")
            continue
        avg = {k: sum(v[k] for v in vals) / len(vals) for k in ("val", "mean")}
        if all("test" in v for v in vals):
            avg["test"] = sum(v["test"] for v in vals) / len(vals)
        partial = "" if len(vals) == len(tasks) else " [%d of %d tasks]" % (len(vals), len(tasks))
        means.append(format_cell(dict(avg, std=None)) + partial)
        by = "test" if "test" in avg else "val"
        fails.append("%d (%s)" % (sum(1 for v in vals if v[by] > FAILED), by))
    lead = lambda x: ("%s | " % x) if paper else ""
    lines.append("| **mean error** | " + lead("%.1f" % (sum(paper[t] for t in tasks) / len(tasks)) if paper else "") +
                 " | ".join(means) + " |")
    lines.append("| **failed (> 5%)** | " + lead(sum(1 for t in tasks if paper[t] > 100 * FAILED) if paper else "") +
                 " | ".join(fails) + " |")
    return lines
