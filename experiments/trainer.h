// engram/experiments/trainer.h — the training loop every experiment runs through.
//
//   trainer:
//     steps: 600            # or epochs: N (finite training sets only)
//     batch: 32
//     threads: 2            # results do not depend on it
//     eval_every: 50        # steps between evaluations (and checkpoints), or `epoch`
//     log_every: 10         # steps between train/loss records, or `epoch`
//     eval_train: false     # each evaluation also evaluates the training split (train/error...,
//                           # without training-time noise): selection on training error, as the
//                           # MemN2N authors chose restarts (docs/babi.md)
//     clip_norm: 10         # global gradient norm clip (0 = off)
//     clip_mode: global     # global (all gradients' L2 norm together) | spectral (each
//                           # parameter's largest singular value on its own: the MemN2N authors')
//     warmup: 0             # linear warm-up steps
//     optimizer: {name: adam, lr: 0.003}
//     schedule: {name: constant}
//     early_stopping: {metric: val/loss, mode: min, patience: 0}   # patience 0 = off
//                                    # min_epochs: N: evaluations of the first N epochs do not
//                                    # count toward the patience (e.g. a curriculum's epochs)
//
// A model without parameters (a stored memory, models/associative_memory.cpp) is evaluated once
// at step 0 and stops there (status stopped_early: its plateau).
//
// Determinism: the examples of step s and the randomness of example i of step s derive from
// (seed, s, i) only, so a run resumed from a checkpoint continues with exactly the numbers the
// uninterrupted run would have produced, whatever the thread count.
#pragma once

#include "core/optim.h"
#include "core/schedule.h"
#include "experiments/problem.h"
#include "experiments/run_dir.h"

#include <atomic>
#include <chrono>
#include <functional>

namespace engram::experiments {

struct TrainerOptions {
  std::uint64_t steps = 0;
  std::uint64_t batch = 32;
  int threads = 1;
  std::uint64_t eval_every = 100;
  std::uint64_t log_every = 10;
  bool eval_train = false;
  double clip_norm = 0;
  bool clip_spectral = false;
  std::uint64_t warmup = 0;
  std::string stop_metric = "val/loss";  // also selects the best checkpoint
  std::string stop_mode = "min";
  std::uint64_t patience = 0;
  std::uint64_t min_steps = 0;  // early_stopping.min_epochs x steps per epoch
};

// Reads the `trainer` section (all of it: the optimizer and schedule sub-sections are read by
// Trainer's constructor).
TrainerOptions read_trainer_options(Section cfg, const Task& task);

struct TrainProgress {
  std::uint64_t step, total;
  double loss;            // latest train loss (batch mean)
  const Metrics* eval;    // non-null right after an evaluation
};

struct TrainResult {
  std::string status;     // completed | stopped_early | interrupted | failed
  std::uint64_t step = 0;
  Metrics final_metrics;  // last evaluation ("val/accuracy", ...)
  Metrics best_metrics;   // evaluation at the best step
  std::uint64_t best_step = 0;
  std::string message;    // why it stopped, for failed/interrupted
  double seconds = 0;
};

// Set by SIGINT/SIGTERM (see install_interrupt_handlers) or by request_interrupt(); the trainer
// checks it after every step, writes a checkpoint and returns "interrupted".
void install_interrupt_handlers();
void request_interrupt();
void clear_interrupt();
bool interrupt_requested();

class Trainer {
 public:
  Trainer(Model& model, const Task& task, TrainerOptions opt, Section trainer_cfg, RunDir& dir,
          std::uint64_t seed);
  // resume = continue from dir's checkpoints/last.ck.
  TrainResult run(bool resume);
  std::function<void(const TrainProgress&)> on_progress;

 private:
  double train_step(std::uint64_t step, ThreadPool& pool, const Rng& example_root, std::uint64_t per_epoch);
  Metrics evaluate_and_checkpoint(std::uint64_t step, ThreadPool& pool);
  std::vector<std::uint64_t> batch_ids(std::uint64_t step);
  void save_checkpoint(const std::string& which, std::uint64_t step);
  void load_checkpoint(std::uint64_t& step);

  Model& model_;
  const Task& task_;
  TrainerOptions opt_;
  RunDir& dir_;
  std::uint64_t seed_;
  ParameterList<float> params_;
  std::unique_ptr<Optimizer<float>> optimizer_;
  std::shared_ptr<const LrSchedule> schedule_;
  // state that checkpoints carry besides parameters and optimizer
  double best_value_ = 0;
  bool have_best_ = false;
  std::uint64_t best_step_ = 0, bad_evals_ = 0;
  double running_loss_ = 0;
  std::uint64_t running_count_ = 0;
  Metrics best_metrics_, last_metrics_;
  // epoch order cache
  std::uint64_t cached_epoch_ = ~0ULL;
  std::vector<int> order_;
};

}  // namespace engram::experiments
