"""Hopfield associative memories: binary, bit-packed, dense and modern (docs/hopfield.md).

Binary states are float32 +-1 rows ([P x N] patterns, [B x N] probes); the modern memory
stores real rows. Stored patterns and weight matrices are read-only views (no copy).

>>> from engram import hopfield
>>> X = hopfield.random_patterns(10, 200, seed=1)
>>> net = hopfield.BinaryHopfield.store(X, "storkey")
>>> r = net.run(hopfield.flip_bits(X, 0.1, seed=2), update="asynchronous", seed=3)
>>> float(hopfield.overlaps(X, r.states).diagonal().mean())
1.0
"""

from . import _engram

__all__ = [
    "BatchResult",
    "BinaryHopfield",
    "DenseMemory",
    "DenseRetrieval",
    "ModernHopfield",
    "ModernRetrieval",
    "PackedHebbian",
    "RunStats",
    "flip_bits",
    "learning_rules",
    "nearest_pattern",
    "overlaps",
    "random_patterns",
    "rule_weights",
    "separation",
    "sign",
]

globals().update({_name: getattr(_engram.hopfield, _name) for _name in __all__})
