"""scripts/vision_blocks on small IDX files written here: the plain backbone and the listed blocks
for each seed, the paired differences recomputed from the runs, the verdict column, a second
call that trains nothing, and bad arguments refused."""

import gzip
import os
import re
import struct
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "vision_blocks")


def write_idx(folder, prefix, n, seed):
    """n 28x28 images: class 1 holds a bright square, class 0 does not."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n).astype(np.uint8)
    images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
    for i in np.flatnonzero(labels):
        y, x = rng.integers(0, 22, 2)
        images[i, y:y + 6, x:x + 6] = 220
    with gzip.open(os.path.join(folder, prefix + "-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + images.tobytes())
    with gzip.open(os.path.join(folder, prefix + "-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + labels.tobytes())


def test_vision_blocks_tabulates_paired_differences_and_resumes(engram_exe, tmp_path):
    data = tmp_path / "fm"
    data.mkdir()
    write_idx(str(data), "train", 120, 1)
    write_idx(str(data), "t10k", 40, 2)
    env = dict(os.environ, ENGRAM=engram_exe)
    args = [sys.executable, SCRIPT, "--blocks", "se", "--seeds", "2", "--jobs", "1", "--runs-root", str(tmp_path / "runs"),
            "--set", "+task.dir=" + str(data), "--set", "task.val_size=20", "--set", "trainer.epochs=1",
            "--set", "model.channels=[4, 8]", "--out", str(tmp_path / "t.md")]
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    table = (tmp_path / "t.md").read_text()
    rows = {m.group(1): m for m in re.finditer(r"^\| (\w+) \| (\d) \| ([\d.]+) ± ([\d.]+) \| ([^|]+) \| ([^|]+) \| (\d+) \|", table, re.M)}
    assert set(rows) == {"none", "se"} and rows["none"].group(2) == "2" and rows["se"].group(2) == "2", table
    assert int(rows["se"].group(7)) > int(rows["none"].group(7))  # the block's parameters on top
    # multiply-adds per image, read off the graph: the plain backbone's by its layers' formula
    # (3x3 convs 1 -> 4 on 28 x 28 and 4 -> 8 on 14 x 14, then the classifier on the flattened
    # 8 x 7 x 7 maps: the config's head)
    macs = {m.group(1): float(m.group(2)) for m in re.finditer(r"^\| (\w+) \|(?:[^|]*\|){4} (?:\d+) \| ([\d.e+-]+) \|", table, re.M)}
    assert "none" in macs, table
    assert abs(macs["none"] * 1e6 - (9 * 4 * 784 + 4 * 9 * 8 * 196 + 8 * 7 * 7 * 10)) < 1, table
    assert macs["se"] > macs["none"]
    # the paired difference, recomputed from the accuracies in the runs' summaries
    import json
    acc = {}
    for d, _, fs in os.walk(tmp_path / "runs"):
        if "summary.json" in fs:
            s = json.load(open(os.path.join(d, "summary.json")))
            block = "se" if "model.block=se" in open(os.path.join(d, "overrides.txt")).read() else "none"
            acc[(block, s["seed"])] = 100 * s["final"]["test/accuracy"]
    diffs = [acc[("se", k)] - acc[("none", k)] for k in (0, 1)]
    mean = sum(diffs) / 2
    assert rows["se"].group(5).strip().startswith("%+.2f" % mean), (rows["se"].group(5), diffs)
    assert rows["se"].group(6).strip() in ("helpful", "harmful", "within noise")
    # the figures: the differences of the one block, its seed-0 attention (se: channel weights)
    figures = dict(re.findall(r"^figure: (\S+) \(([^)]*)\)$", p.stdout, re.M))
    assert figures == {str(tmp_path / "t_difference.png"): "se", str(tmp_path / "t_attention.png"): "se"}, p.stdout
    for path in figures:
        assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    again = subprocess.run(args, capture_output=True, text=True, env=env)
    assert again.returncode == 0 and "4 of 4 runs already completed" in again.stdout, again.stdout
    bad = subprocess.run([sys.executable, SCRIPT, "--blocks", "nope"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "unknown block 'nope'" in bad.stderr
