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
