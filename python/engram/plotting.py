"""Plots of engram runs with matplotlib.

Study runs write each plot's data as ``<run>/plots/<name>.json``; this module draws them as
PNG and SVG next to the JSON. It runs standalone (``python3 plotting.py SPEC.json ...``, which
is what the ``engram`` command does after a study) and needs only matplotlib, so it works
before the compiled extension is built.

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

__all__ = ["draw", "draw_file"]


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
    data_markers = "osD^v<>ph*"
    k = 0
    for s in spec.get("series", []):
        pts = _finite(s["x"], s["y"], s.get("err"), spec.get("logy", False))
        if not pts:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        if s.get("theory"):
            ax.plot(xs, ys, "--", linewidth=1.5, label=s["label"])
        else:
            errs = None
            if s.get("err"):
                up = [p[2] for p in pts]
                # on a log axis an error bar may not reach 0: clip the lower one at 90% of y
                low = [min(e, 0.9 * y) if spec.get("logy") else e for e, y in zip(up, ys)]
                errs = [low, up]
            ax.errorbar(xs, ys, yerr=errs, fmt=data_markers[k % len(data_markers)] + "-",
                        markersize=4, linewidth=1, capsize=2, label=s["label"])
            k += 1
    for v in spec.get("vlines", []):
        ax.axvline(v["x"], color="gray", linestyle=":", linewidth=1)
        ax.annotate(v["label"], (v["x"], 1), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=8, color="gray")
    if spec.get("logx"):
        ax.set_xscale("log")
    if spec.get("logy"):
        ax.set_yscale("log")
    ax.set_title(spec.get("title", ""))
    ax.set_xlabel(spec.get("xlabel", ""))
    ax.set_ylabel(spec.get("ylabel", ""))
    if spec.get("series"):
        ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for ext in ("png", "svg"):
        p = os.path.join(out_dir, spec["name"] + "." + ext)
        fig.savefig(p, dpi=120)
        paths.append(p)
    plt.close(fig)
    return paths


def draw_file(path):
    """Draws the spec in the JSON file `path` next to it; returns the written paths."""
    with open(path) as f:
        spec = json.load(f)
    return draw(spec, os.path.dirname(os.path.abspath(path)))


def main(argv):
    if len(argv) < 2:
        print("usage: plotting.py SPEC.json [SPEC.json ...]", file=sys.stderr)
        return 2
    for p in argv[1:]:
        for out in draw_file(p):
            print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
