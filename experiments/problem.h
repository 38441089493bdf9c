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
#include "core/parallel.h"
#include "core/registry.h"
#include "core/rng.h"
#include "experiments/config.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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
  // Metrics of a whole split (no gradients). Must include "loss"; lower-is-better metrics
  // other than loss are named "error..." by convention.
  virtual Metrics evaluate(const std::string& split, ThreadPool& pool) const = 0;
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

// For model factories: the task as the family interface the model needs, or a ConfigError
// naming both ("model 'kv_attention' needs a kv_retrieval task, got 'copy' (sequence)").
template <class Family>
const Family& require_family(const Task& task, const std::string& model, const std::string& family) {
  if (auto* t = dynamic_cast<const Family*>(&task)) return *t;
  throw ConfigError("model '" + model + "' needs a " + family + " task, got a " + task.family() + " task");
}

}  // namespace engram::experiments
