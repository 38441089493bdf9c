"""What the code imports, resolved to the Debian packages that provide it, against what
scripts/setup installs.

A fresh Debian 12 machine has only the base image and what ``scripts/setup`` installs (with the
dependencies apt pulls in). A module or header that the code imports but that comes from any
other package works on a developer's machine and fails on a fresh one. This module finds every
third-party import by walking the Python syntax trees (and every ``#include <...>`` of the C++
sources), resolves each to the file that provides it here and that file to its Debian package
(``dpkg -S``), and reports those whose package is outside the closure of ``scripts/setup --list``
under Depends/Pre-Depends. ``bench/`` may also use the packages of ``scripts/setup --bench``.

    python3 tests/python/setup_deps.py        # prints the problems, exit status 1 if any
"""

import ast
import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import sysconfig

ROOT = pathlib.Path(__file__).resolve().parents[2]
PY_DIRS = ["python", "tests", "bench", "scripts"]
CPP_DIRS = ["core", "attention", "memory", "networks", "experiments", "python", "tests", "bench", "fuzz"]
CPP_SUFFIXES = {".h", ".hpp", ".cpp", ".cc"}
INTERNAL = {"engram", "_engram"}


# ---- Python imports ---------------------------------------------------------------------------

def python_files(root=ROOT):
    """Every Python source under PY_DIRS: *.py, and extension-less scripts with a python shebang."""
    out = []
    for d in PY_DIRS:
        base = root / d
        if not base.is_dir():
            continue
        for p in sorted(base.rglob("*")):
            if not p.is_file() or "__pycache__" in p.parts:
                continue
            if p.suffix == ".py":
                out.append(p)
            elif p.suffix == "" and p.read_bytes()[:64].startswith(b"#!") and b"python" in p.read_bytes()[:64]:
                out.append(p)
    return out


def imported_modules(source, filename="<source>"):
    """Top-level names of the absolute imports in `source`: import x.y, from x import y, and
    importlib.import_module("x") / __import__("x") with a constant name."""
    tree = ast.parse(source, filename)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            f = node.func
            fname = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if fname in ("import_module", "__import__"):
                names.add(node.args[0].value.split(".")[0])
    return names


def local_module_names(root=ROOT):
    """Modules the repository defines itself (file stems and package folders)."""
    names = set(INTERNAL)
    for d in PY_DIRS:
        base = root / d
        if base.is_dir():
            names |= {p.stem for p in base.rglob("*.py")}
            names |= {p.name for p in base.rglob("*") if p.is_dir()}
    return names


def module_origin(name):
    """The file (or package folder) providing module `name` to this interpreter, or None."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin and spec.origin not in ("built-in", "frozen"):
        return spec.origin
    if spec.origin in ("built-in", "frozen"):
        return "built-in"
    locs = list(spec.submodule_search_locations or [])
    return locs[0] if locs else None


# ---- C++ includes -----------------------------------------------------------------------------

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*<([^>]+)>', re.M)


def cpp_files(root=ROOT):
    out = []
    for d in CPP_DIRS:
        base = root / d
        if base.is_dir():
            out += [p for p in sorted(base.rglob("*")) if p.is_file() and p.suffix in CPP_SUFFIXES]
    return out


def include_dirs():
    gcc_include = subprocess.run(["gcc", "-print-file-name=include"], capture_output=True, text=True).stdout.strip()
    dirs = ["/usr/include/c++/12", "/usr/include/x86_64-linux-gnu/c++/12", "/usr/include/x86_64-linux-gnu",
            "/usr/include", "/usr/include/eigen3", sysconfig.get_paths()["include"], gcc_include,
            "/usr/lib/llvm-14/lib/clang/14.0.6/include",
            "/usr/include/libnumbertext"]  # pkg-config's -I of libnumbertext (CMakeLists.txt)
    return [d for d in dirs if d and os.path.isdir(d)]


def resolve_include(header, dirs):
    for d in dirs:
        p = os.path.join(d, header)
        if os.path.exists(p):
            return os.path.realpath(p) if not p.startswith("/usr/include") else p
    return None


# ---- Debian packages --------------------------------------------------------------------------

def dpkg_owners(paths):
    """{path: {package, ...}} for the paths dpkg knows (one dpkg -S call)."""
    paths = sorted(set(paths))
    if not paths:
        return {}
    r = subprocess.run(["dpkg", "-S"] + paths, capture_output=True, text=True)
    owners = {}
    for line in r.stdout.splitlines():
        if ": " not in line or line.startswith("diversion "):
            continue
        pkgs, path = line.split(": ", 1)
        owners.setdefault(path.strip(), set()).update(p.strip().split(":")[0] for p in pkgs.split(","))
    # dpkg records /usr paths and /lib paths as shipped: try the other spelling under usrmerge
    for p in paths:
        if p not in owners and p.startswith("/usr/lib/"):
            alt = p[len("/usr"):]
            r2 = subprocess.run(["dpkg", "-S", alt], capture_output=True, text=True)
            for line in r2.stdout.splitlines():
                if ": " in line:
                    owners.setdefault(p, set()).update(x.strip().split(":")[0] for x in line.split(": ", 1)[0].split(","))
    return owners


def installed_packages():
    """{package: (depends [[alternatives]], provides [names])} for every installed package."""
    fmt = "${Package}\t${Status}\t${Depends}\t${Pre-Depends}\t${Provides}\n"
    r = subprocess.run(["dpkg-query", "-W", "-f", fmt], capture_output=True, text=True, check=True)
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 5 or not parts[1].endswith(" installed"):
            continue
        name, _, dep, pre, prov = parts

        def names(field):
            groups = []
            for group in filter(None, (g.strip() for g in field.split(","))):
                groups.append([re.sub(r"[ (].*$", "", a.strip()).split(":")[0] for a in group.split("|")])
            return groups

        out[name] = (names(dep) + names(pre), [g[0] for g in names(prov)])
    return out


def closure(roots, installed):
    """The packages apt installs for `roots`: the roots and, recursively, their Depends and
    Pre-Depends. For an alternative (a | b) the first one installed here; a virtual name stands
    for its installed providers."""
    providers = {}
    for pkg, (_, provides) in installed.items():
        for v in provides:
            providers.setdefault(v, []).append(pkg)
    seen, todo = set(), list(roots)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        for group in installed.get(p, ([], []))[0]:
            for alt in group:
                real = [alt] if alt in installed else providers.get(alt, [])
                if real:
                    todo.extend(real)
                    break
    return seen


def setup_packages(bench=False, root=ROOT):
    cmd = ["bash", str(root / "scripts" / "setup"), "--list"] + (["--bench"] if bench else [])
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()


# ---- the check --------------------------------------------------------------------------------

def check(python_sources, cpp_sources, base_packages, bench_packages, root=ROOT, notes=None):
    """Problems (one line each) for the given sources: python_sources is a list of
    (label, text, is_bench), cpp_sources a list of (label, text) (a label under bench/ is bench
    code). Bench-only modules and headers that are not installed here cannot be resolved: they go
    to `notes` (a list), not to the problems."""
    problems = []
    notes = notes if notes is not None else []
    installed = installed_packages()
    allowed = closure(base_packages, installed)
    allowed_bench = closure(list(base_packages) + list(bench_packages), installed)
    bench_installed = all(p in installed for p in bench_packages)
    local = local_module_names(root)
    stdlib = set(sys.stdlib_module_names) | set(sys.builtin_module_names)

    wanted = {}  # module -> (labels, needs bench only)
    for label, text, is_bench in python_sources:
        for m in imported_modules(text, label):
            if m in stdlib or m in local or m.startswith("_") and m[1:] in stdlib:
                continue
            labels, bench_only = wanted.get(m, ([], True))
            wanted[m] = (labels + [label], bench_only and is_bench)
    origins = {m: module_origin(m) for m in wanted}
    owners = dpkg_owners([o for o in origins.values() if o and o != "built-in"])
    for m, (labels, bench_only) in sorted(wanted.items()):
        origin = origins[m]
        where = labels[0] + (" and %d more" % (len(labels) - 1) if len(labels) > 1 else "")
        if origin is None:
            if bench_only:
                notes.append("python module '%s' (imported by %s) is not installed: scripts/setup --bench installs "
                             "the bench packages, then this is checked too" % (m, where))
            else:
                problems.append("python module '%s' (imported by %s) is not installed here" % (m, where))
            continue
        if origin == "built-in":
            continue
        pkgs = owners.get(origin)
        if not pkgs:
            problems.append("python module '%s' (imported by %s) comes from %s, which no Debian package provides"
                            % (m, where, origin))
            continue
        ok = allowed_bench if bench_only else allowed
        if not pkgs & ok:
            problems.append("python module '%s' (imported by %s) comes from Debian package %s, which scripts/setup%s "
                            "neither names nor pulls in" % (m, where, "/".join(sorted(pkgs)),
                                                           " --bench" if bench_only else ""))

    dirs = include_dirs()
    headers = {}  # header -> (first label, included by bench/ files only)
    for label, text in cpp_sources:
        for h in INCLUDE_RE.findall(text):
            first, bench_only = headers.get(h, (label, True))
            headers[h] = (first, bench_only and label.startswith("bench/"))
    paths = {h: resolve_include(h, dirs) for h in headers}
    owners = dpkg_owners([p for p in paths.values() if p])
    # a header reached through a symlink that no package ships (update-alternatives' cblas.h)
    # belongs to the package of the file it points to
    unowned = {p: os.path.realpath(p) for p in paths.values() if p and not owners.get(p) and os.path.islink(p)}
    if unowned:
        behind = dpkg_owners(sorted(set(unowned.values())))
        for p, real in unowned.items():
            if behind.get(real):
                owners[p] = behind[real]
    for h, (label, bench_only) in sorted(headers.items()):
        p = paths[h]
        if p is None:
            if bench_only:  # as for Python: a bench package not installed here cannot be resolved
                notes.append("C++ header <%s> (included by %s) is not installed: scripts/setup --bench installs the "
                             "bench packages, then this is checked too" % (h, label))
            else:
                problems.append("C++ header <%s> (included by %s) is not found in %s" % (h, label, ", ".join(dirs)))
            continue
        pkgs = owners.get(p)
        if not pkgs:
            problems.append("C++ header <%s> (included by %s) is %s, which no Debian package provides" % (h, label, p))
        elif bench_only and not pkgs & allowed_bench and not bench_installed:
            # the bench packages' dependencies are known only once they are installed (and then
            # the header may come from one of them: update-alternatives' cblas.h)
            notes.append("C++ header <%s> (included by %s) comes from %s here; scripts/setup --bench installs the "
                         "bench packages, then this is checked" % (h, label, "/".join(sorted(pkgs))))
        elif not pkgs & (allowed_bench if bench_only else allowed):
            problems.append("C++ header <%s> (included by %s) comes from Debian package %s, which scripts/setup%s "
                            "neither names nor pulls in" % (h, label, "/".join(sorted(pkgs)), " --bench" if bench_only else ""))
    return problems


def check_repository(root=ROOT):
    py = [(str(p.relative_to(root)), p.read_text(errors="replace"), p.relative_to(root).parts[0] == "bench")
          for p in python_files(root)]
    cpp = [(str(p.relative_to(root)), p.read_text(errors="replace")) for p in cpp_files(root)]
    base = setup_packages(False, root)
    bench = [p for p in setup_packages(True, root) if p not in base]
    notes = []
    return check(py, cpp, base, bench, root, notes), notes, len(py), len(cpp)


if __name__ == "__main__":
    problems, notes, n_py, n_cpp = check_repository()
    for p in notes:
        print("note: " + p)
    for p in problems:
        print(p)
    print("%d problem(s) in %d Python and %d C++ files" % (len(problems), n_py, n_cpp))
    sys.exit(1 if problems else 0)
