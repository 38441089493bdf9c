// engram/experiments/python_hooks.h — where the `engram` program reaches Python, without
// experiments/ depending on it.
//
// The hooks are empty in a build without ENGRAM_BUILD_PYTHON (and in the test programs); the
// `engram` program of a Python build links python/embed/plugins.cpp, which fills them at
// start-up with functions that embed the interpreter. The CLI asks for a hook only when the
// user asked for Python (`--plugin`, `--launcher dask`) and says which build is needed otherwise.
// Header-only: one slot per program (an inline function's static).
#pragma once

#include <string>
#include <vector>

namespace engram::experiments {

// A sweep handed to a Python launcher (`engram run -m ... --launcher dask`).
struct SweepLaunch {
  std::string launcher;                             // "dask"
  std::string config;                               // the config file
  std::vector<std::vector<std::string>> combos;     // one override list per run
  std::string runs_root;
  int jobs = 1;                                     // local cluster workers
  std::string scheduler;                            // an existing scheduler's address, or empty
  std::vector<std::string> plugins;                 // --plugin files, passed to every run
  std::string exe;                                  // the engram program the workers run
};

struct PythonHooks {
  // Runs each file in the embedded interpreter, in order (`import engram` there is this
  // program's registries). Throws std::runtime_error with the Python error and traceback.
  void (*load_plugins)(const std::vector<std::string>& files) = nullptr;
  // Runs a sweep through engram.sweeps (Dask); returns the worst exit status of its runs.
  int (*launch_sweep)(const SweepLaunch& sweep) = nullptr;
};

inline PythonHooks& python_hooks() {
  static PythonHooks hooks;
  return hooks;
}

}  // namespace engram::experiments
