"""scripts/fuzz and fuzz/CMakeLists.txt name the same fuzz targets, and every target has its
harness, its seed corpus and an input size limit in the script (a target added to one place
only once stopped `scripts/fuzz --smoke` halfway)."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def parse(text):
    """(targets, {target: max_len}) of a scripts/fuzz text."""
    targets = re.search(r"^TARGETS=\(([^)]*)\)", text, re.M).group(1).split()
    limits = dict(re.findall(r"\[(\w+)\]=(\d+)", re.search(r"^declare -A MAX_LEN=\((.*)\)", text, re.M).group(1)))
    return targets, limits


def script_targets():
    return parse((ROOT / "scripts" / "fuzz").read_text())


def test_every_fuzz_target_is_named_in_both_places_with_a_harness_corpus_and_limit():
    targets, limits = script_targets()
    cmake = (ROOT / "fuzz" / "CMakeLists.txt").read_text()
    cmake_targets = re.search(r"set\(ENGRAM_FUZZ_TARGETS ([^)]*)\)", cmake).group(1).split()
    assert targets == cmake_targets
    for t in targets:
        assert t in limits and int(limits[t]) > 0, t
        assert (ROOT / "fuzz" / ("fuzz_%s.cpp" % t)).is_file(), t
        assert any((ROOT / "fuzz" / "corpus" / t).iterdir()), t
        assert "ENGRAM_FUZZ_LIBS_%s " % t in cmake, t


def test_the_check_sees_a_missing_limit():
    targets, limits = parse("TARGETS=(a b)\ndeclare -A MAX_LEN=([a]=1)\n")
    assert [t for t in targets if t not in limits] == ["b"]


def run_with_fake_fuzzer(tmp_path, body):
    """scripts/fuzz babi_reader against a fake build dir whose fuzzer is a shell script printing
    what libFuzzer prints and exiting as it does."""
    import os
    import subprocess

    (tmp_path / "build.ninja").write_text("build engram_fuzzers: phony\n")
    (tmp_path / "fuzz").mkdir()
    exe = tmp_path / "fuzz" / "engram_fuzz_babi_reader"
    exe.write_text("#!/bin/sh\n" + body)
    exe.chmod(0o755)
    env = dict(os.environ, ENGRAM_FUZZ_BUILD_DIR=str(tmp_path), ENGRAM_FUZZ_CXX="true")
    return subprocess.run([str(ROOT / "scripts" / "fuzz"), "babi_reader", "--time", "1"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_an_interrupted_campaign_is_not_reported_as_a_crash(tmp_path):
    # libFuzzer exits 72 when it is sent SIGINT (Ctrl-C): a stopped campaign, not a finding
    p = run_with_fake_fuzzer(tmp_path, 'echo "==1== libFuzzer: run interrupted; exiting" >&2\n'
                                       'echo "stat::number_of_executed_units: 1234" >&2\nexit 72\n')
    assert p.returncode == 130, p.stderr
    assert "interrupted after 1234 executions" in p.stderr
    assert "FAILED" not in p.stderr and "crashes" not in p.stdout


def test_a_crash_and_a_clean_run_are_reported_as_such(tmp_path):
    p = run_with_fake_fuzzer(tmp_path, 'echo "==1==ERROR: AddressSanitizer: heap-buffer-overflow" >&2\n'
                                       'echo "stat::number_of_executed_units: 5" >&2\nexit 1\n')
    assert p.returncode == 1
    assert "FAILED (exit 1)" in p.stderr and "5 executions" in p.stdout and "1 crashes" in p.stdout
    (tmp_path / "fuzz" / "engram_fuzz_babi_reader").unlink()
    (tmp_path / "fuzz").rmdir()
    p = run_with_fake_fuzzer(tmp_path, 'echo "stat::number_of_executed_units: 99" >&2\nexit 0\n')
    assert p.returncode == 0, p.stderr
    assert "99 executions" in p.stdout and "0 crashes" in p.stdout
