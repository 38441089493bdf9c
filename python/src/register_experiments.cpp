// engram/python/src/register_experiments.cpp — everything a config can do, from Python: load a
// config and override it, run it (Ctrl-C stops it cleanly, checkpoint kept), query the results
// index, compare runs, list the registries, and the `engram` command itself.
#include "core/catalogue.h"
#include "attention/normalizer.h"
#include "attention/score.h"
#include "attention/sequence.h"
#include "experiments/build_info.h"
#include "experiments/cli.h"
#include "experiments/compare.h"
#include "experiments/config.h"
#include "experiments/optim_config.h"
#include "experiments/results_index.h"
#include "experiments/run_dir.h"
#include "experiments/run_state.h"
#include "experiments/runner.h"
#include "experiments/study.h"
#include "experiments/tasks/babi/babi.h"
#include "memory/addressing.h"
#include "memory/hopfield/rules.h"
#include "python/src/bindings.h"
#include "python/src/numpy.h"

#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

namespace engram::experiments {
}

namespace engram::python {

namespace ex = experiments;

namespace {

// A config as loaded from a file with overrides; keeps both so that it can be run and
// re-overridden (a Config itself is the composed tree).
struct PyConfig {
  std::string file;
  std::vector<std::string> overrides;
  ex::Config cfg;
};

PyConfig load_config(const std::string& file, const std::vector<std::string>& overrides) {
  return PyConfig{file, overrides, ex::Config::load(file, overrides)};
}

py::dict record_dict(const ex::RunRecord& r) {
  py::dict d;
  d["id"] = r.id;
  d["experiment"] = r.experiment;
  d["dir"] = r.dir;
  d["status"] = r.status;
  d["started"] = r.started;
  d["finished"] = r.finished;
  d["config_hash"] = r.config_hash;
  py::dict params;
  for (const auto& [k, v] : r.params) params[py::str(k)] = v;
  d["params"] = params;
  py::dict summary;
  for (const auto& [k, v] : r.summary) summary[py::str(k)] = v;
  d["summary"] = summary;
  d["error"] = r.error;
  return d;
}

ex::RunFilter make_filter(const std::string& experiment, const std::string& status, py::object params) {
  ex::RunFilter f{experiment, status, {}, ""};
  if (!params.is_none())
    for (auto [k, v] : py::dict(params)) f.params.emplace_back(k.cast<std::string>(), std::string(py::str(v)));
  return f;
}

// Runs the experiment on a thread of its own while this (the Python) thread waits with the GIL
// released and checks for signals every 50 ms: Ctrl-C (KeyboardInterrupt) becomes the trainer's
// request_interrupt(), so the run stops after its current step, writes its checkpoint and
// returns "interrupted"; the caller then sees interrupted = True.
py::dict run(const std::string& config, const std::vector<std::string>& overrides, const std::string& runs_root,
             const std::string& out, const std::string& resume, bool progress, std::uint64_t interrupt_after_step) {
  ex::RunRequest req{config, overrides, out, runs_root, resume, progress, interrupt_after_step};
  ex::clear_interrupt();
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  ex::RunOutcome outcome;
  std::exception_ptr error;
  std::thread worker([&] {
    try {
      outcome = ex::run_experiment(req, std::cout);
    } catch (...) {
      error = std::current_exception();
    }
    std::cout.flush();
    std::lock_guard lock(mu);
    done = true;
    cv.notify_all();
  });
  bool interrupted = false;
  py::object pending;  // a non-KeyboardInterrupt exception raised by a signal handler
  for (;;) {
    {
      py::gil_scoped_release release;
      std::unique_lock lock(mu);
      if (cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) break;
    }
    if (PyErr_CheckSignals() != 0) {
      py::error_already_set e;
      if (!e.matches(PyExc_KeyboardInterrupt) && !pending) pending = e.value();
      interrupted = true;
      ex::request_interrupt();
    }
  }
  {
    py::gil_scoped_release release;
    worker.join();
  }
  ex::clear_interrupt();
  if (error) std::rethrow_exception(error);
  if (pending) {
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(pending.ptr())), pending.ptr());
    throw py::error_already_set();
  }
  py::dict d;
  d["dir"] = outcome.dir;
  d["status"] = outcome.status;
  d["exit_code"] = outcome.exit_code;
  d["step"] = outcome.result.step;
  d["final"] = outcome.result.final_metrics;
  d["best"] = outcome.result.best_metrics;
  d["best_step"] = outcome.result.best_step;
  d["message"] = outcome.result.message;
  d["seconds"] = outcome.result.seconds;
  d["interrupted"] = interrupted;
  return d;
}

// The `engram` command in-process: (exit status, stdout, stderr). The command's own SIGINT /
// SIGTERM handlers (installed by `engram run`) are removed afterwards, Python's restored.
py::tuple cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s{"engram"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, nullptr, &old_int);
  sigaction(SIGTERM, nullptr, &old_term);
  int code = 0;
  {
    py::gil_scoped_release release;
    code = ex::cli_main(static_cast<int>(argv_s.size()), argv.data(), out, err);
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  ex::clear_interrupt();
  return py::make_tuple(code, out.str(), err.str());
}

// The catalogue (core/catalogue.h): every kind with its description, or one kind's entries.
std::vector<std::pair<std::string, std::string>> components(const std::string& kind) {
  std::vector<std::pair<std::string, std::string>> rows;
  if (kind.empty()) {
    for (const auto& k : catalogue().kinds()) rows.emplace_back(k.name, k.description);
    return rows;
  }
  const auto k = catalogue().find(kind);
  if (!k) {
    std::string names;
    for (const auto& x : catalogue().kinds()) names += (names.empty() ? "" : ", ") + x.name;
    throw py::value_error("components: unknown kind '" + kind + "'; kinds: " + names);
  }
  return k->entries();
}

}  // namespace

void register_experiments(py::module_& m) {
  py::register_exception<ex::ConfigError>(m, "ConfigError", PyExc_ValueError).doc() =
      R"doc(A config problem (a ValueError); the message starts with file:line or the override.

>>> import engram
>>> try:
...     engram.Config.load("experiments/configs/kv_retrieval.yaml", ["model.hiden=1"])
... except engram.ConfigError as e:
...     print(e)
override 'model.hiden=1': unknown key model.hiden (did you mean model.hidden?)
)doc";

  py::class_<PyConfig>(m, "Config", R"doc(An experiment config: a YAML file composed through `defaults:`, with overrides.

>>> import engram
>>> cfg = engram.Config.load("experiments/configs/kv_retrieval.yaml", ["model.hidden=64"])
>>> cfg.flatten()["model.hidden"]
'64'
>>> cfg.override("seed=3").seed
3
)doc")
      .def_static("load", &load_config, "reads and composes `file`, then applies the overrides (key=value, +key=value)",
                  py::arg("file"), py::arg("overrides") = std::vector<std::string>{})
      .def(
          "override",
          [](const PyConfig& c, py::args more) {
            std::vector<std::string> o = c.overrides;
            for (py::handle h : more) o.push_back(h.cast<std::string>());
            return load_config(c.file, o);
          },
          "a new Config with these overrides added")
      .def_readonly("file", &PyConfig::file)
      .def_readonly("overrides", &PyConfig::overrides)
      .def_property_readonly("experiment", [](const PyConfig& c) { return c.cfg.experiment_name(); })
      .def_property_readonly("seed", [](const PyConfig& c) { return c.cfg.seed(); })
      .def_property_readonly("hash", [](const PyConfig& c) { return ex::config_hash(c.cfg); },
                             "the config hash the results index stores (sweeps skip completed ones by it)")
      .def_property_readonly("is_study", [](const PyConfig& c) { ex::Config x = c.cfg; return ex::is_study(x); })
      .def("to_yaml", [](const PyConfig& c) { return c.cfg.to_yaml(); }, "the resolved config as YAML")
      .def(
          "flatten",
          [](const PyConfig& c) {
            py::dict d;
            for (const auto& [k, v] : c.cfg.flatten()) d[py::str(k)] = v;
            return d;
          },
          "{'model.hidden': '32', ...} for every leaf, values as text")
      .def(
          "validate",
          [](const PyConfig& c) {
            ex::Config fresh = ex::Config::load(c.file, c.overrides);
            ex::validate_config(fresh);
          },
          "builds the task, model and trainer (or study) and rejects unknown keys; writes nothing")
      .def("__repr__", [](const PyConfig& c) {
        std::string s = "Config('" + c.file + "'";
        for (const auto& o : c.overrides) s += ", '" + o + "'";
        return s + ")";
      });

  m.def("expand_multirun", &ex::expand_multirun,
        "override lists of a sweep: ['seed=0,1', 'a=1'] -> [['seed=0', 'a=1'], ['seed=1', 'a=1']]",
        py::arg("overrides"));
  m.def("_run", &run, py::arg("config"), py::arg("overrides"), py::arg("runs_root"), py::arg("out"), py::arg("resume"),
        py::arg("progress"), py::arg("interrupt_after_step") = 0);
  m.def("cli", &cli, R"doc(Runs the `engram` command in-process: returns (exit status, stdout, stderr).

>>> import engram
>>> code, out, err = engram.cli(["list", "optimizers"])
>>> code
0
)doc",
        py::arg("args"));
  m.def("components", &components, R"doc(The catalogue of registered components.

components() gives every kind with its description; components(kind) the (name, description)
pairs of that kind (the same as ``engram list KIND``). Python-registered components are listed
with "(Python)".

>>> import engram
>>> "dot" in dict(engram.components("scores"))
True
>>> "rules" in dict(engram.components())
True
)doc",
        py::arg("kind") = "");
  m.def("config_hash_of_text", [](const std::string& yaml) { return ex::hash_hex(yaml, 16); },
        "hash_hex(text, 16): what the index stores for a resolved config text", py::arg("yaml"));

  py::class_<ex::RunRecord>(m, "RunRecord", "one run as the results index knows it")
      .def(py::init<>())
      .def_readwrite("id", &ex::RunRecord::id)
      .def_readwrite("experiment", &ex::RunRecord::experiment)
      .def_readwrite("dir", &ex::RunRecord::dir)
      .def_readwrite("status", &ex::RunRecord::status)
      .def_readwrite("started", &ex::RunRecord::started)
      .def_readwrite("finished", &ex::RunRecord::finished)
      .def_readwrite("config_hash", &ex::RunRecord::config_hash)
      .def_readwrite("params", &ex::RunRecord::params)
      .def_readwrite("summary", &ex::RunRecord::summary)
      .def_readwrite("error", &ex::RunRecord::error)
      .def_property_readonly("observed_status", &ex::observed_status,
                             "the status as the disk has it: 'missing' when the run directory is gone, 'died' when "
                             "the index says running but no process holds the run's lock, else the stored status")
      .def("to_dict", &record_dict)
      .def("__repr__", [](const ex::RunRecord& r) {
        return "RunRecord(id='" + r.id + "', experiment='" + r.experiment + "', status='" + r.status + "')";
      });

  py::class_<ex::ResultsIndex>(m, "ResultsIndex", R"doc(The results index (SQLite) of a runs root: every run, its config and summary.

Opened from a runs root ("runs" -> runs/index.sqlite) or a .sqlite path.

>>> import engram, tempfile
>>> index = engram.ResultsIndex(tempfile.mkdtemp())
>>> index.list()
[]
)doc")
      .def(py::init([](const std::string& root) { return std::make_unique<ex::ResultsIndex>(ex::index_path(root)); }),
           py::arg("runs_root"))
      .def_property_readonly("path", &ex::ResultsIndex::path)
      .def(
          "list",
          [](const ex::ResultsIndex& idx, const std::string& experiment, const std::string& status, py::object params) {
            return idx.list(make_filter(experiment, status, params));
          },
          "runs matching all filters, by start time", py::arg("experiment") = "", py::arg("status") = "",
          py::arg("params") = py::none())
      .def("get", &ex::ResultsIndex::get, "by id, directory or unique id prefix; None when nothing matches",
           py::arg("id_or_dir"))
      .def("find_completed", &ex::ResultsIndex::find_completed,
           "the latest completed run of `experiment` with this config hash, or None", py::arg("experiment"),
           py::arg("config_hash"))
      .def("find_done",
           [](const ex::ResultsIndex& index, const std::string& experiment, const std::string& hash) {
             return ex::existing_runs(index, experiment, hash).done;
           },
           "a completed run of `experiment` with this config hash whose directory and summary are on disk "
           "(what sweeps skip), or None",
           py::arg("experiment"), py::arg("config_hash"))
      .def("upsert", &ex::ResultsIndex::upsert, "inserts the run or replaces the one with its id", py::arg("record"));

  m.def(
      "compare",
      [](const std::vector<ex::RunRecord>& runs, const std::vector<std::string>& by, const std::vector<std::string>& metrics,
         const std::string& format, int precision, const std::string& best, bool rows) {
        ex::CompareOptions o;
        o.group_by = by;
        o.metrics = metrics;
        o.format = format;
        o.precision = precision;
        o.best = best;
        return rows ? ex::stack_run_tables(runs, o) : ex::compare_runs(runs, o);
      },
      R"doc(The `engram compare` table of runs: grouped by params, mean ± std per metric.

format "markdown" or "csv"; best="metric:min|max" shows each group's best run; rows=True
stacks the table.csv of study runs instead.
)doc",
      py::arg("runs"), py::arg("by") = std::vector<std::string>{}, py::arg("metrics") = std::vector<std::string>{},
      py::arg("format") = "markdown", py::arg("precision") = 4, py::arg("best") = "", py::arg("rows") = false);

  m.def(
      "build_info",
      [] {
        py::dict d;
        d["version"] = ex::build_version();
        d["git_commit"] = ex::build_git_commit();
        d["git_dirty"] = ex::build_git_dirty();
        d["compiler"] = ex::build_compiler();
        d["flags"] = ex::build_flags();
        d["plot_python"] = ex::plot_python();
        d["plot_script"] = ex::plot_script();
#ifdef ENGRAM_EXECUTABLE
        d["engram"] = ENGRAM_EXECUTABLE;
#else
        d["engram"] = "";
#endif
        return d;
      },
      "what built this module: version, git commit, compiler, flags, and the engram program built with it");
}

}  // namespace engram::python
