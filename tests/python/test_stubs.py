"""The type stubs (python/engram/*.pyi) match the built extension."""

import ast
import inspect
import subprocess
import sys

import pytest

import engram
from conftest import ROOT

STUBS = ROOT / "python" / "engram"


def stub_names(path):
    """{name: set of member names} for classes, {name: None} for functions, from a .pyi."""
    tree = ast.parse(path.read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members = set()
            for n in node.body:
                if isinstance(n, ast.FunctionDef):
                    members.add(n.name)
                elif isinstance(n, ast.AnnAssign):
                    members.add(n.target.id)
            out[node.name] = members
        elif isinstance(node, ast.FunctionDef):
            out[node.name] = None
    return out


def module_names(mod):
    out = {}
    for name in dir(mod):
        if name.startswith("__"):
            continue
        v = getattr(mod, name)
        if inspect.ismodule(v):
            continue
        if isinstance(v, type):
            members = set()
            for attr, x in vars(v).items():
                if attr.startswith("_pybind11") or attr in ("__doc__", "__module__", "__dict__", "__weakref__"):
                    continue
                if attr == "__init__" and not (x.__doc__ or "").startswith("__init__(self"):
                    continue  # no constructor bound
                if attr.startswith("__") and not callable(x) and x is not None:
                    continue
                members.add(attr)
            out[name] = members
        elif callable(v):
            out[name] = None
    return out


@pytest.mark.parametrize("stub,mod", [("_engram.pyi", engram._engram), ("ops.pyi", engram._engram.ops),
                                      ("hopfield.pyi", engram._engram.hopfield)])
def test_stub_names_match_the_module(stub, mod):
    assert stub_names(STUBS / stub) == module_names(mod)


def test_stubs_are_what_the_generator_writes():
    p = subprocess.run([sys.executable, str(ROOT / "python" / "tools" / "make_stubs.py"), "--check"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_stubs_are_valid_python_and_the_package_exports_are_real():
    for f in STUBS.glob("*.pyi"):
        compile(f.read_text(), str(f), "exec")
    for name in engram.__all__:
        assert hasattr(engram, name), name
    for mod in (engram.ops, engram.hopfield):
        assert sorted(mod.__all__) == sorted(n for n in stub_names(STUBS / (mod.__name__.split(".")[1] + ".pyi")))
    assert (STUBS / "py.typed").exists()
