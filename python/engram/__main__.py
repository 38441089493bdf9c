"""The ``engram`` command of an installed package (``pip install .`` puts it on the
environment's PATH as a console script), and ``python -m engram``: runs the engram program that
was installed with the package (engram/bin/engram), or the one built with it."""

import os
import sys


def program():
    """The engram program shipped with this package, or the build tree's; never a PATH lookup
    (which could find this very script)."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "engram")
    if os.path.exists(here):
        return here
    from . import _engram

    built = _engram.build_info().get("engram")
    if built and os.path.exists(built):
        return built
    raise SystemExit("engram: the engram program is not installed with this package (engram/bin/engram) "
                     "and the build tree's is gone; reinstall the package")


def main():
    exe = program()
    os.execv(exe, [exe] + sys.argv[1:])


if __name__ == "__main__":
    main()
