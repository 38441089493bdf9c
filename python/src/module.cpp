// engram/python/src/module.cpp — the extension module engram._engram: every area's bindings.
// The pure package `engram` (python/engram/__init__.py) re-exports it.
#include "python/src/bindings.h"

PYBIND11_MODULE(_engram, m) {
  m.doc() = "engram's C++ core, attention, memories and experiment engine (use the `engram` package)";
  engram::python::register_all(m);
}
