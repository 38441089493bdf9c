// engram/python/src/bindings.h — one register_*() per area of engram, and the list that the
// extension module (module.cpp) and the embedded module of the `engram` program
// (python/embed/plugins.cpp) both run.
#pragma once

#include "core/options.h"
#include "core/rng.h"

#include <pybind11/pybind11.h>

#include <string>

namespace engram::python {

namespace py = pybind11;

void register_core(py::module_& m);          // Var, ops, no_grad, Rng, Options, Module
void register_attention(py::module_& m);     // scores, normalizers, Attention
void register_memory(py::module_& m);        // hopfield (binary, packed, dense, modern), ExternalMemory
void register_networks(py::module_& m);      // PointerNet, Seq2Seq
void register_experiments(py::module_& m);   // Config, run, ResultsIndex, compare, the CLI
void register_components(py::module_& m);    // Python-defined scores and addressing stages
void register_problems(py::module_& m);      // Python-defined tasks and models

inline void register_all(py::module_& m) {
  register_core(m);
  register_attention(m);
  register_memory(m);
  register_networks(m);
  register_experiments(m);
  register_components(m);
  register_problems(m);
}

// A dict of options ({"beta": 2.0, "mode": "window", "causal": True}) as an Options bag; values
// are kept as their text, as a config file would give them. None or an Options passes through.
Options to_options(py::handle obj, const std::string& what);

// An Rng from an int seed or an Rng (a copy).
Rng to_rng(py::handle obj, const std::string& what);

}  // namespace engram::python
