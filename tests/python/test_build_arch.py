"""The instruction set of a build (cmake/arch.cmake): `native` (the default) resolves into
explicit flags, never the string -march=native, so a compiler cache shared between an AVX-512
and an AVX2 machine keys their objects apart; the flags enable exactly this CPU's vector
instructions; and ccache, fed the commands of two builds for different machines, hands neither
the other's object."""

import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("cmake") is None or shutil.which("ninja") is None,
                                reason="cmake and ninja are needed (scripts/setup installs them)")


def configure(tmp_path, arch):
    """Configures engram for `arch` (core libraries only) and returns core/cpu.cpp's compile command."""
    build = tmp_path / ("build-" + arch)
    r = subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                        "-DENGRAM_ARCH=" + arch, "-DENGRAM_BUILD_TESTS=OFF", "-DENGRAM_BUILD_BENCH=OFF",
                        "-DENGRAM_BUILD_PYTHON=OFF", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    commands = json.loads((build / "compile_commands.json").read_text())
    (cmd,) = [c["command"] for c in commands if c["file"].endswith("core/cpu.cpp")]
    return cmd


def arch_flags(cmd):
    """The instruction-set options of a compile command: -march, -mtune, -m<feature>, --param."""
    words = cmd.split()
    out = []
    for i, w in enumerate(words):
        if w.startswith("-m") or w == "--param":
            out.append(w)
        elif i > 0 and words[i - 1] == "--param":
            out.append(w)
    return out


def predefined(cxx, flags):
    r = subprocess.run([cxx] + flags + ["-dM", "-E", "-x", "c++", os.devnull], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    return set(re.findall(r"#define (__\w+__) 1", r.stdout))


def cpu_flags():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


@pytest.fixture(scope="module")
def commands(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("arch")
    return {arch: configure(tmp, arch) for arch in ("native", "x86-64-v3", "x86-64-v4")}


def test_native_is_resolved_into_explicit_flags_for_this_cpu(commands):
    native = commands["native"]
    assert "-march=native" not in native and "-mtune=native" not in native
    flags = arch_flags(native)
    march = [f for f in flags if f.startswith("-march=")]
    assert len(march) == 1 and march[0] != "-march=native", flags
    # the vector instructions the flags enable are those of the CPU, no more, no fewer
    cxx = native.split()[1] if "ccache" in native.split()[0] else native.split()[0]
    macros = predefined(cxx, [f for f in flags if f.startswith("-m")])
    has = cpu_flags()
    for macro, flag in (("__AVX__", "avx"), ("__AVX2__", "avx2"), ("__FMA__", "fma"), ("__AVX512F__", "avx512f"),
                        ("__AVX512BW__", "avx512bw"), ("__POPCNT__", "popcnt")):
        assert (macro in macros) == (flag in has), "%s: CPU %s, flags %s" % (macro, flag in has, macro in macros)


def test_builds_for_different_machines_never_share_a_cache_entry(commands, tmp_path):
    if shutil.which("ccache") is None:
        pytest.skip("ccache is not installed")
    # a loop whose code depends on the instruction set, compiled with each build's flags
    src = tmp_path / "axpy.cpp"
    src.write_text("void axpy(float a, const float* x, float* y, int n) { for (int i = 0; i < n; ++i) y[i] += a * x[i]; }\n")
    env = dict(os.environ, CCACHE_DIR=str(tmp_path / "ccache"), CCACHE_BASEDIR=str(tmp_path), CCACHE_NOHASHDIR="1")
    env.pop("CCACHE_DISABLE", None)

    def compile_with(arch, out):
        cxx = commands[arch].split()
        cxx = cxx[1] if "ccache" in cxx[0] else cxx[0]
        r = subprocess.run(["ccache", cxx, "-O3"] + arch_flags(commands[arch]) + ["-c", str(src), "-o", str(out)],
                           env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        return out.read_bytes()

    def hits():
        r = subprocess.run(["ccache", "--print-stats"], env=env, capture_output=True, text=True, timeout=60)
        stats = dict(line.split("\t", 1) for line in r.stdout.splitlines() if "\t" in line)
        return int(stats.get("direct_cache_hit", 0)) + int(stats.get("preprocessed_cache_hit", 0))

    v3 = compile_with("x86-64-v3", tmp_path / "v3.o")
    v4 = compile_with("x86-64-v4", tmp_path / "v4.o")
    compile_with("native", tmp_path / "native.o")
    assert hits() == 0, "a build for one instruction set was handed another's object"
    assert v3 != v4, "the two instruction sets compiled to the same object: the test shows nothing"
    again = compile_with("x86-64-v3", tmp_path / "v3-again.o")
    assert again == v3 and hits() == 1, "the cache does not work at all: the test shows nothing"
