"""engram: memory-augmented networks and associative memory, from Python.

The compiled extension (``engram._engram``) holds engram's C++ core; this package re-exports
it and adds runs as Python objects, pandas frames, plots and distributed sweeps.

- autodiff: :class:`Var`, :mod:`engram.ops`, :class:`no_grad`, :class:`Rng`
- attention: :class:`Attention`, :class:`Score`, :class:`Normalizer`
- memories: :mod:`engram.hopfield`, :class:`ExternalMemory`
- networks: :class:`PointerNet`, :class:`Seq2Seq`
- experiments: :class:`Config`, :func:`run`, :class:`Run`, :class:`ResultsIndex`,
  :func:`compare`, :func:`sweep`, :func:`cli`
- components written in Python: :func:`register_score`, :func:`register_addressing`,
  :func:`register_task`, :func:`register_model`
- plots: :mod:`engram.plotting`

Arrays: float32 row-major (C order) 2-D arrays; float64 is converted, other dtypes raise
TypeError, other ranks ValueError. Results come back without a copy; parameters, stored
patterns and memories are views of engram's own storage.

>>> import numpy as np, engram
>>> att = engram.Attention("scaled_dot", query_dim=4, key_dim=4)
>>> out, weights = att(np.ones((1, 4), np.float32), np.eye(4, dtype=np.float32))
>>> weights.value.shape
(1, 4)
"""

from . import _engram
from ._engram import (
    AddressContext,
    AddressingShape,
    Attention,
    ComponentContext,
    Config,
    ConfigError,
    ExternalMemory,
    MemoryState,
    ModelContext,
    Module,
    Normalizer,
    NormalizerShape,
    Options,
    PointerBeam,
    PointerNet,
    ResultsIndex,
    Rng,
    RunRecord,
    Score,
    Seq2Seq,
    Seq2SeqBeam,
    ScoreShape,
    Var,
    build_info,
    cli,
    components,
    expand_multirun,
    grad_enabled,
    no_grad,
    register_addressing,
    register_model,
    register_score,
    register_task,
)
from . import hopfield, ops
from .runs import (
    Run,
    RunInterrupted,
    compare,
    compare_frame,
    metrics_frame,
    read_metrics,
    resume,
    run,
    runs,
    runs_frame,
)
from .sweeps import SweepResult, grid_overrides, sweep
from .comparison import Comparison, ComparisonError, comparison

__version__ = build_info()["version"]

__all__ = [
    # autodiff
    "Var",
    "ops",
    "no_grad",
    "grad_enabled",
    "Rng",
    "Options",
    "Module",
    # attention
    "Attention",
    "Score",
    "ScoreShape",
    "Normalizer",
    "NormalizerShape",
    # memories
    "hopfield",
    "ExternalMemory",
    "MemoryState",
    "AddressingShape",
    "AddressContext",
    # networks
    "PointerNet",
    "PointerBeam",
    "Seq2Seq",
    "Seq2SeqBeam",
    # components defined in Python
    "register_score",
    "register_addressing",
    "register_task",
    "register_model",
    "ComponentContext",
    "ModelContext",
    "components",
    # experiments
    "Config",
    "ConfigError",
    "expand_multirun",
    "run",
    "resume",
    "Run",
    "RunInterrupted",
    "read_metrics",
    "metrics_frame",
    "ResultsIndex",
    "RunRecord",
    "runs",
    "runs_frame",
    "compare",
    "compare_frame",
    "sweep",
    "comparison",
    "Comparison",
    "ComparisonError",
    "grid_overrides",
    "SweepResult",
    "cli",
    "build_info",
    "__version__",
]
