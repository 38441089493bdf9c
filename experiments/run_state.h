// engram/experiments/run_state.h — what a run is, from its index record and its directory.
//
// The index records what a run said about itself; the disk says what is left of it. A run the
// index calls "running" whose directory lock nobody holds has died without a word (kill -9,
// power loss, OOM killer); a run whose directory is gone exists nowhere, whatever the index
// says. Everything that decides about runs (`engram ls`, sweeps skipping finished work,
// resuming what died) goes through these.
#pragma once

#include "experiments/results_index.h"

#include <optional>
#include <string>

namespace engram::experiments {

// The stored status, unless the disk contradicts it:
//   "missing"  the run directory does not exist
//   "died"     stored as running, but no process holds the run's lock
std::string observed_status(const RunRecord& r);

// Completed, with its directory and summary.json on disk.
bool is_done(const RunRecord& r);

// The runs of one (experiment, config hash) in the index, as a sweep sees them: one that is
// done, else one to resume (died or interrupted, its config and last checkpoint present).
struct ExistingRuns {
  std::optional<RunRecord> done;
  std::optional<RunRecord> resumable;
};
ExistingRuns existing_runs(const ResultsIndex& index, const std::string& experiment, const std::string& config_hash);

// A sweep's hold on one (experiment, config hash) of a runs root: while one process holds it,
// another that asks for it gets nothing (two sweeps over one runs root never run the same
// combination at once). Released when the Claim is destroyed or its process ends.
class Claim {
 public:
  // Non-blocking: nullopt when another process holds the claim.
  static std::optional<Claim> try_take(const std::string& runs_root, const std::string& experiment,
                                       const std::string& config_hash);
  Claim(Claim&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Claim& operator=(Claim&& o) noexcept;
  Claim(const Claim&) = delete;
  ~Claim();

 private:
  explicit Claim(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace engram::experiments
