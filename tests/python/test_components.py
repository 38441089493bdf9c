"""Components written in Python: registered by name, used from YAML, trained by the C++ trainer."""

import math

import numpy as np
import pytest

import engram
from conftest import SCORES
from engram import ops

STEPS = ["trainer.steps=60", "trainer.eval_every=30"]


@engram.register_score("t_py_scaled_dot", "q . k / sqrt(d) in Python", replace=True)
class PyScaledDot:
    def __init__(self, shape, options, ctx):
        self.scale = options.number("scale", 1.0 / math.sqrt(shape.query_dim), lo=0.0)

    def scores(self, q, k):
        return ops.matmul_nt(q, k) * self.scale


@engram.register_score("t_py_learned_cosine", replace=True)
class PyLearnedCosine:
    """exp(t) cos(q, k), t learned."""

    def __init__(self, shape, options, ctx):
        self.log_t = ctx.parameter("log_temperature", [[options.number("init_log_temperature", 1.0)]])

    def scores(self, q, k):
        qn = q / ops.sqrt(ops.sum(q * q, axis=1) + 1e-12)
        kn = k / ops.sqrt(ops.sum(k * k, axis=1) + 1e-12)
        return ops.matmul_nt(qn, kn) * ops.exp(self.log_t)


@engram.register_addressing("t_py_content", "softmax(beta cos(M_i, key)) in Python", replace=True)
class PyContent:
    def __init__(self, shape, options, ctx):
        self.params = [("key", shape.width, "identity"), ("beta", 1, "oneplus")]

    def apply(self, w, ctx):
        cos = ops.transpose(ops.cosine_similarity(ctx.memory, ctx.param("key")))  # [1 x N]
        return ops.softmax(cos * ctx.param("beta"))


def test_listed_with_the_builtins():
    scores = dict(engram.components("scores"))
    assert scores["t_py_scaled_dot"] == "(Python) q . k / sqrt(d) in Python"
    assert scores["t_py_learned_cosine"] == "(Python) exp(t) cos(q, k), t learned."
    assert "t_py_content" in dict(engram.components("addressing"))
    code, out, _ = engram.cli(["list", "scores"])
    assert "t_py_scaled_dot" in out


def test_python_score_trains_from_yaml_like_the_builtin(runs_root):
    py = engram.run(SCORES, ["model.score.name=t_py_scaled_dot"] + STEPS, runs_root=runs_root)
    cpp = engram.run(SCORES, ["model.score.name=scaled_dot"] + STEPS, runs_root=runs_root)
    assert py.status == cpp.status == "completed"
    assert py.final == cpp.final  # the same float ops in the same order: identical numbers
    assert py.final["val/accuracy"] > 0.2


def test_python_component_with_two_threads_is_deterministic(runs_root):
    a = engram.run(SCORES, ["model.score.name=t_py_scaled_dot", "trainer.threads=1"] + STEPS, runs_root=runs_root)
    b = engram.run(SCORES, ["model.score.name=t_py_scaled_dot", "trainer.threads=2"] + STEPS, runs_root=runs_root)
    assert a.final == b.final


def test_learned_parameter_gets_gradients_and_trains(runs_root):
    s = engram.Score.make("t_py_learned_cosine", 4, 4, {"init_log_temperature": 0.5})
    (name, t), = s.parameters().items()
    assert name == "log_temperature" and t.value[0, 0] == pytest.approx(0.5)
    q = engram.Var(np.ones((2, 4), np.float32))
    ops.sum(s(q, np.eye(4, dtype=np.float32))).backward()
    assert t.grad is not None and t.grad[0, 0] != 0
    learned = engram.run(SCORES, ["model.score.name=t_py_learned_cosine", "trainer.steps=200", "trainer.eval_every=200"],
                         runs_root=runs_root)
    fixed = engram.run(SCORES, ["model.score.name=cosine", "trainer.steps=200", "trainer.eval_every=200"],
                       runs_root=runs_root)
    assert learned.final["val/loss"] < fixed.final["val/loss"]


def test_python_addressing_stage_trains_in_a_memory_model(runs_root, tmp_path):
    cfg = tmp_path / "ar.yaml"
    cfg.write_text("""name: ar_py
seed: 0
task: {name: associative_recall, bits: 6, item_length: 1, min_items: 2, max_items: 3, val_size: 16, eval_size: 8}
model:
  name: ntm
  controller: {name: lstm, hidden: 16}
  memory: {slots: 8, width: 6}
trainer: {steps: 8, batch: 4, threads: 2, eval_every: 8, log_every: 4, optimizer: {name: adam, lr: 0.003}}
""")
    py = engram.run(str(cfg), ["+model.addressing=[t_py_content, interpolate, shift, sharpen]"], runs_root=runs_root)
    cpp = engram.run(str(cfg), ["+model.addressing=[content, interpolate, shift, sharpen]"], runs_root=runs_root)
    assert py.status == "completed"
    # the same formula from other ops (cosine_similarity + softmax against the fused slot_cosine +
    # softmax_scaled): equal up to float rounding
    assert py.final == pytest.approx(cpp.final, rel=1e-5)


def test_errors_in_python_components(runs_root):
    with pytest.raises(engram.ConfigError, match=r"override '\+model.score.scale=-1': model.score.scale: must be in \[0, inf\], got -1"):
        engram.run(SCORES, ["model.score.name=t_py_scaled_dot", "+model.score.scale=-1"] + STEPS, runs_root=runs_root)
    with pytest.raises(engram.ConfigError, match=r"sclae: unknown option"):
        engram.run(SCORES, ["model.score.name=t_py_scaled_dot", "+model.score.sclae=1"] + STEPS, runs_root=runs_root)

    @engram.register_score("t_bad_type", replace=True)
    class BadType:
        def __init__(self, shape, options, ctx):
            pass

        def scores(self, q, k):
            return q.value

    @engram.register_score("t_bad_shape", replace=True)
    class BadShape:
        def __init__(self, shape, options, ctx):
            pass

        def scores(self, q, k):
            return q

    with pytest.raises(TypeError, match=r"must return an engram.Var, got float32 array"):
        engram.Score.make("t_bad_type", 2, 2)(np.ones((1, 2), np.float32), np.ones((3, 2), np.float32))
    with pytest.raises(ValueError, match=r"must be \[1 x 3\], got \[1 x 2\]"):
        engram.Score.make("t_bad_shape", 2, 2)(np.ones((1, 2), np.float32), np.ones((3, 2), np.float32))
    with pytest.raises(TypeError, match=r"must return an engram.Var"):  # raised in a trainer thread
        engram.run(SCORES, ["model.score.name=t_bad_type"] + STEPS, runs_root=runs_root)
    failed = engram.runs(runs_root, status="failed")
    assert len(failed) == 1 and "must return an engram.Var" in failed[0].error

    with pytest.raises(ValueError, match=r"already registered"):
        engram.register_score("t_py_scaled_dot", PyScaledDot)
    with pytest.raises(TypeError, match=r"expected a class"):
        engram.register_score("t_x", 3)

    @engram.register_score("t_late_param", replace=True)
    class LateParam:
        def __init__(self, shape, options, ctx):
            self.ctx = ctx

        def scores(self, q, k):
            self.ctx.parameter("w", [[1.0]])
            return ops.matmul_nt(q, k)

    with pytest.raises(ValueError, match=r"only be declared while the component is built"):
        engram.Score.make("t_late_param", 2, 2)(np.ones((1, 2), np.float32), np.ones((1, 2), np.float32))


@engram.register_task("t_majority", "is the majority of n random bits 1?", replace=True)
class Majority:
    def __init__(self, options, ctx):
        self.bits = options.integer("bits", 9, lo=1)
        n = options.integer("val_size", 200, lo=1)
        self.val_x = (ctx.rng.uniform_matrix(n, self.bits) > 0.5).astype(np.float32)
        self.val_y = (self.val_x.sum(axis=1) > self.bits / 2).astype(np.int64)

    def example(self, i, rng):  # generated on demand from the example's stream
        x = (rng.uniform_matrix(1, self.bits) > 0.5).astype(np.float32)
        return x, int(x.sum() > self.bits / 2)


@engram.register_model("t_attentive_logistic", "logistic regression, with an adopted engram module", replace=True)
class Logistic:
    instances = []

    def __init__(self, options, task, ctx):
        self.task = task
        self.w = ctx.parameter("w", ctx.rng.normal_matrix(task.bits, 2, std=0.1))
        self.b = ctx.parameter("b", np.zeros((1, 2), np.float32))
        self.score = engram.Score.make("bilinear", 2, 2, seed=1)  # its parameters train with the model's
        ctx.module("score", self.score)
        Logistic.instances.append(self)

    def logits(self, x):
        z = ops.matmul(x, self.w) + self.b
        return z + 0.01 * self.score(z, np.eye(2, dtype=np.float32))  # [m x 2]

    def loss(self, i, rng):
        x, y = self.task.example(i, rng)
        return ops.cross_entropy(self.logits(x), [y])

    def evaluate(self, split):
        with engram.no_grad():
            z = self.logits(self.task.val_x).value
        pred = z.argmax(axis=1)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        nll = -np.log(p[np.arange(len(pred)), self.task.val_y]).mean()
        return {"loss": float(nll), "accuracy": float((pred == self.task.val_y).mean())}


def test_python_task_and_model_train_through_the_cpp_trainer(runs_root, tmp_path):
    cfg = tmp_path / "majority.yaml"
    cfg.write_text("""name: majority
seed: 3
task: {name: t_majority, bits: 9, val_size: 200}
model: {name: t_attentive_logistic}
trainer: {steps: 150, batch: 16, threads: 2, eval_every: 50, log_every: 10, optimizer: {name: adam, lr: 0.05}}
""")
    Logistic.instances.clear()
    r = engram.run(str(cfg), runs_root=runs_root)
    assert r.status == "completed" and r.final["val/accuracy"] > 0.9
    model = Logistic.instances[-1]
    (name, w), = model.score.parameters().items()
    assert np.abs(w.value - engram.Score.make("bilinear", 2, 2, seed=1).parameters()[name].value).max() > 0  # trained
    again = engram.run(str(cfg), ["trainer.threads=1"], runs_root=runs_root)
    assert again.final == r.final  # deterministic: examples draw from their own streams
    with pytest.raises(engram.ConfigError, match=r"bitz: unknown option"):
        engram.run(str(cfg), ["+task.bitz=3"], runs_root=runs_root)
    assert "t_majority" in dict(engram.components("tasks"))
