// engram/experiments/run_dir.h — one directory per run:
//   config.yaml      the resolved config         overrides.txt  the overrides, one per line
//   meta.json        version, git commit and dirty flag, compiler and flags, host, threads, seed
//   metrics.jsonl    one record per logged value: {"step", "split", "name", "value"}
//   summary.json     final and best metrics, status
//   checkpoints/     last.ck, best.ck
//   log.txt          what the run printed
#pragma once

#include "experiments/problem.h"

#include <fstream>
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
  // Creates `path` (and parents). Refuses a directory that already holds a run unless `resume`.
  RunDir(std::string path, bool resume);

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
  std::ofstream metrics_, log_;
};

// Default run directory: <root>/<experiment>/<UTC yyyymmdd-HHMMSS>-<6 hex of config hash + pid>.
std::string default_run_path(const std::string& root, const std::string& experiment,
                             const std::string& config_hash);
std::string utc_timestamp_iso();
// Short stable hash of a text (hex).
std::string hash_hex(const std::string& text, int digits = 12);

// meta.json content for this build and machine.
std::string build_meta_json(std::uint64_t seed, int threads);

}  // namespace engram::experiments
