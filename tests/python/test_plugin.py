"""The engram program with Python embedded: `engram run --plugin FILE CONFIG`."""

import subprocess
import textwrap

import engram
from conftest import ROOT, SCORES

EXAMPLE = str(ROOT / "python" / "examples" / "python_score.py")
SHORT = ["trainer.steps=30", "trainer.eval_every=30"]


def engram_run(exe, *args):
    return subprocess.run([exe, "run", *args], capture_output=True, text=True, timeout=120)


def test_plugin_registers_a_score_used_by_the_config(engram_exe, runs_root):
    p = engram_run(engram_exe, "--plugin", EXAMPLE, SCORES, "model.score.name=py_scaled_dot", "--runs-root", runs_root,
                   "--no-progress", *SHORT)
    assert p.returncode == 0, p.stderr
    run = engram.Run(p.stdout.strip().splitlines()[-1])
    builtin = engram.run(SCORES, ["model.score.name=scaled_dot"] + SHORT, runs_root=runs_root)
    assert run.status == "completed" and run.final == builtin.final
    assert engram.ResultsIndex(runs_root).get(run.id).params  # indexed like any run


def test_plugins_run_only_when_named(engram_exe, runs_root):
    p = engram_run(engram_exe, SCORES, "model.score.name=py_scaled_dot", "--runs-root", runs_root, *SHORT)
    assert p.returncode == 2 and "unknown score 'py_scaled_dot'" in p.stderr


def test_multirun_passes_plugins_to_its_workers(engram_exe, runs_root):
    p = engram_run(engram_exe, "-m", "--plugin", EXAMPLE, SCORES, "model.score.name=py_scaled_dot,py_learned_cosine",
                   "--runs-root", runs_root, "--jobs", "2", *SHORT)
    assert p.returncode == 0, p.stderr
    names = sorted(dict(r.params)["model.score.name"] for r in engram.runs(runs_root, status="completed"))
    assert names == ["py_learned_cosine", "py_scaled_dot"]


def test_plugin_errors_show_the_python_traceback(engram_exe, tmp_path, runs_root):
    bad = tmp_path / "bad_plugin.py"
    bad.write_text(textwrap.dedent("""\
        import engram
        def broken():
            raise RuntimeError("plugin is broken")
        broken()
        """))
    p = engram_run(engram_exe, "--plugin", str(bad), SCORES, "--runs-root", runs_root)
    assert p.returncode == 1
    assert "bad_plugin.py" in p.stderr and "RuntimeError: plugin is broken" in p.stderr and "broken()" in p.stderr
    p = engram_run(engram_exe, "--plugin", str(tmp_path / "missing.py"), SCORES, "--runs-root", runs_root)
    assert p.returncode == 1 and "no such file" in p.stderr


def test_python_addressing_plugin_in_a_memory_model(engram_exe, tmp_path, runs_root):
    plugin = tmp_path / "py_content.py"
    plugin.write_text(textwrap.dedent("""\
        import engram
        from engram import ops

        @engram.register_addressing("py_content", "softmax(beta cos(M_i, key)) in Python")
        class PyContent:
            def __init__(self, shape, options, ctx):
                self.params = [("key", shape.width, "identity"), ("beta", 1, "oneplus")]
            def apply(self, w, ctx):
                cos = ops.transpose(ops.cosine_similarity(ctx.memory, ctx.param("key")))
                return ops.softmax(cos * ctx.param("beta"))
        """))
    cfg = tmp_path / "copy.yaml"
    cfg.write_text(textwrap.dedent("""\
        name: copy_py
        seed: 0
        task: {name: copy, bits: 4, min_length: 1, max_length: 3, val_size: 8, eval_size: 4}
        model:
          name: ntm
          controller: {name: lstm, hidden: 16}
          memory: {slots: 8, width: 6}
          addressing: [py_content, interpolate, shift, sharpen]
        trainer: {steps: 6, batch: 4, threads: 2, eval_every: 6, log_every: 3}
        """))
    p = engram_run(engram_exe, "--plugin", str(plugin), str(cfg), "--runs-root", runs_root, "--no-progress")
    assert p.returncode == 0, p.stderr
    assert engram.runs(runs_root)[0].status == "completed"
