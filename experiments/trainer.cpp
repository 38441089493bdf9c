#include "experiments/trainer.h"

#include "core/checkpoint.h"
#include "core/ops.h"
#include "experiments/optim_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <csignal>
#include <limits>

namespace engram::experiments {

namespace {
std::atomic<bool> g_interrupt{false};

extern "C" void on_signal(int sig) {
  if (g_interrupt.load()) {  // a second Ctrl-C: stop now
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
  g_interrupt.store(true);
}

bool improves(double v, double best, const std::string& mode) { return mode == "max" ? v > best : v < best; }

std::string metrics_json(const Metrics& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j.dump();
}
Metrics metrics_from_json(const std::string& s) {
  Metrics m;
  const nlohmann::json j = nlohmann::json::parse(s);  // named: items() must not outlive it
  for (const auto& [k, v] : j.items()) m[k] = v.get<double>();
  return m;
}
}  // namespace

void install_interrupt_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}
void request_interrupt() { g_interrupt.store(true); }
void clear_interrupt() { g_interrupt.store(false); }
bool interrupt_requested() { return g_interrupt.load(); }

TrainerOptions read_trainer_options(Section cfg, const Task& task) {
  TrainerOptions o;
  o.batch = static_cast<std::uint64_t>(cfg.integer("batch", 32, 1, 1 << 20));
  const bool has_steps = cfg.has("steps"), has_epochs = cfg.has("epochs");
  if (has_steps && has_epochs)
    throw ConfigError(cfg.source("epochs") + ": trainer.steps and trainer.epochs are exclusive; give one");
  if (has_epochs) {
    if (task.train_size() == 0)
      throw ConfigError(cfg.source("epochs") + ": trainer.epochs needs a finite training set; this task generates examples, use trainer.steps");
    const auto epochs = static_cast<std::uint64_t>(cfg.integer("epochs", 1, 1));
    o.steps = epochs * ((task.train_size() + o.batch - 1) / o.batch);
  } else {
    o.steps = static_cast<std::uint64_t>(cfg.integer("steps", 1000, 1));
  }
  o.threads = static_cast<int>(cfg.integer("threads", 1, 1, 256));
  // eval_every / log_every: a number of steps, or "epoch" (once per pass over a finite set)
  const std::uint64_t per_epoch = task.train_size() ? (task.train_size() + o.batch - 1) / o.batch : 0;
  auto every = [&](const std::string& key, long long def) -> std::uint64_t {
    if (cfg.has(key) && cfg.string(key) == "epoch") {
      if (!per_epoch)
        throw ConfigError(cfg.source(key) + ": trainer." + key + ": 'epoch' needs a finite training set; give a number of steps");
      return per_epoch;
    }
    return static_cast<std::uint64_t>(cfg.integer(key, def, 1));
  };
  o.eval_every = every("eval_every", 100);
  o.log_every = every("log_every", 10);
  o.eval_train = cfg.boolean("eval_train", false);
  if (o.eval_train && !per_epoch)
    throw ConfigError(cfg.source("eval_train") + ": trainer.eval_train needs a finite training set to evaluate");
  o.clip_norm = cfg.number("clip_norm", 0.0, 0.0);
  o.clip_spectral = cfg.choice("clip_mode", "global", {"global", "spectral"}) == "spectral";
  o.warmup = static_cast<std::uint64_t>(cfg.integer("warmup", 0, 0));
  Section es = cfg.section("early_stopping");
  o.stop_metric = es.string("metric", "val/loss");
  o.stop_mode = es.choice("mode", o.stop_metric.find("loss") != std::string::npos ||
                                          o.stop_metric.find("error") != std::string::npos
                                      ? "min" : "max",
                          {"min", "max"});
  o.patience = static_cast<std::uint64_t>(es.integer("patience", 0, 0));
  if (es.has("min_epochs")) {
    if (!per_epoch)
      throw ConfigError(es.source("min_epochs") + ": trainer.early_stopping.min_epochs needs a finite training set");
    o.min_steps = static_cast<std::uint64_t>(es.integer("min_epochs", 0, 0)) * per_epoch;
  }
  es.finish();
  return o;
}

Trainer::Trainer(Model& model, const Task& task, TrainerOptions opt, Section cfg, RunDir& dir,
                 std::uint64_t seed)
    : model_(model), task_(task), opt_(std::move(opt)), dir_(dir), seed_(seed),
      params_(model.named_parameters()) {
  optimizer_ = make_optimizer(cfg.section("optimizer"), params_);
  const std::uint64_t per_epoch = task.train_size() ? (task.train_size() + opt_.batch - 1) / opt_.batch : 0;
  schedule_ = make_schedule(cfg.section("schedule"), optimizer_->lr(), per_epoch, opt_.warmup);
  cfg.finish();
}

std::vector<std::uint64_t> Trainer::batch_ids(std::uint64_t step) {
  std::vector<std::uint64_t> ids(opt_.batch);
  const std::uint64_t n = task_.train_size();
  for (std::uint64_t i = 0; i < opt_.batch; ++i) {
    const std::uint64_t pos = step * opt_.batch + i;
    if (n == 0) {
      ids[i] = pos;
      continue;
    }
    const std::uint64_t epoch = pos / n;
    if (epoch != cached_epoch_) {
      Rng order = Rng(seed_, "train-order").child(epoch);
      order_ = order.permutation(static_cast<int>(n));
      cached_epoch_ = epoch;
    }
    ids[i] = static_cast<std::uint64_t>(order_[pos % n]);
  }
  return ids;
}

void Trainer::save_checkpoint(const std::string& which, std::uint64_t step) {
  Checkpoint ck;
  save_parameters(ck, params_);
  save_parameters(ck, model_.frozen_state(), "state/");
  optimizer_->save_state(ck);
  ck.put_u64s("trainer/state", {step, best_step_, bad_evals_, have_best_ ? 1u : 0u, running_count_});
  ck.put_tensor<double>("trainer/values", (MatD(1, 2) << best_value_, running_loss_).finished());
  ck.put_string("trainer/best_metrics", metrics_json(best_metrics_));
  ck.put_string("trainer/last_metrics", metrics_json(last_metrics_));
  ck.save(dir_.checkpoint(which));
}

void Trainer::load_checkpoint(std::uint64_t& step) {
  const Checkpoint ck = Checkpoint::load(dir_.checkpoint("last"));
  const auto st = ck.get_u64s("trainer/state");
  if (st.size() != 5) throw CheckpointError(dir_.checkpoint("last") + ": trainer/state has " + std::to_string(st.size()) + " values, expected 5");
  const MatD values = ck.get_tensor<double>("trainer/values", 1, 2);
  const Metrics best = metrics_from_json(ck.get_string("trainer/best_metrics"));
  const Metrics last = metrics_from_json(ck.get_string("trainer/last_metrics"));
  const ParameterList<float> state = model_.frozen_state();
  std::vector<MatF> staged;  // the model's frozen state, read and checked before anything is assigned
  for (const auto& p : state) staged.push_back(ck.get_tensor<float>("state/" + p.name, p.var.rows(), p.var.cols()));
  load_parameters(ck, params_);   // validates everything before assigning
  for (size_t i = 0; i < state.size(); ++i) Var<float>(state[i].var).mutable_value() = std::move(staged[i]);
  optimizer_->load_state(ck);
  step = st[0];
  best_step_ = st[1];
  bad_evals_ = st[2];
  have_best_ = st[3] != 0;
  running_count_ = st[4];
  best_value_ = values(0, 0);
  running_loss_ = values(0, 1);
  best_metrics_ = best;
  last_metrics_ = last;
}

// One optimizer step at `step`: the batch's examples in groups of examples_per_graph (one graph
// each; example i keeps stream child(i)), their mean loss back-propagated, clipped, applied.
// Returns the batch's mean loss (not applied when it is not finite).
double Trainer::train_step(std::uint64_t step, ThreadPool& pool, const Rng& example_root, std::uint64_t per_epoch) {
  model_.begin_step(step, per_epoch ? step / per_epoch : 0);
  optimizer_->set_lr(schedule_->lr(step));
  optimizer_->zero_grad();
  const auto ids = batch_ids(step);
  const Rng step_rng = example_root.child(step);
  const float inv_batch = 1.0f / float(opt_.batch);
  const Index batch = static_cast<Index>(opt_.batch), per_graph = std::max<Index>(1, model_.examples_per_graph());
  const double loss = accumulate_gradients<float>(pool, params_, (batch + per_graph - 1) / per_graph, [&](Index g) {
    const Index lo = g * per_graph, count = std::min(per_graph, batch - lo);
    std::vector<Rng> rngs;
    rngs.reserve(static_cast<size_t>(count));
    for (Index i = lo; i < lo + count; ++i) rngs.push_back(step_rng.child(static_cast<std::uint64_t>(i)));
    const std::span<const std::uint64_t> group(ids.data() + lo, static_cast<size_t>(count));
    return scale(model_.loss_sum(group, rngs), inv_batch);
  });
  if (!std::isfinite(loss)) return loss;
  if (opt_.clip_norm > 0) {
    if (opt_.clip_spectral) clip_grad_spectral(params_, opt_.clip_norm);
    else clip_grad_norm(params_, opt_.clip_norm);
  }
  optimizer_->step();
  return loss;
}

// Evaluates every split after `step`, records the metrics, keeps the best checkpoint and writes
// the last one. Returns the metrics.
Metrics Trainer::evaluate_and_checkpoint(std::uint64_t step, ThreadPool& pool) {
  Metrics evaluated;
  model_.set_training(false);
  std::vector<std::string> splits = task_.eval_splits();
  if (opt_.eval_train) splits.insert(splits.begin(), "train");
  for (const auto& split : splits)
    for (const auto& [name, value] : model_.evaluate(split, pool)) {
      evaluated[split + "/" + name] = value;
      dir_.append_metric({step, split, name, value});
    }
  model_.set_training(true);
  last_metrics_ = evaluated;
  auto it = evaluated.find(opt_.stop_metric);
  if (it == evaluated.end()) {
    std::string known;
    for (const auto& [k, v] : evaluated) known += (known.empty() ? "" : ", ") + k;
    throw ConfigError("trainer.early_stopping.metric: '" + opt_.stop_metric + "' is not a metric of this model; it reports: " +
                      known);
  }
  if (!have_best_ || improves(it->second, best_value_, opt_.stop_mode)) {
    have_best_ = true;
    best_value_ = it->second;
    best_step_ = step;
    best_metrics_ = evaluated;
    bad_evals_ = 0;
    save_checkpoint("best", step);
  } else if (step >= opt_.min_steps) {
    ++bad_evals_;  // evaluations before min_epochs do not count toward the patience
  }
  save_checkpoint("last", step);
  return evaluated;
}

TrainResult Trainer::run(bool resume) {
  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t step = 0;
  if (resume) {
    // A run killed before its first checkpoint has nothing to load: it starts again from step 0
    // (dropping whatever metrics it wrote before it died).
    const bool have_checkpoint = std::filesystem::exists(dir_.checkpoint("last"));
    if (have_checkpoint) load_checkpoint(step);
    dir_.truncate_metrics_after(step);
    dir_.log(have_checkpoint ? "resumed at step " + std::to_string(step) : "no checkpoint to resume: started again");
  }
  ThreadPool pool(opt_.threads);
  const Rng example_root(seed_, "train-examples");
  const auto finish = [&](const std::string& status, const std::string& message) {
    TrainResult result;
    result.status = status;
    result.step = step;
    result.message = message;
    result.final_metrics = last_metrics_;
    result.best_metrics = best_metrics_;
    result.best_step = best_step_;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!message.empty()) dir_.log(message);
    return result;
  };

  // A model without parameters (a memory that is written, not trained) has nothing to learn:
  // it is evaluated once, at step 0, and that is its plateau.
  if (params_.empty()) {
    const Metrics evaluated = evaluate_and_checkpoint(0, pool);
    if (on_progress) on_progress({opt_.steps, opt_.steps, 0.0, &evaluated});
    return finish("stopped_early", "the model has no parameters: evaluated once, nothing to train");
  }
  model_.set_training(true);
  const std::uint64_t per_epoch = task_.train_size() ? (task_.train_size() + opt_.batch - 1) / opt_.batch : 0;
  while (step < opt_.steps) {
    if (interrupt_requested()) {
      save_checkpoint("last", step);
      return finish("interrupted", "interrupted at step " + std::to_string(step) + "; checkpoint " +
                                       dir_.checkpoint("last") + " written, continue with --resume " + dir_.path());
    }
    const double loss = train_step(step, pool, example_root, per_epoch);
    if (!std::isfinite(loss))
      return finish("failed", "step " + std::to_string(step + 1) + ": the training loss is " +
                                  (std::isnan(loss) ? "NaN" : "infinite") + "; stopped. The last good checkpoint (" +
                                  dir_.checkpoint("last") + ") is kept; lower the learning rate or clip gradients (trainer.clip_norm)");
    ++step;
    running_loss_ += loss;
    ++running_count_;
    if (step % opt_.log_every == 0 || step == opt_.steps) {
      dir_.append_metric({step, "train", "loss", running_loss_ / double(running_count_)});
      running_loss_ = 0;
      running_count_ = 0;
    }
    const bool eval_now = step % opt_.eval_every == 0 || step == opt_.steps;
    const Metrics evaluated = eval_now ? evaluate_and_checkpoint(step, pool) : Metrics{};
    if (on_progress) on_progress({step, opt_.steps, loss, eval_now ? &evaluated : nullptr});
    if (eval_now && opt_.patience > 0 && bad_evals_ >= opt_.patience)
      return finish("stopped_early", "early stop at step " + std::to_string(step) + ": " + opt_.stop_metric +
                                         " did not improve for " + std::to_string(opt_.patience) + " evaluations");
  }
  return finish("completed", "");
}

}  // namespace engram::experiments
