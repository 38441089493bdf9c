"""Direct APIs: attention mechanisms and memories called on arrays."""

import numpy as np
import pytest

import engram
from engram import hopfield


def test_attention_on_arrays_and_gradients():
    rng = np.random.default_rng(0)
    q = engram.Var(rng.normal(size=(2, 6)).astype(np.float32), requires_grad=True)
    keys = rng.normal(size=(5, 6)).astype(np.float32)
    values = rng.normal(size=(5, 3)).astype(np.float32)
    att = engram.Attention("additive", query_dim=6, key_dim=6, score_options={"hidden": 8})
    out, w = att(q, keys, values)
    assert out.shape == (2, 3) and w.shape == (2, 5)
    np.testing.assert_allclose(w.value.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(out.value, w.value @ values, rtol=1e-5)
    engram.ops.sum(out).backward()
    assert q.grad.shape == (2, 6)
    assert all(p.grad is not None for p in att.parameters().values())


def test_masks_and_normalizers():
    att = engram.Attention("dot", 2, 2, normalizer="sparsemax")
    _, w = att(np.ones((1, 2), np.float32), np.eye(2, dtype=np.float32), mask=np.array([[0, 1]], np.float32))
    np.testing.assert_allclose(w.value, [[1, 0]])
    s = engram.Normalizer.make("softmax", options={"temperature": 0.5})
    assert s(np.array([[0.0, 1.0]], np.float32)).value[0, 1] > 0.85
    with pytest.raises(ValueError, match=r"unknown normalizer"):
        engram.Normalizer.make("softmaks")
    with pytest.raises(ValueError, match=r"masks every position"):
        att(np.ones((1, 2), np.float32), np.eye(2, dtype=np.float32), mask=np.ones((1, 2), np.float32))


def test_hopfield_store_retrieve_energy():
    X = hopfield.random_patterns(8, 200, seed=3)
    probes = hopfield.flip_bits(X, 0.1, seed=4)
    net = hopfield.BinaryHopfield.store(X, "storkey")
    r = net.run(probes, update="asynchronous", record_energy=True, seed=5, threads=2)
    np.testing.assert_array_equal(r.states, X)
    assert r.converged_count == 8
    for st in r.stats:
        assert all(b <= a + 1e-9 for a, b in zip(st.energy, st.energy[1:]))  # energy never rises
    np.testing.assert_allclose(net.energy(X), [st.energy[-1] for st in r.stats], rtol=1e-6)


def test_packed_equals_dense_hebbian():
    X = hopfield.random_patterns(20, 256, seed=6)
    probes = hopfield.flip_bits(X, 0.2, seed=7)
    dense = hopfield.BinaryHopfield.store(X, "hebbian").run(probes, seed=1)
    packed = hopfield.PackedHebbian(X).run(probes, seed=1)
    np.testing.assert_array_equal(dense.states, packed.states)
    assert [s.sweeps for s in dense.stats] == [s.sweeps for s in packed.stats]


def test_modern_and_dense_memories():
    X = hopfield.random_patterns(64, 32, seed=8) / np.sqrt(32)
    mem = hopfield.ModernHopfield(X, beta=32.0)
    noisy = X + 0.02 * np.random.default_rng(1).normal(size=X.shape).astype(np.float32)
    r = mem.retrieve(noisy)
    assert hopfield.nearest_pattern(X, r.states) == list(range(64))
    assert all(t[-1] <= t[0] for t in r.energy)
    assert mem.weights(X).shape == (64, 64)
    B = hopfield.random_patterns(20, 32, seed=9)
    d = hopfield.DenseMemory(B, "polynomial", {"n": 4})
    np.testing.assert_array_equal(d.retrieve(hopfield.flip_bits(B, 0.1, seed=2)).states, B)
    with pytest.raises(ValueError, match=r"unknown option"):
        hopfield.DenseMemory(B, "exp", {"n": 2})


def test_external_memory_pipelines_and_backward():
    mem = engram.ExternalMemory(16, 6, heads=[
        {"kind": "read", "addressing": ["hopfield", {"name": "shift", "range": 1}, "sharpen"]},
        {"kind": "write", "addressing": ["content", "interpolate"]}], options={"init": "random"}, seed=1)
    names = [n for n, _, _ in mem.interface]
    assert "read0.key" in names and "write0.erase" in names
    x = engram.Var(np.random.default_rng(0).normal(size=(1, mem.interface_size)).astype(np.float32),
                   requires_grad=True)
    state = mem.initial_state()
    reads = mem.step(state, x)
    reads = mem.step(state, x * 0.5)
    assert reads.shape == (1, 6) and state.steps == 2
    np.testing.assert_allclose(state.read_weights[0].value.sum(), 1.0, rtol=1e-5)
    engram.ops.sum(reads).backward()
    assert np.abs(x.grad).sum() > 0
    dnc = engram.ExternalMemory.dnc(slots=8, width=4)
    s = dnc.initial_state()
    dnc.step(s, np.zeros((1, dnc.interface_size), np.float32))
    assert s.usage is not None and len(s.links) == 1


def test_external_memory_batches_advance_each_sequence_as_alone():
    mem = engram.ExternalMemory.ntm(slots=8, width=4, read_heads=2, seed=3)
    assert mem.batches
    xs = np.random.default_rng(1).normal(size=(2, 3, mem.interface_size)).astype(np.float32)  # steps x B x I
    together = mem.initial_state(batch=3)
    assert together.batch == 3 and together.memory.shape == (24, 4)
    alone = [mem.initial_state() for _ in range(3)]
    for t in range(2):
        reads = mem.step(together, xs[t])
        assert reads.shape == (3, 8)
        for b in range(3):
            np.testing.assert_allclose(reads.value[b], mem.step(alone[b], xs[t, b:b + 1]).value[0], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"must be \[3 x"):
        mem.step(together, xs[0, :2])
    with pytest.raises(ValueError, match="batch must be in"):
        mem.initial_state(batch=0)
    dnc = engram.ExternalMemory.dnc(slots=8, width=4)
    assert dnc.batches
    s = dnc.initial_state(batch=2)
    dnc.step(s, np.zeros((2, dnc.interface_size), np.float32))
    assert s.usage.shape == (2, 8) and s.links[0].shape == (16, 8)
    lru = engram.ExternalMemory.lru(slots=8, width=4)
    assert not lru.batches
    with pytest.raises(ValueError, match="cannot advance 2 sequences together"):
        lru.initial_state(batch=2)
