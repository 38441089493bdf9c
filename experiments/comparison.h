// engram/experiments/comparison.h — the memory comparison (docs/compare.md): which readers, at
// which loads, with which seeds, as one config; every (reader, load, seed) cell an ordinary run
// of the results index; the table, plots and capacities rendered from the index.
//
// A comparison config is a run config (task, trainer, name, seed, ...) with a `comparison`
// section:
//
//   comparison:
//     readers:                          # row label -> the model section of that row
//       memn2n: {name: memn2n, memory_size: 50}
//       ntm: {name: ntm, memory: {slots: 64}, addressing: [content, sharpen]}
//     load:
//       key: task.data.generate.statements   # the config key every column sets
//       values: [10, 25, 50, 100]
//     seeds: [0, 1, 2]
//     metric: best/test/error           # the figure of a cell (an index summary key)
//     target: 0.05                      # capacity: the largest load whose mean is at most this
//     match_parameters:                 # optional: each listed reader again, as a row "<reader>-matched",
//       target: 20000                   # with the value of its key that brings its parameter count
//       tolerance: 0.2                  # (at the smallest load) closest to target; an error when
//       keys: {memn2n: dim, ntm: controller.hidden}   # no value lands within the tolerance
//     retention_load: 64                # optional: the load of the retention table (default: the largest)
//     max_load: {ntm: 64}               # optional: a reader's cells above this load are not run
//                                       # (cut loads, never training: shown as "·", and a
//                                       # capacity reaching the cut is a lower bound "≥")
//
// When a run reports the metric's theory (the same key with its last part prefixed "theory_",
// e.g. best/test/theory_error, as the stored memories of models/associative_memory.cpp do), the
// table shows it in a row under the reader's, and the error-vs-load plot draws it as a curve.
// Capacity is also given per 1000 parameters and per KiB of state (4 bytes per number, as
// engram holds them), each at the capacity's load.
//
// Cell (reader r, load v, seed s) = the comparison file with the overrides
//   <the command line's>, model=@comparison.readers.r, <load.key>=v, seed=s, ~comparison
// so a cell is `engram run FILE <those overrides>`: resumable, skipped when done, and its config
// errors name the comparison file's lines. A reader enters the capacity summary only if its mean
// error at the smallest load is at most `target` ("honest training"); a cell whose runs did not
// reach their early-stopping plateau (they ran out of trainer.steps/epochs) is marked '*'.
#pragma once

#include "experiments/config.h"
#include "experiments/results_index.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace engram::experiments {

struct ComparisonSpec {
  std::string file, name;
  std::vector<std::string> overrides;  // the command line's, applied to every cell first
  std::vector<std::string> readers;    // row labels, in file order
  std::string load_key;
  std::vector<std::string> loads;      // as written (the override values)
  std::vector<double> load_values;
  std::vector<std::uint64_t> seeds;
  std::string metric = "best/test/error";
  double target = 0.05;
  std::map<std::string, double> max_load;  // reader -> the largest load it runs at
  // match_parameters: row label -> the reader whose section it copies, and the overrides that
  // follow (model.<key>=<value>); absent for plain readers
  std::map<std::string, std::string> source;
  std::map<std::string, std::vector<std::string>> reader_overrides;
  std::map<std::string, double> matched_parameters;  // row label -> its parameter count
  // the theory's summary key of `metric`: "best/test/error" -> "best/test/theory_error"
  std::string theory_metric() const;
  std::optional<double> retention_load;
  size_t retention_index() const;  // the load index of the retention table and plot
  // Whether the reader runs at load index l (max_load).
  bool runs(const std::string& reader, size_t l) const;
};

struct ComparisonCell {
  std::string reader, load;
  double load_value = 0;
  std::uint64_t seed = 0;
  std::vector<std::string> overrides;  // what makes the comparison file this cell's run
  std::string experiment, config_hash;
};

// True when the config at `file` (with `overrides`) has a `comparison` section.
bool is_comparison(const std::string& file, const std::vector<std::string>& overrides);

// Reads and checks the comparison section: at least one reader (labels of letters, digits, '_'
// and '-'), numeric load values, seeds >= 0, a metric, target in [0, 1]. ConfigError at file:line.
ComparisonSpec read_comparison(const std::string& file, const std::vector<std::string>& overrides);

// Every cell, reader-major, each validated as the run it will be (a bad reader section is a
// ConfigError naming the comparison file's line and the cell).
std::vector<ComparisonCell> comparison_cells(const ComparisonSpec& spec);

// One cell's outcome: the metric of each completed run (one per seed; NaN when missing).
struct CellResult {
  std::vector<double> values;
  bool all_done = true;
  bool budget = false;         // some run stopped at its budget, not at a plateau
  double parameters = -1, state_size = -1;
  bool skipped = false;        // not run: above the reader's max_load
  std::vector<double> theory;  // the runs' theory of the metric (NaN when they report none)
  // retention: <metric>/age_q1 .. age_q4 of each run (the newest .. oldest quarter of the story)
  std::array<std::vector<double>, 4> age;
};

struct ComparisonTable {
  ComparisonSpec spec;
  // [reader][load]
  std::vector<std::vector<CellResult>> cells;
  // rows: readers; columns: parameters, loads, capacity; then the retention at the largest load
  std::string markdown() const;
  std::string csv() const;        // one line per (reader, load): mean, std, n, budget, ...
  // Largest load whose mean error is at most spec.target, counting from the smallest; nullopt
  // when even the smallest load misses it (the reader did not learn: out of the summary).
  std::optional<double> capacity(size_t reader) const;
  // The same from the theory rows (nullopt when the reader has no theory or misses it).
  std::optional<double> theory_capacity(size_t reader) const;
  // Whether capacity(reader) is only a lower bound (it reaches the largest load the reader ran at).
  bool capacity_is_bound(size_t reader) const;
};

// The table of the cells' runs in `index` (the newest completed run of each cell).
ComparisonTable collect_comparison(const ComparisonSpec& spec, const std::vector<ComparisonCell>& cells,
                                   const ResultsIndex& index);

// Writes table.md, table.csv, summary.json and plots (error vs load, capacity bars, retention at
// the largest load: error by the age of the supporting fact) into `dir`;
// returns the lines to print (the files written).
std::vector<std::string> write_comparison(const ComparisonTable& table, const std::string& dir);

}  // namespace engram::experiments
