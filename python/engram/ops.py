"""Differentiable ops on :class:`engram.Var` (the functions of core/ops.h).

Each computes its value and records its backward; gradients are always added. Values are 2-D
float32 [rows x cols], vectors [1 x n] rows; elementwise binary ops broadcast numpy-style in
2-D; numpy arrays given where a Var is expected become constants.

>>> import numpy as np, engram
>>> from engram import ops
>>> q = engram.Var(np.ones((1, 4), np.float32), requires_grad=True)
>>> w = ops.softmax(ops.matmul_nt(q, np.eye(4, dtype=np.float32)))
>>> ops.sum(w * w).backward()
>>> q.grad.shape
(1, 4)
"""

from . import _engram

__all__ = [
    "abs",
    "add",
    "add_scalar",
    "bce_with_logits",
    "circular_conv",
    "concat",
    "constant",
    "cosine_similarity",
    "cross_entropy",
    "div",
    "dropout",
    "embedding_bag",
    "exp",
    "gather_rows",
    "layer_norm",
    "log",
    "log_softmax",
    "logsumexp",
    "lstm_cell",
    "masked_fill",
    "matmul",
    "matmul_nt",
    "max",
    "mean",
    "mse",
    "mul",
    "neg",
    "oneplus",
    "outer",
    "pow",
    "relu",
    "reshape",
    "rsub_scalar",
    "scale",
    "segment_dot",
    "segment_softmax",
    "segment_weighted_sum",
    "sigmoid",
    "slice_cols",
    "slice_rows",
    "softmax",
    "softplus",
    "sparsemax",
    "sqrt",
    "sub",
    "sum",
    "tanh",
    "transpose",
]

globals().update({_name: getattr(_engram.ops, _name) for _name in __all__})
