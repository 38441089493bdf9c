"""Architecture rules that keep the tree a house a newcomer can extend (docs/design.md):
short functions in experiments/, one registered model or task per file, no file of the repository
naming the design notes that live outside it, and layers that depend downward only."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
MAX_FUNCTION_LINES = 80


def strip(text):
    """C++ text without comments, string and character literals (newlines kept)."""
    text = re.sub(r'R"(\w*)\((.*?)\)\1"', lambda m: '""' + "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"'(\\.|[^'\\\n])*'", "''", text)


def function_lengths(text):
    """(lines, name, first line) of every function body at namespace or class level; lambdas and
    local classes count as part of the function that holds them."""
    out, stack, header = [], [], ""
    for lineno, line in enumerate(strip(text).split("\n"), 1):
        for ch in line:
            if ch == "{":
                h = header.strip()
                if any(k == "func" for k, _, _ in stack):
                    kind = "inner"
                elif re.search(r"\b(namespace|class|struct|enum|union)\b[^;()]*$", h) or h.endswith('extern ""'):
                    kind = "scope"
                elif re.search(r"\)\s*(const)?\s*(noexcept)?\s*(override)?\s*(->\s*[\w:<>,\s*&]+)?$", h) or \
                        re.search(r"\)\s*:\s*.*$", h):
                    kind = "func"
                else:
                    kind = "block"
                names = re.findall(r"([\w:~]+)\s*\(", h)
                stack.append((kind, lineno, names[0] if names else h[-40:]))
                header = ""
            elif ch == "}":
                if stack:
                    kind, start, name = stack.pop()
                    if kind == "func":
                        out.append((lineno - start + 1, name, start))
                header = ""
            elif ch == ";":
                header = ""
            else:
                header += ch
        header += " "
    return out


def test_the_length_counter_counts_what_it_should():
    text = "namespace a {\nint f(int x) {\n  auto g = [](int y) {\n    return y;\n  };\n  return g(x);\n}\n}\n"
    assert function_lengths(text) == [(6, "f", 2)]


def test_no_function_in_experiments_is_longer_than_80_lines():
    long = []
    for p in sorted((ROOT / "experiments").rglob("*.cpp")):
        for n, name, line in function_lengths(p.read_text()):
            if n > MAX_FUNCTION_LINES:
                long.append("%s:%d %s: %d lines" % (p.relative_to(ROOT), line, name, n))
    assert long == []


def test_every_model_and_task_file_registers_at_most_one():
    crowded = []
    for d in ["models", "tasks"]:
        for p in sorted((ROOT / "experiments" / d).rglob("*.cpp")):
            n = len(re.findall(r"ENGRAM_REGISTER\(\s*(models|tasks)\(\)", p.read_text()))
            if n > 1:
                crowded.append("%s registers %d" % (p.relative_to(ROOT), n))
    assert crowded == []


def test_no_source_cites_the_design_notes_outside_the_repository():
    cited = []
    for p in sorted(ROOT.rglob("*")):
        top = p.relative_to(ROOT).parts[0]
        if p.suffix in (".h", ".cpp", ".py", ".md", ".txt", ".yaml") and not top.startswith(("build", ".")):
            text = p.read_text(errors="replace")
            if re.search(r"\b(STYLE|DESIGN)\.md\b", text) and p.name != "test_code_shape.py":
                cited.append(str(p.relative_to(ROOT)))
    assert cited == []


LAYERS = ["core", "attention", "memory", "networks", "experiments"]  # each may include those before it


def test_dependencies_point_downward():
    upward = []
    for i, layer in enumerate(LAYERS):
        allowed = set(LAYERS[: i + 1])
        for p in sorted((ROOT / layer).rglob("*")):
            if p.suffix not in (".h", ".cpp"):
                continue
            for inc in re.findall(r'#include "(\w+)/', p.read_text()):
                if inc in LAYERS and inc not in allowed:
                    upward.append("%s includes %s/" % (p.relative_to(ROOT), inc))
    assert upward == []
