"""Plots of engram runs with matplotlib.

Study runs write each plot's data as ``<run>/plots/<name>.json``; this module draws them as
PNG and SVG next to the JSON. It runs standalone (``python3 plotting.py SPEC.json ...``, which
is what the ``engram`` command does after a study) and needs only matplotlib, so it works
before the compiled extension is built.

Training runs save the matrices of ``Model::inspect()`` as ``<run>/inspect/<name>.npy``
(attention maps, memory weightings over time); ``python3 plotting.py --npy FILE.npy ...`` draws
each as a heat map, ``<name>.png`` and ``<name>.svg`` next to it (the ``engram`` command does so
after every training run).

Spec format (written by experiments/study.cpp)::

    {"name": "one_step_error", "title": ..., "xlabel": ..., "ylabel": ...,
     "logx": false, "logy": true,
     "series": [{"label": "N=1000", "x": [...], "y": [...], "err": [...], "theory": false}],
     "vlines": [{"label": "alpha_c", "x": 0.138}],
     "image": [[...], ...]}          # optional: a heat map instead of lines

>>> spec = {"name": "demo", "title": "t", "xlabel": "x", "ylabel": "y", "logx": False,
...         "logy": False, "series": [{"label": "a", "x": [0, 1], "y": [1, 2], "theory": True}],
...         "vlines": []}
>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> sorted(os.path.basename(p) for p in draw(spec, d))
['demo.png', 'demo.svg']
"""

import json
import math
import os
import sys

__all__ = ["draw", "draw_file", "draw_heatmap", "draw_npy"]


def _finite(xs, ys, errs, logy):
    """Drops points that cannot be drawn (NaN, or <= 0 on a log axis)."""
    out = []
    for i, (x, y) in enumerate(zip(xs, ys)):
        if x is None or y is None or math.isnan(x) or math.isnan(y):
            continue
        if logy and y <= 0:
            continue
        out.append((x, y, errs[i] if errs else None))
    return out


def draw(spec, out_dir):
    """Draws one plot spec (a dict) into out_dir as <name>.png and <name>.svg; returns the paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    if spec.get("image"):
        im = ax.imshow(spec["image"], aspect="auto", interpolation="nearest", cmap="viridis")
        fig.colorbar(im, ax=ax)
    if spec.get("bars"):
        labels = [b["label"] for b in spec["bars"]]
        values = [b["value"] if b["value"] is not None and math.isfinite(b["value"]) else 0 for b in spec["bars"]]
        ax.bar(range(len(values)), values, color="tab:blue")
        ax.set_xticks(range(len(values)))
        ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    data_markers = "osD^v<>ph*"
    k = 0
    n_data = sum(1 for s in spec.get("series", []) if not s.get("theory"))
    if n_data > 10:  # the default cycle repeats after 10 colours
        ax.set_prop_cycle(color=plt.cm.tab20.colors)
    colors = {}  # a data series' colour, for its theory curve "<label> (theory)"
    for s in spec.get("series", []):
        pts = _finite(s["x"], s["y"], s.get("err"), spec.get("logy", False))
        if not pts:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        if s.get("theory"):
            base = s["label"][: -len(" (theory)")] if s["label"].endswith(" (theory)") else None
            kw = {"color": colors[base]} if base in colors else {}
            ax.plot(xs, ys, "--", linewidth=1.5, label=s["label"], **kw)
        else:
            errs = None
            if s.get("err"):
                up = [p[2] for p in pts]
                # on a log axis an error bar may not reach 0: clip the lower one at 90% of y
                low = [min(e, 0.9 * y) if spec.get("logy") else e for e, y in zip(up, ys)]
                errs = [low, up]
            bars = ax.errorbar(xs, ys, yerr=errs, fmt=data_markers[k % len(data_markers)] + "-",
                               markersize=4, linewidth=1, capsize=2, label=s["label"])
            colors[s["label"]] = bars[0].get_color()
            k += 1
    for v in spec.get("vlines", []):
        ax.axvline(v["x"], color="gray", linestyle=":", linewidth=1)
        ax.annotate(v["label"], (v["x"], 1), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=8, color="gray")
    if spec.get("logx"):
        ax.set_xscale("log")
        xs = sorted({x for s in spec.get("series", []) for x in s["x"] if x and x > 0})
        if 0 < len(xs) <= 12:  # few measured points: label them, not the decades
            ax.set_xticks(xs)
            ax.set_xticklabels(["%g" % x for x in xs])
            ax.minorticks_off()
    if spec.get("logy"):
        ax.set_yscale("log")
    ax.set_title(spec.get("title", ""))
    ax.set_xlabel(spec.get("xlabel", ""))
    ax.set_ylabel(spec.get("ylabel", ""))
    if spec.get("series"):
        if len(spec["series"]) > 8:  # many curves: the legend beside the axes, not over them
            fig.set_size_inches(8.4, 4.4)
            ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
        else:
            ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return _save(fig, out_dir, spec["name"])


def _save(fig, out_dir, name):
    """Writes fig as out_dir/<name>.png and .svg, closes it, and returns the two paths."""
    import matplotlib.pyplot as plt

    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for ext in ("png", "svg"):
        p = os.path.join(out_dir, name + "." + ext)
        fig.savefig(p, dpi=120)
        paths.append(p)
    plt.close(fig)
    return paths


def draw_file(path):
    """Draws the spec in the JSON file `path` next to it; returns the written paths."""
    with open(path) as f:
        spec = json.load(f)
    return draw(spec, os.path.dirname(os.path.abspath(path)))


def draw_heatmap(matrix, out_dir, name, title=None, xlabel="column", ylabel="row"):
    """Draws a 2-D array (rows x cols; a 1-D array as one row) as a heat map into out_dir as
    <name>.png and <name>.svg; returns the paths.

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> sorted(os.path.basename(p) for p in draw_heatmap([[0, 1], [1, 0.5]], d, "w"))
    ['w.png', 'w.svg']
    """
    import numpy as np

    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2:
        m = m.reshape(1, -1)
    if title is None:
        title = "%s [%d x %d]" % (name, m.shape[0], m.shape[1])
    return _save(heatmap(m, title=title, xlabel=xlabel, ylabel=ylabel), out_dir, name)


# Axis labels for the arrays engram models save: weightings over time are steps x slots.
def _labels(name):
    if "weights" in name or "usage" in name:
        return "memory slot", "time step"
    if name in ("val0_image", "val0_glimpses"):
        return "pixel column", "pixel row"  # images and maps over them (cnn, ram)
    if name == "val0_locations":
        return "x, y (-1 .. 1)", "glimpse"
    if name.startswith("val0_"):
        return "channel", "time step"
    return "column", "row"


def draw_npy(path):
    """Draws the array in the .npy file `path` as a heat map next to it; returns the paths."""
    import numpy as np

    name = os.path.splitext(os.path.basename(path))[0]
    xlabel, ylabel = _labels(name)
    return draw_heatmap(np.load(path), os.path.dirname(os.path.abspath(path)), name,
                        xlabel=xlabel, ylabel=ylabel)


# ---- runs: learning curves, capacity curves, heat maps (engram.plotting, `engram plot`) ------


def _run_dir(run):
    """A run directory from a path or anything with a .dir (engram.Run, RunRecord)."""
    return os.fspath(getattr(run, "dir", run))


def _read_jsonl(path):
    out = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    out.append(json.loads(line))
    return out


def _pyplot():
    """pyplot; the Agg backend unless the caller already uses pyplot (a notebook, a GUI)."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(run_dir):
    """A run's label: its experiment and overrides (overrides.txt), else its directory name."""
    name = os.path.basename(os.path.normpath(run_dir))
    p = os.path.join(run_dir, "overrides.txt")
    if os.path.exists(p):
        with open(p) as f:
            ovr = " ".join(l.strip() for l in f if l.strip())
        if ovr:
            return ovr
    return name


def learning_curves(runs, metrics=None, ax=None, title=None):
    """Learning curves of one or more runs: one line per run and metric, against the step.

    runs: run directories (or engram.Run / RunRecord objects, or one of them); metrics:
    "split/name" strings such as "val/accuracy" (default: every metric of the first run).
    Returns the matplotlib Figure (save it with fig.savefig).

    >>> import json, os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> with open(os.path.join(d, "metrics.jsonl"), "w") as f:
    ...     for s in (10, 20):
    ...         _ = f.write(json.dumps({"step": s, "split": "val", "name": "accuracy", "value": s / 40}) + "\\n")
    >>> fig = learning_curves(d)
    >>> [l.get_label() for l in fig.axes[0].get_lines()]
    ['val/accuracy']
    """
    plt = _pyplot()
    if isinstance(runs, (str, os.PathLike)) or hasattr(runs, "dir"):
        runs = [runs]
    dirs = [_run_dir(r) for r in runs]
    records = [_read_jsonl(os.path.join(d, "metrics.jsonl")) for d in dirs]
    if metrics is None:
        metrics = []
        for r in records[0] if records else []:
            key = r["split"] + "/" + r["name"]
            if key not in metrics:
                metrics.append(key)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
    else:
        fig = ax.figure
    for d, recs in zip(dirs, records):
        for m in metrics:
            split, _, name = m.partition("/")
            pts = [(r["step"], r["value"]) for r in recs if r["split"] == split and r["name"] == name
                   and r["value"] is not None]
            if not pts:
                continue
            label = m if len(dirs) == 1 else _label(d) + ": " + m
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o" if len(pts) < 30 else None,
                    markersize=3, linewidth=1.2, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel(metrics[0] if len(metrics) == 1 else "value")
    ax.set_title(title if title is not None else ("learning curves" if len(dirs) > 1 else os.path.basename(os.path.normpath(dirs[0]))))
    if ax.get_lines():
        ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def _capacity_theory():
    return {
        "N/(2 ln N) (Hebbian)": lambda n: n / (2 * math.log(n)),
        "N/(4 ln N) (Hebbian, all perfect)": lambda n: n / (4 * math.log(n)),
        "N/sqrt(2 ln N) (Storkey)": lambda n: n / math.sqrt(2 * math.log(n)),
    }


def capacity_curves(source, theory=True, ax=None, title="Perfect-recall capacity", logx=True, logy=True):
    """Capacity against N with theory overlays.

    source: a capacity study run (its table.csv: N, cap_<rule>, cap_<rule>_sem, ...), or a
    dict {label: (Ns, capacities[, errors])}. theory: True for N/(2 ln N), N/(4 ln N) and
    N/sqrt(2 ln N); a dict {label: f(N)}; or False. Returns the Figure.

    >>> fig = capacity_curves({"hebbian": ([64, 128, 256], [6.8, 13.7, 20.4])})
    >>> sorted(l.get_label() for l in fig.axes[0].get_lines())[:1]
    ['N/(2 ln N) (Hebbian)']
    """
    plt = _pyplot()
    if isinstance(source, dict):
        data = {k: tuple(v) for k, v in source.items()}
    else:
        d = _run_dir(source)
        with open(os.path.join(d, "table.csv")) as f:
            lines = [l.strip() for l in f if l.strip()]
        cols = lines[0].split(",")
        rows = [[float(x) for x in l.split(",")] for l in lines[1:]]
        col = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
        if "N" not in col:
            raise ValueError(f"{d}/table.csv has no N column: not a capacity table (columns {cols})")
        data = {}
        for c in cols:
            if c.startswith("cap_") and not c.endswith("_sem"):
                data[c[4:]] = (col["N"], col[c], col.get(c + "_sem"))
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
    else:
        fig = ax.figure
    markers = "osD^v<>ph*"
    ns = sorted({n for v in data.values() for n in v[0]})
    for i, (label, v) in enumerate(data.items()):
        errs = v[2] if len(v) > 2 else None
        ax.errorbar(v[0], v[1], yerr=errs, fmt=markers[i % len(markers)] + "-", markersize=4, linewidth=1,
                    capsize=2, label=label)
    if theory and ns:
        curves = _capacity_theory() if theory is True else theory
        grid = [ns[0] * (ns[-1] / ns[0]) ** (k / 50) for k in range(51)] if ns[-1] > ns[0] else ns
        for label, f in curves.items():
            ax.plot(grid, [f(n) for n in grid], "--", linewidth=1.2, label=label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("N (neurons)")
    ax.set_ylabel("patterns stored")
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def heatmap(matrix, ax=None, title=None, xlabel="key", ylabel="query", cmap="viridis"):
    """A 2-D array as a heat map in a new (or given) Axes; returns the Figure. Attention weights
    are [queries x keys]; memory weightings over time [steps x slots] (use
    xlabel="memory slot", ylabel="time step"). Accepts arrays and engram.Var (its value).

    >>> fig = heatmap([[0.9, 0.1], [0.2, 0.8]])
    >>> fig.axes[0].get_xlabel()
    'key'
    """
    plt = _pyplot()
    import numpy as np

    m = np.asarray(getattr(matrix, "value", matrix), dtype=float)
    if m.ndim == 1:
        m = m.reshape(1, -1)
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(12.0, max(4.0, 2.0 + m.shape[1] * 0.06)),
                                        min(9.0, max(2.5, 1.5 + m.shape[0] * 0.06))))
    else:
        fig = ax.figure
    from matplotlib.ticker import MaxNLocator

    finite = m[np.isfinite(m)]
    lo = float(finite.min()) if finite.size else 0.0
    hi = float(finite.max()) if finite.size else 1.0
    im = ax.imshow(m, aspect="auto", interpolation="nearest", cmap=cmap, vmin=lo,
                   vmax=hi if hi > lo else lo + 1)
    fig.colorbar(im, ax=ax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # rows and columns are indices
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def memory_heatmap(weights, ax=None, title=None):
    """Memory weightings over time ([steps x slots], e.g. a run's inspect array) as a heat map."""
    return heatmap(weights, ax=ax, title=title, xlabel="memory slot", ylabel="time step")


def plot_runs(runs, metrics=None, out=None):
    """What `engram plot RUN...` draws; returns the written paths.

    For the runs together: their learning curves (learning_curves.png/.svg, one figure per
    metric when several runs). For each run: its study plots redrawn (plots/*.json), and heat
    maps of its inspect/*.npy arrays. out: the output directory (default: RUN/plots for one run,
    ./plots for several).
    """
    if isinstance(runs, (str, os.PathLike)) or hasattr(runs, "dir"):
        runs = [runs]
    dirs = [_run_dir(r) for r in runs]
    for d in dirs:
        if not os.path.isdir(d):
            raise FileNotFoundError(f"no run directory {d}")
    if out is None:
        out = os.path.join(dirs[0], "plots") if len(dirs) == 1 else "plots"
    os.makedirs(out, exist_ok=True)
    _pyplot()
    written = []

    def save(fig, name):
        written.extend(_save(fig, out, name))

    with_metrics = [d for d in dirs if _read_jsonl(os.path.join(d, "metrics.jsonl"))]
    if with_metrics:
        if len(with_metrics) == 1 or (metrics is not None and len(metrics) == 1):
            save(learning_curves(with_metrics, metrics), "learning_curves")
        else:
            keys = metrics
            if keys is None:
                keys = []
                for r in _read_jsonl(os.path.join(with_metrics[0], "metrics.jsonl")):
                    k = r["split"] + "/" + r["name"]
                    if k not in keys:
                        keys.append(k)
            for k in keys:
                save(learning_curves(with_metrics, [k], title=k), "learning_curves_" + k.replace("/", "_"))
    for d in dirs:
        tag = "" if len(dirs) == 1 else os.path.basename(os.path.normpath(d)) + "_"
        pdir = os.path.join(d, "plots")
        if os.path.isdir(pdir):
            for f in sorted(os.listdir(pdir)):
                if f.endswith(".json"):
                    with open(os.path.join(pdir, f)) as fh:
                        spec = json.load(fh)
                    spec["name"] = tag + spec["name"]
                    written += draw(spec, out)
        idir = os.path.join(d, "inspect")
        if os.path.isdir(idir):
            import numpy as np

            for f in sorted(os.listdir(idir)):
                if f.endswith(".npy"):
                    name = f[:-4]
                    xlabel, ylabel = _labels(name)
                    save(heatmap(np.load(os.path.join(idir, f)), title=name, xlabel=xlabel, ylabel=ylabel), tag + name)
    return written


def runs_main(argv):
    """`plotting.py --runs RUN_DIR... [--metric split/name]... [--out DIR]` (engram plot)."""
    import argparse

    ap = argparse.ArgumentParser(prog="engram plot", description="plots of engram runs")
    ap.add_argument("runs", nargs="+", help="run directories")
    ap.add_argument("--metric", action="append", help="split/name, e.g. val/accuracy (repeatable)")
    ap.add_argument("--out", help="output directory")
    a = ap.parse_args(argv)
    try:
        paths = plot_runs(a.runs, a.metric, a.out)
    except (OSError, ValueError) as e:
        print("engram plot: " + str(e), file=sys.stderr)
        return 2
    for p in paths:
        print(p)
    if not paths:
        print("engram plot: nothing to draw (no metrics.jsonl, plots/*.json or inspect/*.npy)", file=sys.stderr)
        return 1
    return 0


__all__ += ["learning_curves", "capacity_curves", "heatmap", "memory_heatmap", "plot_runs"]


def main(argv):
    if len(argv) > 1 and argv[1] == "--runs":  # engram plot RUN...
        return runs_main(argv[2:])
    usage = "usage: plotting.py SPEC.json [SPEC.json ...]  |  plotting.py --npy FILE.npy [FILE.npy ...]"
    if len(argv) < 2 or (argv[1] == "--npy" and len(argv) < 3):
        print(usage, file=sys.stderr)
        return 2
    if argv[1] == "--npy":
        for p in argv[2:]:
            for out in draw_npy(p):
                print(out)
        return 0
    for p in argv[1:]:
        for out in draw_file(p):
            print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
