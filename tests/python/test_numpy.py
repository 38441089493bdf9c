"""numpy in and out: zero-copy views and results, and every error case of the conversion."""

import numpy as np
import pytest

import engram
from engram import hopfield


def test_package_resolves_with_extension():
    assert engram._engram.__file__.endswith(".so")
    assert engram.__file__.replace("__init__.py", "") in engram._engram.__file__


def test_var_value_is_a_readonly_view_of_the_node():
    v = engram.Var(np.arange(6, dtype=np.float32).reshape(2, 3))
    a, b = v.value, v.value
    assert a.dtype == np.float32 and a.shape == (2, 3) and a.flags.c_contiguous
    assert np.shares_memory(a, b)  # both views of the node's own value
    assert not a.flags.writeable
    with pytest.raises(ValueError):
        a[0, 0] = 1


def test_view_outlives_its_var():
    a = engram.Var(np.ones((3, 3), np.float32)).value  # the Var is gone; the view keeps the node
    assert float(a.sum()) == 9.0


def test_parameter_data_is_a_writable_view_seen_by_cpp():
    att = engram.Attention("bilinear", query_dim=2, key_dim=2)
    (name, w), = att.parameters().items()
    view = w.data
    assert view.flags.writeable and np.shares_memory(view, w.data)
    view[...] = np.eye(2, dtype=np.float32)  # written in place: C++ sees it at once
    s = att.score(np.array([[1.0, 2.0]], np.float32), np.array([[3.0, 4.0]], np.float32))
    assert s.value[0, 0] == pytest.approx(11.0)


def test_grad_is_a_view_of_the_accumulated_gradient():
    x = engram.Var(np.ones((1, 3), np.float32), requires_grad=True)
    assert x.grad is None
    engram.ops.sum(x * 2.0).backward()
    g = x.grad
    assert np.shares_memory(g, x.grad)
    np.testing.assert_array_equal(g, [[2, 2, 2]])
    engram.ops.sum(x * 3.0).backward()  # gradients accumulate (+=) into the same buffer
    np.testing.assert_array_equal(g, [[5, 5, 5]])


def test_results_are_handed_over_without_copy():
    X = hopfield.random_patterns(4, 16, seed=1)
    assert X.dtype == np.float32 and X.flags.c_contiguous and X.flags.writeable
    assert not X.flags.owndata and X.base is not None  # numpy wraps engram's buffer (a capsule)
    mem = hopfield.ModernHopfield(X, beta=4.0)
    out = mem.update(X)
    assert not out.flags.owndata and out.shape == (4, 16)


def test_stored_patterns_and_weights_are_views():
    X = hopfield.random_patterns(3, 32, seed=2)
    mem = hopfield.ModernHopfield(X, beta=2.0)
    p1, p2 = mem.patterns, mem.patterns
    assert np.shares_memory(p1, p2) and not p1.flags.writeable
    np.testing.assert_array_equal(p1, X)
    net = hopfield.BinaryHopfield.store(X)
    assert np.shares_memory(net.matrix, net.matrix)
    dense = hopfield.DenseMemory(X)
    assert np.shares_memory(dense.patterns, dense.patterns)
    r = net.run(X)
    assert np.shares_memory(r.states, r.states)


def test_memory_state_is_a_view():
    mem = engram.ExternalMemory.ntm(slots=8, width=4)
    state = mem.initial_state()
    mem.step(state, np.zeros((1, mem.interface_size), np.float32))
    m = state.memory.value
    assert m.shape == (8, 4) and np.shares_memory(m, state.memory.value)


def test_float64_and_layouts_are_converted():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    np.testing.assert_array_equal(engram.Var(a).value, a)
    f = np.asfortranarray(a.astype(np.float32))
    np.testing.assert_array_equal(engram.Var(f).value, a)
    strided = np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2]
    np.testing.assert_array_equal(engram.Var(strided).value, strided)
    assert engram.Var(np.ones(5, np.float32)).shape == (1, 5)  # a 1-D array is one row
    np.testing.assert_array_equal(engram.Var([[1, 2], [3, 4]]).value, [[1, 2], [3, 4]])


@pytest.mark.parametrize("bad", [np.ones((2, 2), np.int64), np.ones((2, 2), bool), np.ones((2, 2), np.complex64),
                                 np.ones((2, 2), np.float16), "text", object()])
def test_wrong_dtype_is_a_type_error_naming_the_form(bad):
    with pytest.raises(TypeError, match=r"expected a float32 array"):
        engram.Var(bad)


@pytest.mark.parametrize("shape", [(), (2, 2, 2), (1, 1, 1, 1)])
def test_wrong_rank_is_a_value_error(shape):
    with pytest.raises(ValueError, match=r"expected a 2-D array"):
        engram.Var(np.ones(shape, np.float32))


def test_wrong_shapes_name_the_expected_shape():
    mem = hopfield.ModernHopfield(np.eye(4, dtype=np.float32), beta=1.0)
    with pytest.raises(ValueError, match=r"expected shape \[2 x 4\], got \[2 x 5\]"):
        mem.update(np.ones((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"inner dimensions"):
        engram.ops.matmul(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"\[1 x 28\]"):
        m = engram.ExternalMemory.ntm(8, 4)
        m.step(m.initial_state(), np.zeros((1, 3), np.float32))
    with pytest.raises(ValueError, match=r"must be \+-1"):
        hopfield.BinaryHopfield.store(np.full((2, 4), 0.5, np.float32))
    with pytest.raises(TypeError, match=r"patterns \[P x N\]: expected a float32 array"):
        hopfield.BinaryHopfield.store(np.ones((2, 4), np.int8))


def test_ints_for_ids():
    x = engram.Var(np.eye(3, dtype=np.float32))
    assert engram.ops.gather_rows(x, [2, 0]).shape == (2, 3)
    assert engram.ops.gather_rows(x, np.array([1], np.int32)).shape == (1, 3)
    with pytest.raises(TypeError, match=r"sequence of ints"):
        engram.ops.gather_rows(x, [0.5])
    with pytest.raises(ValueError):
        engram.ops.gather_rows(x, [7])
