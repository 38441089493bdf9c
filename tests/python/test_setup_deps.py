"""Set-up that cannot drift: every third-party Python module and C++ header the code uses comes
from a Debian package that scripts/setup installs (directly or as a dependency). The check lives
in setup_deps.py; the meta-tests feed it imports it must reject."""

import pytest

import setup_deps


def test_every_import_and_include_comes_from_a_package_setup_installs():
    problems, notes, n_py, n_cpp = setup_deps.check_repository()
    assert n_py > 10 and n_cpp > 100  # it did look at the code
    assert problems == []


def test_a_module_from_a_package_setup_does_not_install_is_reported():
    src = [("fake.py", "import numpy\n", False)]
    problems = setup_deps.check(src, [], ["python3"], [])
    assert len(problems) == 1 and "'numpy'" in problems[0] and "python3-numpy" in problems[0]
    # the same module is fine when a package setup names depends on it (matplotlib -> numpy)
    assert setup_deps.check(src, [], ["python3-matplotlib"], []) == []


def test_imports_by_name_and_missing_modules_are_reported():
    src = [("fake.py", "import importlib\nm = importlib.import_module('numpy.linalg')\n", False),
           ("fake2.py", "from no_such_module_xyz import thing\n", False)]
    problems = setup_deps.check(src, [], ["python3"], [])
    assert any("'numpy'" in p for p in problems)
    assert any("'no_such_module_xyz'" in p and "not installed" in p for p in problems)


def test_bench_modules_may_come_from_the_bench_packages_only():
    src = [("bench/x.py", "import numpy\n", True), ("python/y.py", "import json, os\n", False)]
    assert setup_deps.check(src, [], ["python3"], ["python3-numpy"]) == []
    assert setup_deps.check([("python/z.py", "import numpy\n", False)], [], ["python3"], ["python3-numpy"]) != []


def test_a_header_from_a_package_setup_does_not_install_is_reported():
    src = [("fake.cpp", "#include <yaml-cpp/yaml.h>\n#include <vector>\n", )]
    problems = setup_deps.check([], src, ["build-essential"], [])
    assert len(problems) == 1 and "<yaml-cpp/yaml.h>" in problems[0] and "libyaml-cpp-dev" in problems[0]
    assert setup_deps.check([], src, ["build-essential", "libyaml-cpp-dev"], []) == []
    problems = setup_deps.check([], [("fake.cpp", "#include <no/such_header.h>\n")], ["build-essential"], [])
    assert len(problems) == 1 and "not found" in problems[0]


def test_bench_headers_may_come_from_the_bench_packages_and_alternatives_links_resolve():
    # <cblas.h> is an update-alternatives link (no package ships the link itself): it resolves to
    # the package of the file behind it, libopenblas-dev here (scripts/setup --bench installs it)
    if not setup_deps.resolve_include("cblas.h", setup_deps.include_dirs()):
        pytest.skip("no cblas.h on this machine (scripts/setup --bench installs libopenblas-dev)")
    bench = [("bench/core/x.cpp", "#include <cblas.h>\n")]
    assert setup_deps.check([], bench, ["build-essential"], ["libopenblas-dev"]) == []
    problems = setup_deps.check([], bench, ["build-essential"], [])
    assert len(problems) == 1 and "<cblas.h>" in problems[0] and "--bench" in problems[0]
    # while the bench packages are not all installed, what they would pull in is unknown: a note
    notes = []
    assert setup_deps.check([], bench, ["build-essential"], ["no-such-bench-package-xyz"], notes=notes) == []
    assert len(notes) == 1 and "<cblas.h>" in notes[0]
    # outside bench/ the bench packages do not count
    problems = setup_deps.check([], [("core/x.cpp", "#include <cblas.h>\n")], ["build-essential"], ["libopenblas-dev"])
    assert len(problems) == 1 and "<cblas.h>" in problems[0]


def test_a_bench_header_missing_here_is_a_note_elsewhere_a_problem():
    notes = []
    src = [("bench/core/x.cpp", "#include <no/such_bench_header.h>\n")]
    assert setup_deps.check([], src, ["build-essential"], [], notes=notes) == []
    assert len(notes) == 1 and "no/such_bench_header.h" in notes[0]
    assert len(setup_deps.check([], [("core/x.cpp", "#include <no/such_bench_header.h>\n")], ["build-essential"], [])) == 1
