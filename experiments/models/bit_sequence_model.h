// engram/experiments/models/bit_sequence_model.h — what every model of the bit-sequence tasks
// (experiments/tasks/algorithmic/) shares: lstm_seq (bit_sequence_models.cpp) and the
// memory-augmented ntm / dnc / lru_mann (mann_models.cpp).
//
//   loss(id):        per-bit sigmoid cross-entropy over the masked steps of training episode id
//   evaluate(split): for every split the task offers (val, len40, ...): loss (same, mean over
//                    episodes), bits_per_seq (wrong bits per episode, mean) and error (share of
//                    episodes with any wrong bit)
//   inspect():       validation episode 0: val0_input [T x in], val0_target [T x out],
//                    val0_output [T x out] (the model's probabilities), val0_mask [T x 1], and
//                    whatever inspect_episode adds (memory weightings over time, ...)
#pragma once

#include "experiments/tasks/algorithmic/bit_sequence.h"

#include <map>
#include <string>

namespace engram::experiments::algorithmic {

class BitSequenceModel : public Model {
 public:
  explicit BitSequenceModel(const BitSequenceTask& task) : task_(task) {}

  Var<float> loss(std::uint64_t id, Rng&) const override {
    const BitSequenceExample e = task_.train_example(id);
    return masked_bce(logits(e.input), e);
  }

  Metrics evaluate(const std::string& split, ThreadPool& pool) const override {
    return bit_sequence_metrics(pool, task_.split(split), [&](const BitSequenceExample& e) { return logits(e.input); });
  }

  std::map<std::string, MatF> inspect() const override {
    const auto& val = task_.split("val");
    if (val.empty()) return {};
    const BitSequenceExample& e = val[0];
    NoGradGuard no_grad;
    std::map<std::string, MatF> out = inspect_episode(e.input);
    const MatF z = logits(e.input).value();
    const MatF p = (1.0f / (1.0f + (-z.array()).exp())).matrix();
    out.insert({{"val0_input", e.input}, {"val0_target", e.target}, {"val0_output", p}, {"val0_mask", e.mask}});
    return out;
  }

 protected:
  const BitSequenceTask& task() const { return task_; }
  // One output row per input row: input [T x input_size] -> logits [T x output_size].
  virtual Var<float> logits(const MatF& input) const = 0;
  // More matrices about validation episode 0 (its input given), named "val0_...". Default none.
  virtual std::map<std::string, MatF> inspect_episode(const MatF& input) const {
    (void)input;
    return {};
  }

 private:
  const BitSequenceTask& task_;
};

}  // namespace engram::experiments::algorithmic
