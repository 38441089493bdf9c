"""Builds the engram Python package from the source tree with CMake + Ninja (offline).

    python3 -m venv --system-site-packages ~/venvs/engram && . ~/venvs/engram/bin/activate
    pip install --no-build-isolation .

Environment: ENGRAM_BUILD_DIR (default build/pip; `build` reuses the tree of scripts/build),
ENGRAM_JOBS (ninja -j, default 2). The wheel holds the pure package, the extension and the
`engram` program (engram/bin/engram, which engram.sweep runs).
"""

import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = os.path.join(ROOT, os.environ.get("ENGRAM_BUILD_DIR", os.path.join("build", "pip")))
        if not os.path.exists(os.path.join(build_dir, "build.ninja")):
            subprocess.check_call(["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                                   "-DENGRAM_BUILD_PYTHON=ON", "-DENGRAM_BUILD_TESTS=OFF", "-DENGRAM_BUILD_BENCH=OFF",
                                   "-DPython_EXECUTABLE=" + sys.executable])
        subprocess.check_call(["ninja", "-C", build_dir, "-j" + os.environ.get("ENGRAM_JOBS", "2"), "_engram", "engram"])
        built = os.path.join(build_dir, "python", "engram")
        so = [f for f in os.listdir(built) if f.startswith("_engram") and f.endswith(".so")]
        if not so:
            raise RuntimeError("the build made no extension in " + built)
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(built, so[0]), target)
        bin_dir = os.path.join(os.path.dirname(target), "bin")
        os.makedirs(bin_dir, exist_ok=True)
        shutil.copy2(os.path.join(build_dir, "experiments", "engram"), os.path.join(bin_dir, "engram"))


# setuptools' own files (build/lib.*, egg-info) under build/setuptools, not in the source folders
os.makedirs(os.path.join(ROOT, "build", "setuptools"), exist_ok=True)
setup(ext_modules=[Extension("engram._engram", sources=[])], cmdclass={"build_ext": CMakeBuild},
      options={"build": {"build_base": "build/setuptools"}, "egg_info": {"egg_base": "build/setuptools"}})
