// engram/experiments/problem.h — how tasks and models plug into the engine.
//
// A Task owns data (read from files or generated from its seed); a Model (a Module) computes
// the loss of one training example and the metrics of an evaluation split. Both are built by
// name from their config sections through registries, so a config says
//   task:  {name: kv_retrieval, pairs: 8}
//   model: {name: kv_attention, hidden: 32}
// and `engram list tasks` / `engram list models` show what exists.
//
// Contract for Model::loss: thread-safe (called concurrently for the examples of a batch),
// returns a [1 x 1] Var, takes all randomness from `rng` (a stream derived from the example's
// position in the run), and reads the task only through const methods.
#pragma once

#include "core/module.h"
#include "core/options.h"
#include "core/parallel.h"
#include "core/registry.h"
#include "core/rng.h"
#include "experiments/config.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace engram::experiments {

using Metrics = std::map<std::string, double>;

class Task {
 public:
  virtual ~Task() = default;
  // The family of examples it produces; models check it ("kv_retrieval", "babi", "sequence").
  virtual std::string family() const = 0;
  // Number of training examples; 0 means generated on demand (any id is valid).
  virtual std::uint64_t train_size() const = 0;
  // Splits that Model::evaluate accepts, e.g. {"val"} or {"val", "test"}.
  virtual std::vector<std::string> eval_splits() const { return {"val"}; }
};

class Model : public Module<float> {
 public:
  // Loss of training example `id` ([1 x 1]); see the contract above.
  virtual Var<float> loss(std::uint64_t id, Rng& rng) const = 0;
  // The summed loss of training examples ids[i], each with its own stream rngs[i] (the same
  // streams loss() would get). The trainer hands it examples_per_graph() examples at a time,
  // fewer for the last group of a batch; groups run concurrently, like loss(). The default sums
  // loss(). Models whose examples batch well override both: one graph over a (ragged) batch
  // costs far less than a graph per example when each example is small (MemN2N on bAbI).
  // examples_per_graph() is a model constant, never a function of the thread count, so the
  // gradients stay the same whatever trainer.threads is.
  virtual Var<float> loss_sum(std::span<const std::uint64_t> ids, std::span<Rng> rngs) const;
  virtual Index examples_per_graph() const { return 1; }
  // Metrics of a whole split (no gradients). Must include "loss"; lower-is-better metrics
  // other than loss are named "error..." by convention.
  virtual Metrics evaluate(const std::string& split, ThreadPool& pool) const = 0;
  // Called by the trainer on its thread before every training step (also the first one after a
  // resume), never while loss() or evaluate() run. epoch = step / steps_per_epoch, with
  // steps_per_epoch = ceil(train_size / batch) as for `unit: epoch` schedules (0 when the task
  // generates its examples). For models that change during training, e.g. MemN2N's linear start
  // (no softmax in the first epochs); a function of the step only, so a resumed run is exact.
  virtual void begin_step(std::uint64_t step, std::uint64_t epoch) {
    (void)step;
    (void)epoch;
  }
  // Values a model keeps beside its parameters that no optimizer touches but a resumed run needs
  // (pointer_net's rollout baseline: a frozen copy of the policy, replaced during training). The
  // trainer saves them in every checkpoint under "state/" and restores them with the parameters,
  // so a resumed run goes on exactly. Default: none.
  virtual ParameterList<float> frozen_state() const { return {}; }
  // Matrices worth looking at after training (attention weights over evaluation examples,
  // memory weightings over time, ...), saved by the runner as <run>/inspect/<name>.npy.
  virtual std::map<std::string, MatF> inspect() const { return {}; }
  // Numbers the model's memory holds between writing and reading, for the task's longest
  // evaluation example (docs/compare.md); -1 when the model does not say. The runner records it
  // as "state_size" beside "parameters".
  virtual double state_size() const { return -1; }
};

using TaskFactory = std::function<std::unique_ptr<Task>(Section& cfg, const Rng& rng)>;
using ModelFactory = std::function<std::unique_ptr<Model>(Section& cfg, const Task& task, Rng& rng)>;

Registry<TaskFactory>& tasks();
Registry<ModelFactory>& models();

// The factory named by `cfg[key]` in `registry`; an unknown name becomes a ConfigError naming
// the file:line of the name, the known names and the nearest one.
template <class Factory>
Factory lookup_component(const Registry<Factory>& registry, Section& cfg, const std::string& key = "name") {
  const std::string name = cfg.string(key);
  try {
    return registry.get(name);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(cfg.source(key) + ": " + (cfg.path().empty() ? key : cfg.path() + "." + key) + ": " + e.what());
  }
}

// The scalar keys of `cfg` (except `skip`) as an Options bag, for building registered
// components of the lower layers (scores, normalizers, addressing stages, rules).
Options to_options(Section& cfg, const std::vector<std::string>& skip = {"name"});

// Runs build() (which builds a component from to_options(cfg)); an std::invalid_argument whose
// message starts with an option key ("beta: must be > 0") becomes a ConfigError at that key's
// file:line ("kv.yaml:12: model.score.beta: must be > 0").
template <class F>
auto with_config_errors(Section& cfg, F&& build) -> decltype(build()) {
  try {
    return build();
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    const auto colon = msg.find(':');
    const std::string key = colon == std::string::npos ? std::string() : msg.substr(0, colon);
    const bool known = !key.empty() && cfg.has(key);
    const std::string where = known ? cfg.source(key) : cfg.source();
    throw ConfigError(where + ": " + cfg.path() + (known ? "." : ": ") + msg);
  }
}

// Runs build() for the component `c` names; an std::invalid_argument whose message starts with
// an option key becomes a ConfigError at that option's line (the mapping form) or at the name.
template <class F>
auto with_choice_errors(const Choice& c, F&& build) -> decltype(build()) {
  if (c.section) return with_config_errors(*c.section, build);
  try {
    return build();
  } catch (const std::invalid_argument& e) {
    throw ConfigError(c.source + ": " + c.path + ": " + e.what());
  }
}

// The component `c` names (experiments/config.h, Choice), from `registry`, built as
// factory(shape, c.options, rng): an unknown name is a ConfigError at the name's file:line with
// the known names and the nearest one; a bad option is a ConfigError at its own line.
template <class Factory, class Shape>
auto build_choice(const Choice& c, const Registry<Factory>& registry, const Shape& shape, Rng& rng) {
  Factory factory;
  try {
    factory = registry.get(c.name);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(c.source + ": " + c.path + (c.section ? ".name" : "") + ": " + e.what());
  }
  return with_choice_errors(c, [&] { return factory(shape, c.options, rng); });
}

// The component chosen at parent[key] (`key: name` or `key: {name: ..., <options>}`, `def`
// when absent), built from `registry`.
template <class Factory, class Shape>
auto build_component(Section& parent, const std::string& key, const Registry<Factory>& registry, const Shape& shape,
                     Rng& rng, const std::string& def) {
  return build_choice(read_choice(parent, key, def), registry, shape, rng);
}

// Loss and accuracy of a classifier over n examples, computed on `pool` without gradients and
// summed in example order (deterministic). example(i) returns {logits [1 x C], target}.
Metrics classification_metrics(ThreadPool& pool, Index n,
                               const std::function<std::pair<Var<float>, int>(Index)>& example);
// The same over examples [first, first + count) at a time (count <= batch), for models whose
// evaluation batches well (images): `examples` returns their logits [count x C] and targets.
Metrics classification_metrics(ThreadPool& pool, Index n, Index batch,
                               const std::function<std::pair<Var<float>, std::vector<int>>(Index, Index)>& examples);

// For model factories: the task as the family interface the model needs, or a ConfigError
// naming both ("model 'kv_attention' needs a kv_retrieval task, got 'copy' (sequence)").
template <class Family>
const Family& require_family(const Task& task, const std::string& model, const std::string& family) {
  if (auto* t = dynamic_cast<const Family*>(&task)) return *t;
  throw ConfigError("model '" + model + "' needs a " + family + " task, got a " + task.family() + " task");
}

}  // namespace engram::experiments
