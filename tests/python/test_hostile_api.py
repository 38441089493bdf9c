"""Python misuse raises a Python exception, never a signal: every public callable of the engram
package called with hostile arguments (hostile.py), each batch of calls in a child process."""

import os
import sys
import textwrap

import pytest

import hostile


def test_no_hostile_call_crashes_or_hangs():
    n, problems = hostile.run_all()
    print("%d hostile calls" % n)
    assert n > 4000  # it did reach the API
    assert problems == []


def test_the_harness_reports_crashes_and_hangs(tmp_path):
    extra = tmp_path / "fragile.py"
    extra.write_text(textwrap.dedent('''
        import os, signal, time

        def crash(x: int):
            if x == -1:
                os.kill(os.getpid(), signal.SIGSEGV)

        def hang(s: str):
            if s == "":
                time.sleep(60)

        def fine(x: int):
            return x
    '''))
    env = dict(os.environ, HOSTILE_EXTRA=str(extra), HOSTILE_ONLY="1")
    n, problems = hostile.run_all(timeout=5, env=env)
    assert n > 20
    assert len(problems) == 2, problems
    assert any("crash(-1)" in p and "signal 11" in p for p in problems)
    assert any("hang(''" in p and "did not return" in p for p in problems)
