"""Writes the type stubs of the extension from the built module's pybind11 signatures.

    PYTHONPATH=build/python python3 python/tools/make_stubs.py          # writes python/engram/*.pyi
    PYTHONPATH=build/python python3 python/tools/make_stubs.py --check  # exit 1 if they are stale

Outputs python/engram/_engram.pyi (the module), ops.pyi and hopfield.pyi (its submodules, which
the pure modules engram.ops and engram.hopfield re-export), and the __all__ of engram/ops.py (the
list of the extension's ops: a new op bound in register_core.cpp appears there when this runs). pybind11 writes every signature into
the first line of each docstring ("f(x: engram._engram.Var, axis: Optional[int] = None) ->
engram._engram.Var"); this translates its types into Python's. Arguments the bindings take as
py::handle / py::object (arrays, seeds, options) get their types from NAMED below, by argument
name; results of py::object / py::dict from RESULTS, by qualified name. tests/python/test_stubs.py
checks that the files are what this writes and that every name matches the module.
"""

import inspect
import os
import re
import sys

ARRAY = "NDArray[numpy.float32]"
OPTIONS = "dict[str, float | int | bool | str] | Options | None"

# argument name -> type, for arguments bound as py::handle / py::object
NAMED = {
    "seed": "int | Rng",
    "options": OPTIONS,
    "score_options": OPTIONS,
    "normalizer_options": OPTIONS,
    "mask": "ArrayLike | None",
    "values": "Var | ArrayLike | None",
    "query": "Var | ArrayLike | None",
    "theta": "ArrayLike | None",
    "params": "dict[str, Any] | None",
    "cls": "type | str | None",
    "dtype": "Any",
    "idx": "ArrayLike",
    "ids": "ArrayLike",
    "offsets": "ArrayLike",
    "weights": "ArrayLike | None",
    "targets": "ArrayLike",
    "heads": "list[dict[str, Any]]",
}
# qualified name -> result type, for results bound as py::object, py::dict, py::tuple, py::list
RESULTS = {
    "register_score": "Any",
    "register_addressing": "Any",
    "cli": "tuple[int, str, str]",
    "_run": "dict[str, Any]",
    "build_info": "dict[str, Any]",
    "Var.grad": f"{ARRAY} | None",
    "Var.shape": "tuple[int, int]",
    "Var.__array__": "NDArray[Any]",
    "Module.parameters": "dict[str, Var]",
    "Attention.__call__": "tuple[Var, Var]",
    "ExternalMemory.interface": "list[tuple[str, int, str]]",
    "MemoryState.usage": "Var | None",
    "MemoryState.lru_usage": "Var | None",
    "AddressContext.usage": "Var | None",
    "AddressContext.lru_usage": "Var | None",
    "Config.flatten": "dict[str, str]",
    "RunRecord.to_dict": "dict[str, Any]",
}
HEADER = {
    "_engram": ["from . import hopfield as hopfield", "from . import ops as ops"],
    "ops": ["from ._engram import Rng, Var"],
    "hopfield": ["from ._engram import Options, Rng"],
}


def py_type(t, arg=None, qual=None, module="_engram"):
    t = t.strip()
    if arg is None and qual in RESULTS:
        return RESULTS[qual]
    if arg is not None and arg in NAMED and t in ("handle", "object", "dict", "list"):
        return NAMED[arg]
    if t in ("handle", "object"):
        return "ArrayLike" if t == "handle" else "Any"
    t = re.sub(r"numpy\.ndarray\[numpy\.(\w+)\]", r"NDArray[numpy.\1]", t)
    t = re.sub(r"engram\._engram\.hopfield\.(\w+)", r"\1" if module == "hopfield" else r"hopfield.\1", t)
    t = re.sub(r"engram\._engram\.(\w+)", r"\1", t)
    for a, b in (("List[", "list["), ("Dict[", "dict["), ("Tuple[", "tuple["), ("Set[", "set[")):
        t = t.replace(a, b)
    if t == "dict":
        t = "dict[str, Any]"
    if t == "tuple":
        t = "tuple[Any, ...]"
    if t == "list":
        t = "list[Any]"
    if t == "args":
        t = "Any"
    return t


def split_args(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def signatures(obj):
    """The pybind11 signature lines of a function: [(args text, return text)], one per overload."""
    doc = obj.__doc__ or ""
    lines = doc.splitlines()
    sigs = []
    name = getattr(obj, "__name__", "")
    if lines and lines[0].startswith(name + "(*args, **kwargs)") and "Overloaded function." in doc:
        pat = re.compile(r"^\d+\. " + re.escape(name) + r"\((.*)\) -> (.*)$")
        for l in lines:
            m = pat.match(l)
            if m:
                sigs.append((m.group(1), m.group(2)))
    else:
        pat = re.compile(r"^" + re.escape(name) + r"\((.*)\) -> (.*)$")
        for l in lines[:1]:
            m = pat.match(l)
            if m:
                sigs.append((m.group(1), m.group(2)))
    return sigs


def render_def(name, args, ret, qual, module, indent, method, static=False):
    parts = []
    for i, a in enumerate(split_args(args)):
        if a.startswith("*"):
            an = a.split(":")[0].strip()
            parts.append(f"{an}: {'str' if qual.endswith('override') else 'Any'}")
            continue
        m = re.match(r"^(\w+)(?:: (.*?))?(?: = (.*))?$", a)
        an, at, default = m.group(1), m.group(2) or "Any", m.group(3)
        if method and not static and i == 0:
            parts.append("self")
            continue
        typ = py_type(at, an, qual, module)
        if typ == "Var":
            typ = "Var | ArrayLike"  # arrays convert to constants implicitly
        parts.append(f"{an}: {typ}" + (" = ..." if default is not None else ""))
    r = py_type(ret, None, qual, module)
    return f"{indent}def {name}({', '.join(parts)}) -> {r}: ..."


def emit_function(name, fn, qual, module, indent="", method=False, static=False):
    sigs = signatures(fn)
    if not sigs:
        return [f"{indent}def {name}(*args: Any, **kwargs: Any) -> Any: ..."]
    out = []
    for a, r in sigs:
        if len(sigs) > 1:
            out.append(f"{indent}@overload")
        if static:
            out.append(f"{indent}@staticmethod")
        out.append(render_def(name, a, r, qual, module, indent, method, static))
    return out


def emit_class(name, cls, module):
    bases = [b.__name__ for b in cls.__bases__ if b.__name__ not in ("pybind11_object", "object")]
    if issubclass(cls, BaseException):
        bases = [cls.__bases__[0].__name__]
    out = [f"class {name}({', '.join(bases)}):" if bases else f"class {name}:"]
    body = []
    for attr in sorted(cls.__dict__):
        if attr.startswith("_pybind11") or attr in ("__doc__", "__module__", "__dict__", "__weakref__"):
            continue
        v = cls.__dict__[attr]
        qual = f"{name}.{attr}"
        if attr.startswith("__") and not callable(v) and not isinstance(v, (staticmethod, property)):
            if v is None:
                body.append(f"    {attr}: None")
            continue
        if isinstance(v, property):
            m = re.match(r"^\((?:self|arg0): [\w.]+\) -> (.*)$", (v.fget.__doc__ or "").splitlines()[0])
            typ = py_type(m.group(1), None, qual, module) if m else "Any"
            if typ in ("handle", "object"):
                typ = RESULTS.get(qual, "Any")
            body.append("    @property")
            body.append(f"    def {attr}(self) -> {typ}: ...")
            if v.fset is not None:
                body.append(f"    @{attr}.setter")
                body.append(f"    def {attr}(self, value: {typ}) -> None: ...")
            continue
        if isinstance(v, staticmethod):
            body += emit_function(attr, v.__func__, qual, module, "    ", method=True, static=True)
            continue
        if callable(v):
            if attr == "__init__" and not signatures(v):
                continue  # no constructor bound: made by engram only
            body += emit_function(attr, v, qual, module, "    ", method=True)
    if issubclass(cls, BaseException) and not body:
        body = ["    ..."]
    return out + (body or ["    ..."])


def stub_text(mod, module):
    lines = [
        f"# Generated by python/tools/make_stubs.py from the built extension; do not edit.",
        "from typing import Any, Optional, overload",
        "",
        "import numpy",
        "from numpy.typing import ArrayLike, NDArray",
        "",
    ]
    lines += HEADER[module] + [""]
    classes, functions = [], []
    for name in sorted(dir(mod)):
        if name.startswith("__"):
            continue
        v = getattr(mod, name)
        if inspect.ismodule(v):
            continue
        if isinstance(v, type):
            classes.append((name, v))
        elif callable(v):
            functions.append((name, v))
    # bases first
    order, seen = [], set()

    def visit(n, c):
        for b in c.__bases__:
            for n2, c2 in classes:
                if c2 is b and n2 not in seen:
                    visit(n2, c2)
        if n not in seen:
            seen.add(n)
            order.append((n, c))

    for n, c in classes:
        visit(n, c)
    for n, c in order:
        lines += emit_class(n, c, module) + [""]
    for n, f in functions:
        lines += emit_function(n, f, n, module) + [""]
    return "\n".join(lines).rstrip() + "\n"


OPS_ALL_START = "# generated by python/tools/make_stubs.py from the extension's ops: do not edit\n__all__ = ["
OPS_ALL_END = "]\n"


def ops_module(ext, old):
    """python/engram/ops.py with its __all__ (the ops of the extension) regenerated."""
    names = sorted(n for n in dir(ext.ops) if not n.startswith("_") and callable(getattr(ext.ops, n)))
    block = OPS_ALL_START + "\n" + "".join('    "%s",\n' % n for n in names) + OPS_ALL_END
    start = old.index(OPS_ALL_START)
    end = old.index(OPS_ALL_END, start) + len(OPS_ALL_END)
    return old[:start] + block + old[end:]


def stubs():
    import engram._engram as ext

    ops_py = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engram", "ops.py")
    return {
        "_engram.pyi": stub_text(ext, "_engram"),
        "ops.pyi": stub_text(ext.ops, "ops"),
        "hopfield.pyi": stub_text(ext.hopfield, "hopfield"),
        "ops.py": ops_module(ext, open(ops_py).read()),
    }


def main(argv):
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engram")
    stale = []
    for name, text in stubs().items():
        path = os.path.join(out_dir, name)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            stale.append(name)
            if "--check" not in argv:
                with open(path, "w") as f:
                    f.write(text)
    if "--check" in argv:
        if stale:
            print("stale stubs: " + ", ".join(stale) + " (run python/tools/make_stubs.py)", file=sys.stderr)
            return 1
        return 0
    for s in stale:
        print("wrote " + os.path.join(out_dir, s))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
