"""The pointer network from Python (engram.PointerNet) and the pointer tasks through engram.run:
teacher-forced loss and its gradients, beam search against an enumeration, hostile inputs as
Python exceptions, and a short sort run scored on its test split."""

import itertools

import numpy as np
import pytest

import engram


def make(end_token=False, seed=3):
    return engram.PointerNet(2, embed=6, encoder={"name": "lstm", "hidden": 5, "bidirectional": True},
                             score="additive", score_options={"hidden": 4}, end_token=end_token, seed=seed)


def test_loss_gradients_reach_every_parameter():
    net = make()
    x = np.random.default_rng(0).uniform(-1, 1, (4, 2)).astype(np.float32)
    net.zero_grad()
    net.loss(x, [2, 0, 3, 1]).backward()
    grads = {k: v.grad for k, v in net.parameters().items()}
    assert set(grads) >= {"go", "embed.weight", "score.v"}
    assert all(g is not None and np.isfinite(g).all() for g in grads.values())
    assert any(np.abs(g).max() > 0 for g in grads.values())


def test_beam_search_is_exact_when_it_keeps_every_permutation():
    net = make(seed=5)
    x = np.random.default_rng(1).uniform(-1, 1, (4, 2)).astype(np.float32)
    with engram.no_grad():
        scored = sorted(((-4 * float(net.loss(x, list(p)).value[0, 0]), list(p)) for p in itertools.permutations(range(4))),
                        reverse=True)
    beams = net.beam_search(x, steps=4, width=24)
    assert [b.output for b in beams[:5]] == [p for _, p in scored[:5]]
    assert beams[0].log_prob == pytest.approx(scored[0][0], abs=1e-4)
    greedy, attention = net.greedy(x, steps=4)
    assert greedy == net.beam_search(x, steps=4, width=1)[0].output
    np.testing.assert_allclose(attention.sum(axis=1), 1, atol=1e-5)


def test_kool_decoder_from_python_points_at_a_permutation_and_trains_every_parameter():
    net = engram.PointerNet(2, embed=8, encoder={"name": "transformer", "layers": 1, "heads": 2, "ff": 16,
                                                  "decoder": "attention", "clip": 5}, seed=2)
    names = set(net.parameters())
    assert {"decoder.v_first", "decoder.v_last", "decoder.w_l.weight", "encoder.norm.gain"} <= names
    assert not any(n.startswith("score") for n in names)  # Kool et al.'s decoder points by itself
    x = np.random.default_rng(2).uniform(0, 1, (5, 2)).astype(np.float32)
    net.zero_grad()
    net.loss(x, [3, 0, 4, 1, 2]).backward()
    assert all(v.grad is not None and np.isfinite(v.grad).all() and np.abs(v.grad).max() > 0
               for v in net.parameters().values())
    out, attention = net.greedy(x, steps=5)
    assert sorted(out) == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(attention.sum(axis=1), 1, atol=1e-5)
    with pytest.raises(ValueError, match="hidden"):
        engram.PointerNet(2, embed=8, encoder={"name": "transformer", "heads": 2, "decoder": "attention", "hidden": 8})


@pytest.mark.parametrize("call", [
    lambda n: n.loss(np.zeros((0, 2), np.float32), [0]),
    lambda n: n.loss(np.zeros((3, 1), np.float32), [0, 1, 2]),
    lambda n: n.loss(np.zeros((3, 2), np.float32), [0, 3, 1]),
    lambda n: n.loss(np.zeros((3, 2), np.float32), [0, 0, 1]),
    lambda n: n.loss(np.zeros((3, 2), np.float32), []),
    lambda n: n.greedy(np.zeros((3, 2), np.float32), steps=0),
    lambda n: n.beam_search(np.zeros((3, 2), np.float32), steps=3, width=0),
    lambda n: n.greedy(np.full((3, 2), np.nan, np.float32), steps=10**9),
    lambda n: engram.PointerNet(0),
    lambda n: engram.PointerNet(2, encoder={"name": "nope"}),
    lambda n: engram.PointerNet(2, score="nope"),
])
def test_misuse_raises_python_exceptions(call):
    with pytest.raises((ValueError, TypeError)):
        call(make())


def test_sort_run_scores_its_test_split(tmp_path):
    r = engram.run("experiments/configs/pointer/sort10.yaml",
                   ["task.min_n=4", "task.max_n=4", "task.val_size=50", "task.test_size=50", "task.eval_lengths=[]",
                    "model.embed=16", "model.encoder.hidden=16", "model.score.hidden=16", "trainer.steps=150",
                    "trainer.eval_every=150", "trainer.batch=32", "trainer.optimizer.lr=0.005"],
                   runs_root=str(tmp_path))
    s = r.summary
    assert s["status"] == "completed"
    # chance is 1/4! = 4%; after 150 steps most lists of 4 are sorted
    assert s["final"]["test/sequence_accuracy"] > 0.5
    assert s["final"]["test/token_accuracy"] >= s["final"]["test/sequence_accuracy"]


def test_seq2seq_from_python_beam_width_one_is_greedy_and_misuse_raises():
    net = engram.Seq2Seq(6, 5, embed=8, encoder={"name": "lstm", "hidden": 8, "bidirectional": True},
                         input_feeding=True, seed=4)
    net.zero_grad()
    net.loss([2, 3, 4], [4, 3, 2, 0]).backward()
    assert all(v.grad is not None and np.isfinite(v.grad).all() for v in net.parameters().values())
    out, attention = net.greedy([2, 3, 4], max_length=6)
    assert net.beam_search([2, 3, 4], max_length=6, width=1)[0].output == out
    np.testing.assert_allclose(attention.sum(axis=1), 1, atol=1e-5)
    for bad in [lambda: net.loss([], [0]), lambda: net.loss([6], [0]), lambda: net.loss([1], [1, 0]),
                lambda: net.greedy([1], max_length=0), lambda: net.beam_search([1], 3, width=0),
                lambda: engram.Seq2Seq(1, 5), lambda: engram.Seq2Seq(6, 5, score="nope"),
                lambda: net.loss([-1], [0])]:
        with pytest.raises((ValueError, TypeError)):
            bad()

