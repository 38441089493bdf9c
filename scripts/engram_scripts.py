"""What every Python script in scripts/ shares: the repository root and the engram binary
(ENGRAM, or ENGRAM_BUILD_DIR/experiments/engram, default build/)."""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def engram_binary():
    return os.environ.get("ENGRAM", os.path.join(ROOT, os.environ.get("ENGRAM_BUILD_DIR", "build"), "experiments", "engram"))
