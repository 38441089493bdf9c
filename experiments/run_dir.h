// engram/experiments/run_dir.h — one directory per run:
//   config.yaml      the resolved config         overrides.txt  the overrides, one per line
//   meta.json        version, git commit and dirty flag, compiler and flags, host, threads, seed
//   metrics.jsonl    one record per logged value: {"step", "split", "name", "value"}
//   summary.json     final and best metrics, status
//   checkpoints/     last.ck, best.ck
//   log.txt          what the run printed
//   lock             held (flock) by the process running the run, for as long as it runs
//
// Every file is written through core/fileio.h: whole files atomically, metrics and log lines as
// appended records. A run killed at any moment (kill -9, power kept) leaves the last checkpoint
// whole, and a torn last metrics line that resuming drops.
#pragma once

#include "core/fileio.h"
#include "experiments/problem.h"

#include <string>

namespace engram::experiments {

struct MetricRecord {
  std::uint64_t step;
  std::string split;
  std::string name;
  double value;
};

class RunDir {
 public:
  // Creates `path` (and parents) and takes its lock. Refuses a directory that already holds a
  // run unless `resume`, a run directory that another process is running, and (resume) a
  // directory without config.yaml (a run killed before it wrote its config: run it again).
  RunDir(std::string path, bool resume);
  ~RunDir();
  RunDir(const RunDir&) = delete;
  RunDir& operator=(const RunDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string checkpoint(const std::string& which) const { return path_ + "/checkpoints/" + which + ".ck"; }

  void write_text(const std::string& name, const std::string& text) const;  // atomic (tmp + rename)
  std::string read_text(const std::string& name) const;

  // metrics.jsonl: appends are flushed per record. On resume, records after `step` are
  // dropped first (they were written after the checkpoint the run resumes from).
  void append_metric(const MetricRecord& r);
  void truncate_metrics_after(std::uint64_t step);
  std::vector<MetricRecord> read_metrics() const;

  void log(const std::string& line);  // appended to log.txt

  // <run>/<name>.npy as a float32 C-order array (numpy.load reads it), written atomically.
  void save_npy(const std::string& name, const MatF& m) const;

 private:
  std::string path_;
  fileio::Appender metrics_, log_;
  int lock_fd_ = -1;
};

// Whether a process holds the lock of the run directory `dir` (that is, runs it now). A run
// that the index calls "running" but whose lock nobody holds has died without a word.
bool run_dir_locked(const std::string& dir);

// The records of a JSON-lines file: every complete line, stopping at a torn last line (a line
// cut by a crash while it was appended: no newline at its end, or not parseable). Other
// unparseable lines are errors naming file:line. `torn` tells whether one was dropped.
std::vector<std::string> read_record_lines(const std::string& path, bool* torn = nullptr);
// The records of a metrics.jsonl file (a torn last line dropped; a null value, which is how a
// NaN is written, reads as NaN); a record that is not {"step", "split", "name", "value"} with a
// step number and a numeric value is a std::runtime_error naming file and record.
std::vector<MetricRecord> read_metrics_file(const std::string& path);

// Default run directory: <root>/<experiment>/<UTC yyyymmdd-HHMMSS>-<6 hex of config hash + pid>.
std::string default_run_path(const std::string& root, const std::string& experiment,
                             const std::string& config_hash);
std::string utc_timestamp_iso();
// Short stable hash of a text (hex).
std::string hash_hex(const std::string& text, int digits = 12);

// meta.json content for this build and machine.
std::string build_meta_json(std::uint64_t seed, int threads);

}  // namespace engram::experiments
