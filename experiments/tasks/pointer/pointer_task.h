// engram/experiments/tasks/pointer/pointer_task.h — the family of tasks whose answer is a
// sequence of input positions (pointer networks, Vinyals et al. 2015): sorting, convex hull,
// planar TSP. A task gives its examples and scores a model's outputs; models of the family
// (pointer_net) read any of them.
//
//   input:  [n x input_size()]   one row per element (a number's features, a point's x and y)
//   target: positions in [0, n), then n (the end position) when end_token() is true
// Examples are seeded per id (experiments/tasks/generated_splits.h).
#pragma once

#include "experiments/problem.h"
#include "experiments/tasks/generated_splits.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace engram::experiments::pointer {

struct PointerExample {
  MatF input;               // [n x input_size]
  std::vector<int> target;  // the exact answer
  double reference = 0;     // a task's reference figure (the optimal tour's length, the hull's area)
};

class PointerTask : public Task {
 public:
  PointerTask(const PointerTask&) = delete;  // generators capture `this`
  PointerTask& operator=(const PointerTask&) = delete;

  std::string family() const override { return "pointer"; }
  std::uint64_t train_size() const override { return 0; }  // generated on demand
  std::vector<std::string> eval_splits() const override { return splits_.names(); }

  virtual Index input_size() const = 0;
  // The answer is a permutation of the inputs (sorting, tours): decoders mask chosen positions.
  virtual bool permutation() const = 0;
  // The answer ends with the end position n (its length varies: convex hull).
  virtual bool end_token() const { return false; }
  // No position appears twice in an answer (decoders may mask chosen positions).
  virtual bool distinct() const { return permutation(); }
  // score() also wants the outputs decoded without masks (the invalid tours of TSP).
  virtual bool wants_unmasked() const { return false; }
  // Most outputs a decoder may emit for an input of n elements (end included).
  virtual Index max_outputs(Index n) const { return end_token() ? n + 1 : n; }
  // Metrics of one split from the model's outputs (outputs[i] for example i), summed in example
  // order. The default: "error" (share of examples not exactly right), "sequence_accuracy" and
  // "token_accuracy" (outputs equal to the target at the same step, over the target's steps).
  // unmasked: the same decoded without masks when wants_unmasked(), else empty.
  virtual Metrics score(const std::vector<PointerExample>& examples, const std::vector<std::vector<int>>& outputs,
                        const std::vector<std::vector<int>>& unmasked) const;

  // The cost of an output to minimise by reinforcement (REINFORCE: routing): a tour's length for
  // TSP; nullopt for tasks without one (trained on their exact targets).
  virtual std::optional<double> cost(const PointerExample& e, const std::vector<int>& output) const {
    (void)e, (void)output;
    return std::nullopt;
  }

  virtual PointerExample train_example(std::uint64_t id) const { return splits_.train_example(id); }
  // Throws std::invalid_argument naming the known splits for an unknown name.
  const std::vector<PointerExample>& split(const std::string& name) const { return splits_.split(name); }

 protected:
  using Generator = GeneratedSplits<PointerExample>::Generator;
  PointerTask(std::string name, const Rng& rng) : splits_(std::move(name), rng) {}
  void set_train_generator(Generator g) { splits_.set_train_generator(std::move(g)); }
  void add_split(const std::string& split, int size, const Generator& g) { splits_.add_split(split, size, g); }
  void add_split(const std::string& split, std::vector<PointerExample> examples) {
    splits_.add_split(split, std::move(examples));
  }

 private:
  GeneratedSplits<PointerExample> splits_;
};

// The positions of `values` in ascending order (ties by position).
std::vector<int> ascending_order(const std::vector<double>& values);

// The one-sided p-value of a paired t-test that the differences d (one per instance: the cost of
// one policy minus another's) have a negative mean; 1 when their mean is not negative, when they
// do not vary or when there are fewer than two. pointer_net's rollout baseline replaces its frozen
// policy when this is below alpha (experiments/models/pointer_net.cpp).
double paired_t_test_lower(const std::vector<double>& d);

}  // namespace engram::experiments::pointer
