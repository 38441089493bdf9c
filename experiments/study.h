// engram/experiments/study.h — experiments without gradient training: Hopfield capacity,
// basins of attraction, landscapes. (docs/design.md): the "model" is a memory and a learning rule,
// the "task" a pattern set and a corruption level, the metric recall. They share everything
// else with trained runs: the config file with file:line errors, overrides and -m sweeps, the
// run directory, the results index and `engram compare`.
//
//   name: hopfield_one_step
//   seed: 1
//   study:
//     name: one_step_error      # a registered study (`engram list studies`)
//     N: 1000
//     alphas: [0.05, 0.105, 0.138, 0.185]
//     trials: 20
//     threads: 2                # results do not depend on it
//
// A study run writes into its run directory
//   table.csv / table.md    the study's table (one row per point)
//   plots/<name>.json       each plot's data; plots/<name>.png and .svg drawn by
//                           python/engram/plotting.py (matplotlib) when Python is available
//   points.jsonl            every finished point, so an interrupted study resumes where it
//                           stopped (`engram run --resume DIR`) and recomputes nothing
//   summary.json            the headline figures ("summary"), also stored in the index
// `engram compare --rows` stacks the tables of several runs; plain `engram compare` groups
// their summary figures.
//
// Contract for a Study: all randomness derives from StudyContext::rng (so seed = numbers,
// whatever the thread count); the work is cut into points computed through
// StudyContext::point, which memoizes them in points.jsonl and checks for Ctrl-C.
#pragma once

#include "core/fileio.h"
#include "experiments/table.h"

#include "core/parallel.h"
#include "core/registry.h"
#include "core/rng.h"
#include "experiments/config.h"
#include "experiments/problem.h"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace engram::experiments {

class RunDir;
class Progress;

// One line of a plot. Theory curves are drawn as lines, data as markers with error bars.
struct Series {
  std::string label;
  std::vector<double> x, y, err;  // err empty or one per point (± err)
  bool theory = false;
};

struct Plot {
  std::string name;               // file stem: plots/<name>.{json,png,svg}
  std::string title, xlabel, ylabel;
  bool logx = false, logy = false;
  std::vector<Series> series;
  std::vector<std::pair<std::string, double>> vlines;  // labelled vertical markers
  // heat map instead of lines: rows x cols values (e.g. an attractor landscape)
  std::vector<std::vector<double>> image;
  // bar chart instead of lines: one labelled bar each (e.g. each reader's capacity)
  std::vector<std::pair<std::string, double>> bars = {};
};
nlohmann::json to_json(const Plot& p);

struct StudyResult {
  Table table;
  std::vector<Plot> plots;
  Metrics summary;  // headline figures, e.g. {"p_err@0.138": 0.0037, "alpha_c": 0.14}
};

// Thrown by StudyContext::point when Ctrl-C (or request_interrupt) arrived.
struct StudyInterrupted : std::runtime_error {
  StudyInterrupted() : std::runtime_error("interrupted") {}
};

class StudyContext {
 public:
  StudyContext(ThreadPool& pool, Rng rng, RunDir* dir, Progress* progress, std::uint64_t total_points);
  ~StudyContext();

  ThreadPool& pool() const { return pool_; }
  // The study's root stream (seed, "study"); derive per-point streams with rng().child(key).
  const Rng& rng() const { return rng_; }

  // The values of the point named `key` (unique within the study, e.g. "N=1000/alpha=0.138"):
  // read from points.jsonl when an earlier attempt of this run computed it, else computed now
  // and appended. Throws StudyInterrupted before computing when an interrupt is pending.
  std::vector<double> point(const std::string& key, const std::function<std::vector<double>()>& compute);

  std::uint64_t computed() const { return computed_; }  // points computed (not memoized) here

 private:
  ThreadPool& pool_;
  Rng rng_;
  RunDir* dir_;
  Progress* progress_;
  std::uint64_t total_, done_ = 0, computed_ = 0;
  std::map<std::string, std::vector<double>> memo_;
  fileio::Appender points_;  // <run>/points.jsonl
};

class Study {
 public:
  virtual ~Study() = default;
  // Number of StudyContext::point calls run() will make (for the progress bar).
  virtual std::uint64_t points() const = 0;
  virtual StudyResult run(StudyContext& ctx) const = 0;
};

// A factory reads its `study` section (every key it accepts; leftovers are typos) and
// validates it, throwing ConfigError at the key's file:line.
using StudyFactory = std::function<std::unique_ptr<Study>(Section& cfg)>;
Registry<StudyFactory>& studies();

// Reads a list of numbers ([0.1, 0.2] or a single number) with file:line errors.
std::vector<double> number_list(Section& cfg, const std::string& key, std::vector<double> def);
// The same, every value an integer in [lo, hi] ("study.Ns: must be integers >= 4, got 2.5").
std::vector<double> integer_list(Section& cfg, const std::string& key, std::vector<double> def, double lo,
                                 double hi = std::numeric_limits<double>::infinity());

// The factory of a study class S constructed from its config section.
template <class S>
StudyFactory study_factory() {
  return [](Section& cfg) -> std::unique_ptr<Study> { return std::make_unique<S>(cfg); };
}

// Writes table.csv, table.md, plots/*.json and, through Python, plots/*.png and *.svg.
// Returns the lines to log (what was written, or why a plot was not drawn).
std::vector<std::string> write_study_outputs(const StudyResult& r, const RunDir& dir);
// Writes <dir>/plots/<name>.json of each plot and draws them (.png, .svg) with the plotter;
// returns the lines to log (the files drawn, or why they were not: the data stays in the json).
std::vector<std::string> draw_plots(const std::vector<Plot>& plots, const std::string& dir);

// The Python interpreter and script that draw plots: ENGRAM_PYTHON / ENGRAM_PLOTTER from the
// environment, else the build's Python and <source>/python/engram/plotting.py.
std::string plot_python();
std::string plot_script();

}  // namespace engram::experiments
