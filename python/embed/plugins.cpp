// engram/python/embed/plugins.cpp — Python inside the `engram` program: `engram run --plugin
// FILE.py CONFIG` and `engram run -m ... --launcher dask`.
//
// Linked into `engram` only in a Python build (python/CMakeLists.txt); it fills the hooks of
// experiments/python_hooks.h at start-up, so experiments/ never includes Python. The first hook
// call starts the interpreter, makes this program's bindings the module `engram._engram`
// (registrations from a plugin then go into the registries the run uses — not into a second
// copy of engram loaded from the extension module) and imports the `engram` package from the
// source tree. Plugins run only when named on the command line, in order, with runpy.
//
// GIL: after a hook returns, this (the main) thread releases the GIL; Python components take it
// for each call from whichever trainer thread calls them. The interpreter is never finalized
// (components registered by plugins live in registries until exit); Python's stdout and stderr
// are flushed at exit.
#include "experiments/python_hooks.h"
#include "python/src/bindings.h"

#include <pybind11/embed.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

PYBIND11_EMBEDDED_MODULE(_engram_embedded, m) {
  m.doc() = "engram's bindings inside the engram program (imported as engram._engram)";
  engram::python::register_all(m);
}

namespace engram::python {
namespace {

bool g_started = false;

void flush_python() {
  if (!Py_IsInitialized()) return;
  py::gil_scoped_acquire gil;
  try {
    py::module_ sys = py::module_::import("sys");
    for (const char* s : {"stdout", "stderr"})
      if (!sys.attr(s).is_none()) sys.attr(s).attr("flush")();
  } catch (py::error_already_set&) {
  }
}

// Starts the interpreter once (holding the GIL on return for the caller's scope to release).
void start() {
  if (g_started) return;
  py::initialize_interpreter(/*init_signal_handlers=*/true);
  g_started = true;
  {
    py::module_ sys = py::module_::import("sys");
    sys.attr("argv") = py::list(py::make_tuple("engram"));
    // the pure package from the source tree, unless ENGRAM_PYTHONPATH names another one
    const char* env = std::getenv("ENGRAM_PYTHONPATH");
    sys.attr("path").attr("insert")(0, env && *env ? env : ENGRAM_PYTHON_SOURCE_DIR);
    sys.attr("modules")["engram._engram"] = py::module_::import("_engram_embedded");
    py::module_::import("engram");
  }
  std::atexit(flush_python);
  // this thread runs C++ from now on: other threads must be able to take the GIL
  PyEval_SaveThread();
}

std::string python_error(const char* where, py::error_already_set& e) {
  std::string msg = std::string(where) + ": ";
  try {
    py::module_ tb = py::module_::import("traceback");
    py::list lines = tb.attr("format_exception")(e.type(), e.value(), e.trace());
    for (py::handle l : lines) msg += l.cast<std::string>();
  } catch (py::error_already_set&) {
    msg += e.what();
  }
  return msg;
}

void load_plugins(const std::vector<std::string>& files) {
  if (!g_started) start();
  py::gil_scoped_acquire gil;
  for (const auto& f : files) {
    const std::string path = std::filesystem::absolute(f).string();
    if (!std::filesystem::exists(path)) throw std::runtime_error("plugin " + f + ": no such file");
    try {
      py::module_ sys = py::module_::import("sys");
      sys.attr("path").attr("insert")(0, std::filesystem::path(path).parent_path().string());
      py::module_::import("runpy").attr("run_path")(path, py::arg("run_name") = "__engram_plugin__");
      py::module_ sys2 = py::module_::import("sys");
      sys2.attr("stdout").attr("flush")();
    } catch (py::error_already_set& e) {
      throw std::runtime_error(python_error(("plugin " + f).c_str(), e));
    }
  }
}

int launch_sweep(const experiments::SweepLaunch& s) {
  if (s.launcher != "dask") throw std::runtime_error("unknown launcher '" + s.launcher + "'");
  if (!g_started) start();
  py::gil_scoped_acquire gil;
  try {
    py::object run = py::module_::import("engram.sweeps").attr("_cli_sweep");
    return run(s.config, s.combos, s.runs_root, s.jobs, s.scheduler, s.plugins, s.exe).cast<int>();
  } catch (py::error_already_set& e) {
    if (e.matches(PyExc_KeyboardInterrupt)) return 130;
    if (e.matches(PyExc_ImportError))
      throw std::runtime_error(python_error("--launcher dask needs Dask distributed (Debian: python3-distributed)", e));
    throw std::runtime_error(python_error("dask sweep", e));
  }
}

[[maybe_unused]] const bool hooks_set = [] {
  experiments::python_hooks().load_plugins = &load_plugins;
  experiments::python_hooks().launch_sweep = &launch_sweep;
  return true;
}();

}  // namespace
}  // namespace engram::python
