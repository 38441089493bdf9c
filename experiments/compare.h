// engram/experiments/compare.h — comparison tables over indexed runs: the table a researcher
// pastes into a paper (`engram compare`).
#pragma once

#include <string>
#include <vector>

#include "experiments/results_index.h"

namespace engram::experiments {

struct CompareOptions {
  std::vector<std::string> group_by;  // param keys, e.g. {"model.score"}; runs with equal values
                                      // form a group (typically differing only in seed)
  std::vector<std::string> metrics;   // summary metric names; empty = every metric present in
                                      // any run, in name order
  std::string format = "markdown";    // "markdown" | "csv"
  int precision = 4;                  // digits after the decimal point (fixed notation)
  // Random restarts: when set ("best/val/error:min" or "...:max"), each group shows the one run
  // with the best value of that metric (runs without it are skipped) instead of mean ± std;
  // `n` still counts the whole group. The paper protocol "best of R restarts by validation".
  std::string best;
};

// One row per group, columns: the group_by keys, `n` (runs in the group), then per metric
//   markdown: "mean ± std" — sample std (n-1 denominator); just "mean" when one value;
//             " (n=k)" appended when only k of the group's runs have that metric;
//             "—" when none has it. Columns are padded so the source lines up; group keys
//             are left-aligned, numbers right-aligned. '|' in a cell is escaped as "\|".
//   csv:      "<metric>_mean", "<metric>_std"; std is empty for a single value and both are
//             empty when no run of the group has the metric. Fields containing ',', '"' or a
//             newline are quoted (RFC 4180).
// Rows are sorted by the group values, key by key: values that parse entirely as numbers
// compare numerically (so 2 before 10) and come before other values, which compare as
// strings; a run without a group_by key forms its own group, sorted last and shown as "—"
// (markdown) or empty (csv). Without group_by all runs form one group.
// Throws std::invalid_argument when `runs` is empty, when a group_by key is in no run's params
// or a metric in no run's summary (the message names it and lists the available ones), for
// an unknown format, or a precision outside [0, 17].
std::string compare_runs(const std::vector<RunRecord>& runs, const CompareOptions& opt);

// `engram compare --rows`: the tables (table.csv) of study runs stacked into one, each row
// prefixed by its run's group_by values (all runs must have tables with the same columns;
// opt.metrics, when given, selects table columns). Runs are ordered as compare_runs orders
// groups. Throws std::invalid_argument naming the run whose table is missing or different.
std::string stack_run_tables(const std::vector<RunRecord>& runs, const CompareOptions& opt);

}  // namespace engram::experiments
