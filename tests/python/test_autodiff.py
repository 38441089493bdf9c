"""Var and ops from Python: values, gradients against finite differences, no_grad, operators."""

import numpy as np
import pytest

import engram
from engram import ops


def numeric_grad(f, x, eps=1e-3):
    g = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        g[i] = (f(xp) - f(xm)) / (2 * eps)
    return g


@pytest.mark.parametrize("name,fn", [
    ("softmax", lambda v: ops.sum(ops.softmax(v, 2.0) * np.arange(4, dtype=np.float32).reshape(1, 4))),
    ("matmul_nt", lambda v: ops.sum(ops.tanh(ops.matmul_nt(v, v)))),
    ("cosine", lambda v: ops.sum(ops.cosine_similarity(v, np.ones((1, 4), np.float32)))),
    ("layer_norm", lambda v: ops.sum(ops.layer_norm(v, np.ones((1, 4), np.float32), np.zeros((1, 4), np.float32)) * v)),
    ("operators", lambda v: ops.sum((v * v + 1.0) / (2.0 + ops.exp(-v))) - ops.sum(v @ v.T)),
    ("cross_entropy", lambda v: ops.cross_entropy(v, [1, 3])),
    ("embedding_bag", lambda v: ops.sum(ops.tanh(ops.embedding_bag(v, [1, 0, 1], [0, 2, 2, 3],
                                                                   np.full((3, 4), 0.5, np.float32))))),
    ("ragged attention", lambda v: ops.sum(ops.tanh(ops.segment_weighted_sum(
        ops.segment_softmax(ops.segment_dot(v, v, [0, 1, 2]), [0, 1, 2]), v, [0, 1, 2])))),
])
def test_gradient_matches_finite_differences(name, fn):
    x0 = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)
    x = engram.Var(x0, requires_grad=True)
    fn(x).backward()
    num = numeric_grad(lambda a: fn(engram.Var(a.astype(np.float32))).item(), x0.astype(np.float64))
    np.testing.assert_allclose(x.grad, num, rtol=2e-2, atol=2e-3)


def test_no_grad_records_nothing():
    x = engram.Var(np.ones((1, 2), np.float32), requires_grad=True)
    with engram.no_grad():
        assert not engram.grad_enabled()
        y = x * 2.0
    assert engram.grad_enabled()
    assert not y.requires_grad and y.op == "scale"


def test_reflected_operators_with_numpy_and_numbers():
    x = engram.Var(np.full((1, 2), 2.0, np.float32))
    a = np.ones((1, 2), np.float32)
    assert isinstance(a + x, engram.Var) and isinstance(a * x, engram.Var)  # not a numpy result
    np.testing.assert_allclose((1.0 - x).value, [[-1, -1]])
    np.testing.assert_allclose((1.0 / x).value, [[0.5, 0.5]])
    np.testing.assert_allclose((x ** 2).value, [[4, 4]])
    np.testing.assert_allclose(np.asarray(x), [[2, 2]])


def test_backward_seed_and_errors():
    x = engram.Var(np.ones((2, 2), np.float32), requires_grad=True)
    y = x * 3.0
    y.backward(np.ones((2, 2), np.float32))
    np.testing.assert_array_equal(x.grad, np.full((2, 2), 3.0))
    with pytest.raises(ValueError, match=r"seed"):
        y.backward(np.ones((3, 3), np.float32))
    with pytest.raises(ValueError, match=r"axis must be 0"):
        ops.sum(x, axis=2)


def test_options_and_rng():
    o = engram.Options({"beta": 2.0, "mode": "window", "on": True, "k": 3})
    assert o.number("beta", 1.0) == 2.0 and o.string("mode", "") == "window"
    assert o.boolean("on", False) and o.integer("k", 1) == 3
    o.finish("test")
    left = engram.Options({"hiden": 3})
    with pytest.raises(ValueError, match=r"hiden"):
        left.finish("test")
    with pytest.raises(TypeError):
        engram.Options({"x": [1, 2]})
    a, b = engram.Rng(5, "x"), engram.Rng(5, "x")
    np.testing.assert_array_equal(a.normal_matrix(2, 3), b.normal_matrix(2, 3))
    assert engram.Rng(5, "x").child(1).uniform() != engram.Rng(5, "x").child(2).uniform()


def test_segment_ops_are_attention_per_set():
    """A ragged batch of two sets (rows 0-2 and 3-4) and an empty one, against numpy per set."""
    rng = np.random.default_rng(1)
    u = rng.normal(size=(3, 4)).astype(np.float32)
    m = rng.normal(size=(5, 4)).astype(np.float32)
    offsets = [0, 3, 3, 5]
    scores = ops.segment_dot(u, m, offsets)
    p = ops.segment_softmax(scores, offsets, beta=2.0)
    out = np.asarray(ops.segment_weighted_sum(p, m, offsets))
    for s, (lo, hi) in enumerate([(0, 3), (3, 3), (3, 5)]):
        z = 2.0 * (m[lo:hi] @ u[s])
        w = np.exp(z - z.max()) / np.exp(z - z.max()).sum() if hi > lo else np.zeros(0)
        np.testing.assert_allclose(np.asarray(p)[lo:hi, 0], w, rtol=1e-5)
        np.testing.assert_allclose(out[s], w @ m[lo:hi] if hi > lo else np.zeros(4), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="offsets from 0 to 5"):
        ops.segment_dot(u, m, [0, 3, 4, 4])
