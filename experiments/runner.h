// engram/experiments/runner.h — one experiment run, from config file to indexed results.
#pragma once

#include "experiments/results_index.h"
#include "experiments/study.h"
#include "experiments/trainer.h"

#include <ostream>

namespace engram::experiments {

struct RunRequest {
  std::string config;                      // config file (ignored when resuming)
  std::vector<std::string> overrides;      // key=value / +key=value
  std::string out;                         // run directory; empty = default under runs_root
  std::string runs_root = "runs";          // holds index.sqlite and the default run directories
  std::string resume;                      // run directory to continue
  bool progress = true;                    // progress bar / periodic lines on `out`
  // Acts as if Ctrl-C arrived right after this step (0 = never): for tests of resumption.
  std::uint64_t interrupt_after_step = 0;
  // A sweep's run (engram run --skip-done; multirun and Dask workers): skipped when a run of
  // the same experiment and config is done (completed, its directory and summary on disk) or
  // running in another process; a run of it that died or was interrupted is resumed instead of
  // started again. Two sweeps over one runs root thus never run one combination twice.
  bool skip_done = false;
};

struct RunOutcome {
  std::string dir;
  std::string status;   // completed | stopped_early | interrupted | failed | skipped | busy
  int exit_code = 0;    // 0 completed/stopped early, 1 failed, 130 interrupted
  TrainResult result;
};

// Validates the whole config (task, model, trainer) before anything is written; a config
// problem throws ConfigError and leaves no run behind.
RunOutcome run_experiment(const RunRequest& req, std::ostream& out);

// The task and model of a config, built and validated (used by run_experiment, and by tests).
struct Built {
  std::unique_ptr<Task> task;
  std::unique_ptr<Model> model;
  TrainerOptions trainer;
};
Built build_problem(Config& cfg);

// A config with a top-level `study:` section is a study (experiments/study.h), run without a
// trainer; anything else is a training run. validate_config builds whichever it is and rejects
// unread keys, writing nothing (used before a sweep starts).
bool is_study(Config& cfg);

// The resolved config as stored in a run directory, and its hash (the index's config_hash):
// two runs with the same hash ran the same experiment, so sweeps skip completed ones.
std::string resolved_yaml(const Config& cfg);
std::string config_hash(const Config& cfg);
void validate_config(Config& cfg);

}  // namespace engram::experiments
