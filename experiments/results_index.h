// engram/experiments/results_index.h — the results index: one SQLite database per runs root
// (e.g. `runs/index.sqlite`) that records every run, its flattened config and its summary
// metrics, so that sweeps can skip finished work and `engram compare` can build tables.
//
// Concurrency contract
//   - Several worker PROCESSES may write the same database at once; each opens its own
//     ResultsIndex. The database is in WAL mode (readers never block the writer), every
//     connection has a 60 s busy timeout, and each write is one `BEGIN IMMEDIATE` transaction
//     that is retried with backoff when SQLite still reports SQLITE_BUSY / SQLITE_LOCKED.
//   - One ResultsIndex may be shared by threads of one process (calls are serialized by an
//     internal mutex). Do not carry an open ResultsIndex across fork(): open it in the child.
//   - The database file must live on a local file system (WAL needs shared memory).
//
// Error policy
//   - Every SQLite failure (cannot open, not a database, disk full, timeout) is a
//     std::runtime_error whose message names the database path and sqlite3_errmsg.
//   - A malformed RunRecord (empty id, unknown status, duplicate param key) is a
//     std::invalid_argument naming the field.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace engram::experiments {

// One run as the index knows it.
struct RunRecord {
  std::string id;                   // unique run id (e.g. "20261120-221500-a1b2c3")
  std::string experiment;           // experiment name
  std::string dir;                  // run directory, stored as given
  std::string status;               // "running" | "completed" | "failed" | "interrupted"
  std::string started, finished;    // ISO-8601 UTC; `finished` empty while running
  std::string config_hash;          // hash of the resolved config (sweeps skip completed ones)
  std::vector<std::pair<std::string, std::string>> params;  // flattened config, keys unique:
                                                            // ("model.hops","3"), ("seed","0")
  std::map<std::string, double> summary;  // final/best metrics, e.g. "final/val/accuracy";
                                          // NaN is kept (stored as NULL, read back as NaN)
  std::string error;                // message when failed
};

// Which runs `list` returns. Empty fields match everything; every params entry must match
// (key present with exactly that value string).
struct RunFilter {
  std::string experiment;
  std::string status;
  std::vector<std::pair<std::string, std::string>> params;
  std::string config_hash = {};  // only runs of this config (empty: any)
};

// The index of a runs root, <runs_root>/index.sqlite; a path ending in ".sqlite" is taken as
// the index itself. An empty root is a std::invalid_argument (it would put the index and the
// runs at the root of the file system).
std::string index_path(const std::string& runs_root);

// The statuses a RunRecord may carry.
bool is_valid_run_status(const std::string& status);

class ResultsIndex {
 public:
  // Opens (creating the file, its parent directories and the schema when needed) the index at
  // `db_path`. Throws std::runtime_error naming the path when the file cannot be opened, is
  // not an SQLite database, or was written by a newer schema version.
  explicit ResultsIndex(const std::string& db_path);
  ~ResultsIndex();
  ResultsIndex(ResultsIndex&&) noexcept;
  ResultsIndex& operator=(ResultsIndex&&) noexcept;
  ResultsIndex(const ResultsIndex&) = delete;
  ResultsIndex& operator=(const ResultsIndex&) = delete;

  // Inserts the run or replaces every stored field of the run with the same id, including
  // its whole params and summary, in ONE transaction (a reader sees the old or the new run,
  // never a mix). Typical use: upsert with status "running", later again with "completed".
  void upsert(const RunRecord& r);

  // Looks a run up by, in this order: exact id; run directory (as stored, or the same
  // directory spelled differently, e.g. relative vs absolute or with a trailing '/'); unique
  // id prefix. Returns nullopt when nothing matches; throws std::invalid_argument listing the
  // candidates when a prefix matches several runs.
  std::optional<RunRecord> get(const std::string& id_or_dir) const;

  // Runs matching `f`, ordered by `started` (then id).
  std::vector<RunRecord> list(const RunFilter& f = {}) const;

  // The most recently finished run of `experiment` with status "completed" and this config
  // hash, if any. A sweep calls this to skip configs that are already done.
  std::optional<RunRecord> find_completed(const std::string& experiment,
                                          const std::string& config_hash) const;

  const std::string& path() const;

  // Version stored in `PRAGMA user_version` by this build.
  static constexpr int kSchemaVersion = 1;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// JSON form of a run (for `engram runs --json`, summary files and Python):
//   {"id":..., "experiment":..., "dir":..., "status":..., "started":..., "finished":...,
//    "config_hash":..., "params": {"model.hops": "3", ...}, "summary": {"name": 0.91, ...},
//    "error": ...}
// NaN summary values are written as null and read back as NaN. from_json requires "id" and
// accepts missing optional fields; a field of the wrong type throws nlohmann::json's error.
void to_json(nlohmann::json& j, const RunRecord& r);
void from_json(const nlohmann::json& j, RunRecord& r);

}  // namespace engram::experiments
