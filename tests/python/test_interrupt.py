"""Ctrl-C in Python stops a training run cleanly: checkpoint kept, resumable to the same numbers."""

import _thread
import os
import signal
import threading

import pytest

import engram
from conftest import KV


def test_ctrl_c_interrupts_cleanly(runs_root):
    long = ["trainer.steps=1000000", "trainer.eval_every=100000", "trainer.log_every=100000"]
    # Python's Ctrl-C handler, whatever started us: a shell that runs a command in the background
    # (`cmd &` without job control) makes it ignore SIGINT, and then interrupt_main does nothing.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.5, _thread.interrupt_main)  # what Ctrl-C does: SIGINT to the main thread
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt) as info:
            engram.run(KV, long, runs_root=runs_root)
    finally:
        timer.join()
        signal.signal(signal.SIGINT, previous)
    assert isinstance(info.value, engram.RunInterrupted)
    r = info.value.run
    assert r.status == "interrupted" and r.exit_code == 130 and 0 < r.step < 1000000
    assert os.path.exists(r.path("checkpoints", "last.ck"))
    assert engram.ResultsIndex(runs_root).get(r.id).status == "interrupted"
    assert "engram.resume(" in str(info.value)


def test_resume_reaches_the_uninterrupted_numbers(runs_root):
    cfg = ["trainer.steps=40", "trainer.eval_every=20", "trainer.log_every=5"]
    full = engram.run(KV, cfg, runs_root=runs_root)
    # stopped after step 15 as by Ctrl-C (the runner's test hook), then resumed
    out = engram._engram._run(KV, cfg, runs_root, "", "", False, 15)
    assert out["status"] == "interrupted" and out["step"] == 15
    done = engram.resume(out["dir"], runs_root=runs_root)
    assert done.status == "completed" and done.final == full.final
    assert done.metrics() == full.metrics()
