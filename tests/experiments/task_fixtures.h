// Shared by the task and model tests of tests/experiments/: a task built from an in-memory
// config, the ConfigError a task config raises, the cast to a task family, and a config file run
// through the engine.
#pragma once

#include "experiments/runner.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace engram::test {

// The task of `task_yaml` (a flow mapping: `{name: sort, ...}`) from a config named `file`
// whose line 2 holds it.
inline std::unique_ptr<experiments::Task> build_task(const std::string& task_yaml, std::uint64_t seed,
                                                     const std::string& file) {
  experiments::Config cfg = experiments::Config::parse("seed: " + std::to_string(seed) + "\ntask: " + task_yaml + "\n", file);
  experiments::Section s = cfg.section("task");
  return experiments::lookup_component(experiments::tasks(), s)(s, Rng(seed, "task"));
}

// The ConfigError message building the task raises, or "(no error)".
inline std::string task_error(const std::string& task_yaml, const std::string& file) {
  try {
    (void)build_task(task_yaml, 5, file);
  } catch (const experiments::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// The ConfigError message building the task and model of "seed: 1 / task: <task> / model: <model>"
// (config `file`, the model on line 3) raises, or "(no error)".
inline std::string problem_error(const std::string& task_yaml, const std::string& model_yaml, const std::string& file) {
  try {
    experiments::Config c = experiments::Config::parse("seed: 1\ntask: " + task_yaml + "\nmodel: " + model_yaml + "\n", file);
    (void)experiments::build_problem(c);
  } catch (const experiments::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// The task as its family (REQUIRE fails the test otherwise).
template <class Family>
const Family& as_family(const std::unique_ptr<experiments::Task>& t) {
  auto* f = dynamic_cast<const Family*>(t.get());
  REQUIRE(f != nullptr);
  return *f;
}

// `yaml` written to d/<file> and run by the engine (runs under d/runs-<file>), quietly.
inline experiments::RunOutcome run_yaml(const TempDir& d, const std::string& file, const std::string& yaml) {
  std::ofstream(d.path / file) << yaml;
  experiments::RunRequest r;
  r.config = (d.path / file).string();
  r.runs_root = (d.path / ("runs-" + file)).string();
  r.progress = false;
  std::ostringstream sink;
  return experiments::run_experiment(r, sink);
}

}  // namespace engram::test
