// Models of the bit-sequence tasks (copy, repeat_copy, associative_recall, priority_sort:
// experiments/tasks/algorithmic/), registered by name; they read any task of the
// `bit_sequence` family.
//
//   model:
//     name: lstm_seq
//     controller: {name: lstm, hidden: 100, layers: 1}   # any registered controller
//                                                        # (networks/controller.h); default lstm
//
// Loss, metrics and inspect() are shared with the memory-augmented models (mann_models.cpp):
// BitSequenceModel, experiments/models/bit_sequence_model.h.
#include "experiments/models/bit_sequence_model.h"
#include "networks/lstm_seq.h"

namespace engram::experiments::algorithmic {

namespace {

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

ENGRAM_REGISTER(models(), "lstm_seq", "a controller (LSTM by default) over every step + a linear output layer; bit-sequence baseline",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& bits = require_family<BitSequenceTask>(task, "lstm_seq", "bit_sequence");
      auto controller = build_component(cfg, "controller", networks::controllers<float>(),
                                        networks::ControllerShape{bits.input_size()}, rng, "lstm");
      cfg.finish();
      return std::make_unique<LstmSeqModel>(std::move(controller), bits, rng);
    });

}  // namespace

}  // namespace engram::experiments::algorithmic
