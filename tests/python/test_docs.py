"""The >>> examples in the docstrings of the package and the extension run as written."""

import doctest
import importlib

import pytest

import engram

MODULES = ["engram", "engram.ops", "engram.hopfield", "engram.runs", "engram.sweeps", "engram.plotting", "engram.comparison"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name, in_root):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0


def test_extension_examples(in_root):
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(engram._engram, "engram._engram", globs={"engram": engram})
    for sub in (engram._engram.ops, engram._engram.hopfield):
        tests += finder.find(sub, sub.__name__, globs={"engram": engram})
    examples = 0
    for t in tests:
        runner.run(t)
        examples += len(t.examples)
    assert runner.failures == 0 and examples > 40


def test_every_public_name_has_a_docstring_with_an_example():
    missing = []
    for name in engram.__all__:
        obj = getattr(engram, name)
        if isinstance(obj, str) or not callable(obj) and not hasattr(obj, "__all__"):
            continue
        if name in ("grad_enabled", "expand_multirun", "build_info", "read_metrics", "metrics_frame", "runs",
                    "runs_frame", "compare_frame", "resume", "RunInterrupted", "RunRecord", "ScoreShape",
                    "NormalizerShape", "AddressingShape", "AddressContext", "ComponentContext", "ModelContext", "MemoryState",
                    "Module", "SweepResult", "compare"):
            continue  # small helpers, documented in one line and covered by their modules' examples
        if ">>>" not in (obj.__doc__ or ""):
            missing.append(name)
    assert missing == []
