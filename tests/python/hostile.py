"""Calls every public callable of the engram package with hostile arguments.

The public API is found by introspection: the callables of ``engram`` and of each of its
submodules, the constructors of its classes, and the methods of one instance of each class.
Each parameter's type is read from the signature (pybind11's docstring signatures, or
``inspect.signature``); the calls put one hostile value at one parameter while the others take
a benign value of their type, then a few all-hostile calls. Hostile values: None, scalars of
the wrong kind, NaN/inf, absurd integers, long and odd strings, and arrays that are 0-size,
1-D, 3-D, float64, int64, bool, complex, Fortran-ordered, strided, 0-strided views of absurd
size, NaN and inf.

Any Python exception is a fine answer. A signal (segfault, abort, floating-point trap) or a call
that does not return within the time limit is a failure. ``run_all`` runs the calls in child
processes (address space limited, so absurd sizes fail fast as MemoryError); when a child dies,
the call it was running is recorded and the next child starts after it.

    python3 tests/python/hostile.py            # every call, a report, exit status 1 on a crash
"""

import inspect
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

F32 = np.float32
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KV = os.path.join(ROOT, "experiments", "configs", "kv_retrieval.yaml")


def hostile_arrays():
    big = np.broadcast_to(np.ones(1, F32), (10 ** 6, 10 ** 6))  # 10^12 elements, 0-strided
    return [
        np.zeros((0,), F32), np.zeros((0, 0), F32), np.zeros((0, 3), F32), np.zeros((3, 0), F32),
        np.ones(4, F32), np.ones((2, 2, 2), F32), np.array(1.0, F32), np.ones((3, 3), np.float64),
        np.ones((3, 3), np.int64), np.ones((3, 3), bool), np.ones((3, 3), np.complex64),
        np.asfortranarray(np.arange(12, dtype=F32).reshape(3, 4)), np.ones((6, 9), F32)[::2, ::3],
        np.full((3, 3), np.nan, F32), np.full((3, 3), np.inf, F32), np.full((2, 5), -np.inf, F32), big,
        np.ones((1, 1), F32),
    ]


HOSTILE_FLOATS = [float("nan"), float("inf"), float("-inf"), -1.0, 0.0, 1e308, -1e308, 5e-324]
HOSTILE_INTS = [-1, 0, 2 ** 31, 2 ** 63 - 1, -(2 ** 63), 10 ** 12, 2 ** 70]
# (paths climb out of the work folder of the child, which sits 4 levels deep in a temporary
# folder: a hostile path never reaches outside the temporary folder)
HOSTILE_STRS = ["", "\0", "x" * 100000, "../../../../escape", "no_such_name", "\u00e9\U0001f642", "a=b=c", "-"]
HOSTILE_OTHER = [None, [], [[]], {}, object(), (1, 2), b"\xff\xfe", 3.5, "x"]


# engram classes that parameters may ask for: a benign instance of each (OBJECTS) and, as
# hostile values, None, a plain object and an instance of another engram class.
OBJECTS = {}


def kind_of(annotation):
    """A coarse kind for a parameter's annotation text."""
    for cls in OBJECTS:
        if re.search(r"\b" + cls + r"\b", annotation or "") and "list" not in (annotation or "").lower():
            return "obj:" + cls
    a = (annotation or "").lower()
    if a == "handle":
        return "array"
    if a in ("", "object", "any", "inspect._empty", "<class 'inspect._empty'>"):
        return "any"
    if "list[" in a or "sequence[" in a or "iterable[" in a or "tuple[" in a:
        if "var" in a or "ndarray" in a or "array" in a:
            return "list_array"
        if "int" in a or "float" in a:
            return "list_int"
        return "list_any"
    if "callable" in a or "function" in a:
        return "callable"
    if "dict" in a or "mapping" in a:
        return "dict"
    if "var" in a or "ndarray" in a or "numpy" in a or "array" in a:
        return "array"
    if a in ("bool", "<class 'bool'>"):
        return "bool"
    if a in ("int", "<class 'int'>") or a.endswith(".int") or "int]" in a:
        return "int"
    if "float" in a:
        return "float"
    if "str" in a or "path" in a:
        return "str"
    return "any"


def benign(kind):
    if kind.startswith("obj:"):
        return OBJECTS[kind[4:]]
    return {
        "array": np.ones((3, 3), F32), "float": 1.0, "int": 2, "str": "x", "bool": False,
        "list_int": [0, 1], "list_array": [np.ones((2, 2), F32)], "list_any": [], "dict": {},
        "callable": (lambda *a, **k: None), "any": None,
    }[kind]


def hostile(kind):
    if kind.startswith("obj:"):
        others = [v for k, v in sorted(OBJECTS.items()) if k != kind[4:]][:2]
        return [None, object(), np.zeros((0, 0), F32)] + others
    if kind == "array":
        return hostile_arrays() + [None, 1.0, "x", [[1.0, 2.0], [3.0]]]
    if kind == "float":
        return HOSTILE_FLOATS + [None, "x", np.zeros((0,), F32)]
    if kind == "int":
        return HOSTILE_INTS + [None, 1.5, "x"]
    if kind == "str":
        return HOSTILE_STRS + [None, 3]
    if kind == "bool":
        return [None, 2, "x"]
    if kind == "list_int":
        return [[], [-1], [2 ** 40], [0] * 5, [1.5], None, [[0]], np.zeros((0,), np.int64), np.array([-5, 7])]
    if kind == "list_array":
        return [[], [np.zeros((0, 0), F32)], [np.zeros((0, 3), F32), np.ones((2, 3), F32)], [None], None,
                [np.ones((2, 2, 2), F32)]]
    if kind == "callable":
        return [None, 3, (lambda *a, **k: 1 / 0), (lambda *a, **k: np.zeros((0, 0), F32)),
                (lambda *a, **k: None)]
    if kind == "dict":
        return [None, {"x": object()}, {"": float("nan")}, []]
    return HOSTILE_OTHER + hostile_arrays()[:4]


# ---- signatures -------------------------------------------------------------------------------

SIG_RE = re.compile(r"^(?:\d+\.\s*)?[\w.]+\((.*)\)\s*(?:->.*)?$")


def split_params(text):
    """'a: int, b: list[int] = [1, 2]' -> [('a', 'int', False), ('b', 'list[int]', True)]"""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[({" or ch == "<":
            depth += 1
        elif ch in "])}" or ch == ">":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    params = []
    for p in out:
        p = p.strip()
        if not p or p in ("*", "/") or p.startswith("*"):
            continue
        has_default = "=" in p
        name, _, ann = p.split("=")[0].partition(":")
        params.append((name.strip(), ann.strip(), has_default, False))
    return params


def signatures(fn):
    """Parameter lists of every overload of `fn` (pybind docstring, else inspect): tuples
    (name, annotation, has default, keyword-only)."""
    if inspect.isclass(fn):
        init = vars(fn).get("__init__") or getattr(fn, "__init__", None)
        if init is not None and "pybind11" in type(init).__name__ or "instancemethod" in type(init).__name__:
            fn = init
        elif init is not None and inspect.isfunction(init):
            fn = init
    doc = getattr(fn, "__doc__", None) or ""
    sigs = []
    for line in doc.splitlines():
        m = SIG_RE.match(line.strip())
        if m and "(" in line:
            params = split_params(m.group(1))
            if params and params[0][0] == "self":
                params = params[1:]
            sigs.append(params)
        if sigs and not line.strip():
            break
    if sigs:
        return sigs
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return [[("arg", "", False, False)]]
    params = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name == "self":
            continue
        ann = "" if p.annotation is inspect.Parameter.empty else str(p.annotation)
        params.append((p.name, ann, p.default is not inspect.Parameter.empty, p.kind == p.KEYWORD_ONLY))
    return [params]


# Benign strings where "x" would stop every call at an unknown name before the other
# parameters are read.
BENIGN_STR = {"score": "dot", "normalizer": "softmax", "rule": "hebbian", "interaction": "polynomial",
              "split": "val", "metric": "val/loss", "config": KV, "dynamics": "sync", "kind": "tasks"}
BENIGN_NAME = {"Score": "dot", "Normalizer": "softmax", "Attention": "dot"}


def benign_for(owner, name, kind):
    if name == "overrides":
        return ["trainer.steps=2", "trainer.eval_every=1", "model.hidden=4", "task.val_size=8"]
    if kind in ("str", "any") and name in BENIGN_STR:
        return BENIGN_STR[name]
    if kind == "str":
        if name == "name" and owner in BENIGN_NAME:
            return BENIGN_NAME[owner]
        return BENIGN_STR.get(name, "x")
    return benign(kind)


def call(args, names, keyword, pos, value):
    """Positional args up to the first defaulted one; from there on, only `pos` if it is set,
    by keyword (pybind's unnamed argN only by position)."""
    a, k = [], {}
    for i, v in enumerate(args):
        if keyword[i] and i != pos and not (names[i] in BENIGN_STR or names[i] == "overrides"):
            continue
        if keyword[i] and not names[i].startswith("arg"):
            k[names[i]] = value if i == pos else v
        elif not k:
            a.append(value if i == pos else v)
    return tuple(a), k


def arg_lists(fn, owner=""):
    """The hostile calls for `fn`: (args, kwargs) pairs."""
    calls = [((), {})]
    for params in signatures(fn):
        names = [p[0] for p in params]
        kinds = [kind_of(p[1]) for p in params]
        keyword = [p[2] or p[3] for p in params]  # defaulted or keyword-only: given only when tested
        base = [benign_for(owner, n, k) for n, k in zip(names, kinds)]
        calls.append(call(base, names, keyword, -1, None))
        for i, k in enumerate(kinds):
            for v in hostile(k):
                calls.append(call(base, names, keyword, i, v))
        n = len(kinds)
        if n:
            for v in [None, np.zeros((0, 0), F32), float("nan"), -1, ""]:
                calls.append(call([v] * n, names, [False] * n, -1, None))
    unique, seen = [], set()
    for args, kwargs in calls:
        key = repr([describe(a) for a in args]) + repr(sorted((k, describe(v)) for k, v in kwargs.items()))
        if key not in seen:
            seen.add(key)
            unique.append((args, kwargs))
    return unique


# ---- targets ----------------------------------------------------------------------------------

def public_names(mod):
    names = getattr(mod, "__all__", None) or [n for n in dir(mod) if not n.startswith("_")]
    return [n for n in names if hasattr(mod, n)]


# Instances whose methods are called: a benign construction for classes whose constructor
# needs specific values. Classes not listed are constructed from benign values of their types.
def samples(engram, workdir):
    """Benign constructions of the classes whose methods are called (or that parameters ask for)."""
    h = engram.hopfield

    def run():
        return engram.run(KV, ["trainer.steps=2", "trainer.eval_every=1", "model.hidden=4", "task.val_size=8"],
                          runs_root=os.path.join(workdir, "runs"))

    return {
        "Attention": lambda: engram.Attention("dot", query_dim=3, key_dim=3),
        "Module": lambda: engram.Attention("additive", query_dim=3, key_dim=3),
        "Score": lambda: engram.Score.make("bilinear", 3, 3),
        "Normalizer": lambda: engram.Normalizer.make("sparsemax"),
        "ResultsIndex": lambda: engram.ResultsIndex(os.path.join(workdir, "idx.sqlite")),
        "Var": lambda: engram.Var(np.ones((3, 3), F32), requires_grad=True),
        "Rng": lambda: engram.Rng(1),
        "ExternalMemory": lambda: engram.ExternalMemory.ntm(slots=4, width=3, read_heads=1),
        "MemoryState": lambda: engram.ExternalMemory.dnc(slots=4, width=3, read_heads=2).initial_state(),
        "Config": lambda: engram.Config.load(KV),
        "Run": run,
        "RunRecord": lambda: engram.RunRecord(),
        "BinaryHopfield": lambda: h.BinaryHopfield.store(h.random_patterns(3, 16)),
        "DenseMemory": lambda: h.DenseMemory(h.random_patterns(3, 16)),
        "ModernHopfield": lambda: h.ModernHopfield(h.random_patterns(3, 16), 2.0),
        "PackedHebbian": lambda: h.PackedHebbian(h.random_patterns(3, 64)),
    }


def make_objects(engram, workdir):
    """Fills OBJECTS with one benign instance per class (those that can be made)."""
    OBJECTS.clear()
    for name, make in samples(engram, workdir).items():
        try:
            OBJECTS[name] = make()
        except Exception:
            pass


def targets(engram, workdir):
    """[(name, callable)] in a fixed order: module functions, constructors, instance methods."""
    import importlib
    import pkgutil

    mods = [engram]
    for info in pkgutil.iter_modules(engram.__path__):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module("engram." + info.name))
    # the harness's own test: HOSTILE_EXTRA=file.py adds that file's functions, HOSTILE_ONLY=1
    # leaves out engram's
    extra = os.environ.get("HOSTILE_EXTRA")
    if extra:
        import importlib.util

        spec = importlib.util.spec_from_file_location("engram_hostile_extra", extra)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        mods = ([] if os.environ.get("HOSTILE_ONLY") else mods) + [module]
    out, classes, seen = [], [], set()
    for mod in mods:
        for n in public_names(mod):
            obj = getattr(mod, n)
            if not callable(obj) or id(obj) in seen:
                continue
            if inspect.ismodule(obj):
                continue
            if getattr(obj, "__module__", "") and not str(getattr(obj, "__module__", "")).startswith("engram"):
                continue  # re-exported from elsewhere (numpy, typing, ...)
            seen.add(id(obj))
            name = mod.__name__ + "." + n
            if inspect.isclass(obj):
                classes.append((name, obj))
                out.append((name, obj))
                for m in sorted(vars(obj)):
                    attr = getattr(obj, m, None)
                    if m.startswith("_") or not callable(attr) or isinstance(vars(obj)[m], (property,)):
                        continue
                    if isinstance(vars(obj)[m], staticmethod) or type(vars(obj)[m]).__name__ == "builtin_function_or_method":
                        out.append((name + "." + m, attr))  # static / class-level functions
            else:
                out.append((name, obj))
    made = samples(engram, workdir)
    for name, cls in classes:
        short = name.rsplit(".", 1)[1]
        make = made.get(short)
        for m in sorted(dir(cls)):
            if m.startswith("_") and m not in ("__call__", "__getitem__", "__setitem__", "__array__"):
                continue
            raw = inspect.getattr_static(cls, m, None)
            if isinstance(raw, (property, staticmethod, classmethod)) or raw is None:
                continue
            if type(raw).__name__ not in ("instancemethod", "function", "method_descriptor", "wrapper_descriptor"):
                continue
            out.append((name + "()." + m, ("method", short, make, cls, m)))
    return out


def instance_of(spec, cache, engram):
    """A fresh-per-run instance of the method's class (made once, reused by its calls)."""
    _, short, make, cls, _ = spec
    if short not in cache:
        obj = None
        try:
            if make:
                obj = make()
            else:
                for args, kwargs in arg_lists(cls, short)[1:2]:
                    obj = cls(*args, **kwargs)
        except Exception:
            obj = None
        cache[short] = obj
    return cache[short]


def all_calls(engram, workdir):
    """[(target name, callable or method spec, args)] in a fixed order."""
    make_objects(engram, workdir)
    calls = []
    for name, fn in targets(engram, workdir):
        sig_source = fn if not isinstance(fn, tuple) else getattr(fn[3], fn[4])
        owner = fn[1] if isinstance(fn, tuple) else name.split(".")[-2] if name.count(".") >= 2 else ""
        for args in arg_lists(sig_source, owner):
            calls.append((name, fn, args))
    return calls


def describe(v):
    if isinstance(v, str) and "=" in v and not v.startswith("="):
        return v
    if isinstance(v, np.ndarray):
        return "ndarray(%s, %s%s)" % (v.shape, v.dtype, ", F" if v.flags.f_contiguous and not v.flags.c_contiguous else "")
    r = repr(v)
    return r if len(r) < 40 else r[:37] + "..."


# ---- running ----------------------------------------------------------------------------------

def child(start, end, progress_path):
    """Runs calls [start, end). The progress file gets the number of calls, then, before each
    call, its index and description (so that a parent knows what a dead child was doing)."""
    import resource

    # an address-space limit makes absurd sizes fail fast; AddressSanitizer (scripts/test
    # --sanitize) reserves terabytes of shadow address space and cannot run under one
    if "asan" not in os.environ.get("LD_PRELOAD", ""):
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    import engram

    workdir = os.getcwd()
    calls = all_calls(engram, workdir)
    cache = {}
    with open(progress_path, "w", buffering=1) as progress:
        progress.write("total %d\n" % len(calls))
        for i in range(start, min(end, len(calls))):
            name, fn, (args, kwargs) = calls[i]
            shown = [describe(a) for a in args] + ["%s=%s" % (k, describe(v)) for k, v in kwargs.items()]
            progress.write("%d\t%s(%s)\n" % (i, name.rsplit(".", 1)[-1] if "()" not in name else name, ", ".join(shown)))
            try:
                if isinstance(fn, tuple):
                    obj = instance_of(fn, cache, engram)
                    if obj is None:
                        continue
                    getattr(obj, fn[4])(*args, **kwargs)
                else:
                    fn(*args, **kwargs)
            except BaseException as e:  # any Python exception is a fine answer
                if isinstance(e, KeyboardInterrupt):
                    raise
        progress.write("done\n")


def run_all(batch=2000, timeout=300, env=None):
    """Runs every call in child processes, `batch` calls per child. Returns (number of calls,
    [problems]): a call during which its child died or that did not return within `timeout`."""
    here = os.path.dirname(os.path.abspath(__file__))
    problems = []
    start, total = 0, None
    with tempfile.TemporaryDirectory() as top:
        work = os.path.join(top, "a", "b", "c", "d")  # hostile relative paths stay inside top
        os.makedirs(work)
        progress = os.path.join(top, "progress")
        while total is None or start < total:
            cmd = [sys.executable, os.path.join(here, "hostile.py"), "child", str(start), str(start + batch), progress]
            try:
                r = subprocess.run(cmd, cwd=work, env=env, capture_output=True, timeout=timeout)
                code, hung = r.returncode, False
            except subprocess.TimeoutExpired:
                code, hung = None, True
            lines = open(progress).read().splitlines() if os.path.exists(progress) else []
            if not lines or not lines[0].startswith("total "):
                raise RuntimeError("the hostile-call child failed before its first call: %s"
                                   % (r.stderr.decode(errors="replace")[-2000:] if not hung else "timeout"))
            total = int(lines[0].split()[1])
            if lines[-1] == "done" and code == 0:
                start += batch
                continue
            last = lines[-1] if lines[-1] != "done" else None
            if last is None or "\t" not in last:  # died after its last call: move on
                start += batch
                continue
            index, what_call = last.split("\t", 1)
            what = "did not return within %d s" % timeout if hung else (
                "died with signal %d" % -code if code is not None and code < 0 else "exited with status %s" % code)
            tail = [] if hung else r.stderr.decode(errors="replace").strip().splitlines()[-3:]
            problems.append("%s %s%s" % (what_call, what, (": " + " | ".join(tail)) if tail else ""))
            start = int(index) + 1
    return total, problems


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        sys.exit(0)
    t0 = time.time()
    n, problems = run_all()
    for p in problems:
        print(p)
    print("%d hostile calls, %d problems, %.0f s" % (n, len(problems), time.time() - t0))
    sys.exit(1 if problems else 0)
