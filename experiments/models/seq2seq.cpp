// The attention encoder-decoder (networks/seq2seq.h) as a model of the seq2seq tasks
// (experiments/tasks/seq2seq/: reversal, addition, dates), registered as `seq2seq`.
//
//   model:
//     name: seq2seq
//     embed: 64                                   # token embeddings, source and target
//     encoder: {name: lstm, hidden: 128, bidirectional: true}   # any registered controller
//     attention: true                             # false: the encoder's final state only
//     score: {name: additive, hidden: 128}        # any registered score (Luong's dot: `dot`,
//                                                 # general: `bilinear`)
//     input_feeding: false                        # Luong's input feeding
//     beam: 1                                     # evaluation: 1 greedy, k > 1 beam search
//     length_penalty: 0                           # beam ranking log p / (length + 1)^alpha
//
// Training: teacher forcing, the mean cross-entropy per target token. Evaluation, for every split
// the task offers: "loss" (teacher forced) and the task's metrics of the decoded outputs (error,
// exact_match, token_accuracy). inspect(): val0_attention [output tokens x source tokens], the
// greedy decoder's attention over validation example 0 (a heat map).
#include "experiments/tasks/seq2seq/seq2seq_task.h"
#include "networks/seq2seq.h"

namespace engram::experiments::seq2seq {

namespace {

class Seq2SeqModel : public Model {
 public:
  Seq2SeqModel(const Seq2SeqTask& task, std::unique_ptr<networks::Seq2Seq<float>> net, Index beam, double alpha)
      : task_(task), net_(std::move(net)), beam_(beam), alpha_(alpha) {
    add_module("net", *net_);
  }

  Var<float> loss(std::uint64_t id, Rng&) const override {
    const Seq2SeqExample e = task_.train_example(id);
    return net_->loss(e.source, e.target);
  }

  Metrics evaluate(const std::string& split, ThreadPool& pool) const override {
    const std::vector<Seq2SeqExample>& examples = task_.split(split);
    std::vector<std::vector<int>> outputs(examples.size());
    std::vector<double> losses(examples.size());
    pool.parallel_for(static_cast<Index>(examples.size()), [&](Index i) {
      NoGradGuard no_grad;  // per thread
      const Seq2SeqExample& e = examples[static_cast<size_t>(i)];
      losses[static_cast<size_t>(i)] = net_->loss(e.source, e.target).item();
      const Index most = task_.max_output(e);
      outputs[static_cast<size_t>(i)] =
          beam_ <= 1 ? net_->greedy(e.source, most) : net_->beam_search(e.source, most, beam_, alpha_).front().output;
    });
    Metrics m = task_.score(examples, outputs);
    double loss = 0;
    for (double l : losses) loss += l;
    m["loss"] = loss / static_cast<double>(examples.size());
    return m;
  }

  std::map<std::string, MatF> inspect() const override {
    const auto& val = task_.split("val");
    if (val.empty() || !net_->shape().attention) return {};
    MatF attention;
    net_->greedy(val[0].source, task_.max_output(val[0]), &attention);
    return {{"val0_attention", attention}};
  }

 private:
  const Seq2SeqTask& task_;
  std::unique_ptr<networks::Seq2Seq<float>> net_;
  Index beam_;
  double alpha_;
};

ENGRAM_REGISTER(models(), "seq2seq", "attention encoder-decoder (Bahdanau / Luong): any encoder cell and score, input feeding, beam search",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& st = require_family<Seq2SeqTask>(task, "seq2seq", "seq2seq");
      networks::Seq2SeqShape shape;
      shape.source_vocab = static_cast<Index>(st.source_vocab().size());
      shape.target_vocab = static_cast<Index>(st.target_vocab().size());
      shape.embed = cfg.integer("embed", 64, 1, 1 << 16);
      shape.attention = cfg.boolean("attention", true);
      shape.input_feeding = cfg.boolean("input_feeding", false);
      Section enc = cfg.section("encoder");
      Options encoder = to_options(enc, {});
      if (!encoder.has("hidden")) encoder.set("hidden", 128.0);
      const Choice score = read_choice(cfg, "score", "additive");
      const Index beam = cfg.integer("beam", 1, 1, 1 << 12);
      const double alpha = cfg.number("length_penalty", 0.0, 0.0, 10.0);
      cfg.finish();
      auto net = with_config_errors(enc, [&] {
        return std::make_unique<networks::Seq2Seq<float>>(
            shape, encoder,
            [&](const attention::ScoreShape& s) { return build_choice(score, attention::scores<float>(), s, rng); }, rng);
      });
      return std::make_unique<Seq2SeqModel>(st, std::move(net), beam, alpha);
    });

}  // namespace

}  // namespace engram::experiments::seq2seq
