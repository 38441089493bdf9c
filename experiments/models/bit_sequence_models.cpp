// Models of the bit-sequence tasks (copy, repeat_copy, associative_recall, priority_sort:
// experiments/tasks/algorithmic/), registered by name; they read any task of the
// `bit_sequence` family.
//
//   model:
//     name: lstm_seq
//     controller: {name: lstm, hidden: 100, layers: 1}   # any registered controller
//                                                        # (networks/controller.h); default lstm
//
// Shared by every model here (BitSequenceModel):
//   loss(id):        per-bit sigmoid cross-entropy over the masked steps of training episode id
//   evaluate(split): for every split the task offers (val, len40, ...): loss (same, mean over
//                    episodes), bits_per_seq (wrong bits per episode, mean) and error (share of
//                    episodes with any wrong bit)
//   inspect():       validation episode 0: val0_input [T x in], val0_target [T x out],
//                    val0_output [T x out] (the model's probabilities), val0_mask [T x 1]
#include "experiments/tasks/algorithmic/bit_sequence.h"
#include "networks/lstm_seq.h"

namespace engram::experiments::algorithmic {

namespace {

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
    const MatF z = logits(e.input).value();
    const MatF p = (1.0f / (1.0f + (-z.array()).exp())).matrix();
    return {{"val0_input", e.input}, {"val0_target", e.target}, {"val0_output", p}, {"val0_mask", e.mask}};
  }

 protected:
  // One output row per input row: input [T x input_size] -> logits [T x output_size].
  virtual Var<float> logits(const MatF& input) const = 0;

 private:
  const BitSequenceTask& task_;
};

class LstmSeqModel : public BitSequenceModel {
 public:
  LstmSeqModel(std::unique_ptr<networks::Controller<float>> controller, const BitSequenceTask& task, Rng& rng)
      : BitSequenceModel(task), net_(std::move(controller), task.output_size(), rng) {
    add_module("net", net_);
  }

 protected:
  Var<float> logits(const MatF& input) const override { return net_.logits(input); }

 private:
  networks::LstmSeq<float> net_;
};

[[maybe_unused]] const bool lstm_seq_registered = models().add(
    "lstm_seq", "a controller (LSTM by default) over every step + a linear output layer; bit-sequence baseline",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& bits = require_family<BitSequenceTask>(task, "lstm_seq", "bit_sequence");
      auto controller = build_component(cfg.section("controller"), networks::controllers<float>(),
                                        networks::ControllerShape{bits.input_size()}, rng, "lstm");
      cfg.finish();
      return std::make_unique<LstmSeqModel>(std::move(controller), bits, rng);
    });

}  // namespace

}  // namespace engram::experiments::algorithmic
