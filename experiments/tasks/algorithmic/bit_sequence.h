// engram/experiments/tasks/algorithmic/bit_sequence.h — the family interface of the generated
// bit-sequence tasks of the external-memory literature (copy, repeat copy, associative recall,
// priority sort; Graves et al. 2014), and the metric they share.
//
// An example is one whole episode, presented one time step per row:
//   input:  [T x input_size]   the bits the model sees at each step (data bits plus control
//                              channels such as the delimiter), zeros while it must answer
//   target: [T x output_size]  the bits it must emit at each step
//   mask:   [T x 1]            1 at the steps whose output is scored, else 0
// Models read input row by row, emit one output row per step, and are trained with a
// per-bit sigmoid cross-entropy over the masked steps.
// Metric: wrong bits per sequence = number of masked output bits whose thresholded value
// (logit >= 0, i.e. probability >= 0.5) differs from the target, summed over the sequence.
#pragma once

#include "experiments/problem.h"
#include "experiments/tasks/generated_splits.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace engram::experiments::algorithmic {

struct BitSequenceExample {
  MatF input;   // [T x input_size]
  MatF target;  // [T x output_size]
  MatF mask;    // [T x 1]
  int length = 0;  // the task's length parameter (items, sequence length) for reporting
};

class BitSequenceTask : public Task {
 public:
  std::string family() const override { return "bit_sequence"; }
  std::uint64_t train_size() const override { return 0; }  // generated on demand
  virtual Index input_size() const = 0;
  virtual Index output_size() const = 0;
  // Training episode `id`: generated from the task's stream child(id) (seeded, reproducible).
  virtual BitSequenceExample train_example(std::uint64_t id) const = 0;
  // Fixed evaluation sets: "val" (lengths as in training) and generalisation splits such as
  // "len40", "len60", "len80" (copy) named by eval_splits().
  virtual const std::vector<BitSequenceExample>& split(const std::string& name) const = 0;
};

// Wrong bits of one episode given the model's output logits ([T x output_size]).
double wrong_bits(const MatF& logits, const BitSequenceExample& e);

}  // namespace engram::experiments::algorithmic

// ---- shared by the generated tasks and the models that read them (bit_sequence.cpp) ---------

namespace engram::experiments::algorithmic {

// Training loss of one episode: the mean per-bit sigmoid cross-entropy over the output bits of
// the masked steps. logits: [T x output_size] -> [1 x 1].
Var<float> masked_bce(const Var<float>& logits, const BitSequenceExample& e);

// Metrics of a split, computed on `pool` without gradients and summed in episode order
// (deterministic): "loss" (mean of masked_bce), "bits_per_seq" (mean wrong bits per episode),
// "error" (share of episodes with any wrong bit). logits(e) -> [T x output_size].
Metrics bit_sequence_metrics(ThreadPool& pool, const std::vector<BitSequenceExample>& episodes,
                             const std::function<Var<float>(const BitSequenceExample&)>& logits);

// A task generated from its seed. Training episode `id` comes from the stream
// (seed, "task").child("<name>-train").child(id); episode i of split s from
// (seed, "task").child("<name>-<s>").child(i), so a split never changes when another split or
// the training distribution does. Derived constructors set the training generator and add the
// splits ("val" first, then the generalisation splits in the order eval_splits() reports).
class GeneratedBitSequenceTask : public BitSequenceTask {
 public:
  using Generator = GeneratedSplits<BitSequenceExample>::Generator;

  GeneratedBitSequenceTask(const GeneratedBitSequenceTask&) = delete;  // generators capture `this`
  GeneratedBitSequenceTask& operator=(const GeneratedBitSequenceTask&) = delete;

  std::vector<std::string> eval_splits() const override { return splits_.names(); }
  BitSequenceExample train_example(std::uint64_t id) const override { return splits_.train_example(id); }
  // Throws std::invalid_argument naming the known splits for an unknown name.
  const std::vector<BitSequenceExample>& split(const std::string& name) const override { return splits_.split(name); }

 protected:
  GeneratedBitSequenceTask(std::string name, const Rng& rng) : splits_(std::move(name), rng) {}
  void set_train_generator(Generator g) { splits_.set_train_generator(std::move(g)); }
  // Generates `size` episodes now.
  void add_split(const std::string& split, int size, const Generator& g) { splits_.add_split(split, size, g); }

 private:
  GeneratedSplits<BitSequenceExample> splits_;
};

// Episode layout helpers: a [rows x cols] block of fair random bits (0/1).
MatF random_bits(Index rows, Index cols, Rng& rng);
// A uniform integer in [lo, hi].
int uniform_int(Rng& rng, int lo, int hi);

// Config helpers for the task factories (errors name the key's file:line).
// A list of integers in [lo, hi], without repeats (they name splits): `eval_lengths: [40, 60]`.
std::vector<int> read_int_list(Section& cfg, const std::string& key, const std::vector<int>& def, long long lo,
                               long long hi);
// Fails at `max_key` unless cfg[min_key] <= cfg[max_key] (values already read).
void require_ordered(Section& cfg, const std::string& min_key, long long min, const std::string& max_key,
                     long long max);

}  // namespace engram::experiments::algorithmic
