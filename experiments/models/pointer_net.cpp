// The pointer network (networks/pointer_net.h) as a model of the pointer tasks
// (experiments/tasks/pointer/: sort, ...), registered as `pointer_net`.
//
//   model:
//     name: pointer_net
//     embed: 128                                   # E, the inputs' embedding
//     encoder: {name: lstm, hidden: 128, bidirectional: false}   # any registered controller, or
//              {name: transformer, layers: 3, heads: 8, ff: 512, hidden: 128}  (Kool et al.'s
//              attention encoder; hidden: the LSTM decoder's units; networks/pointer_net.h)
//     score: {name: additive, hidden: 128}         # any registered score (attention/score.h)
//     mask: true                                   # mask chosen positions (default: the task's
//                                                  # answers never repeat a position)
//     train_mask: true                             # mask them in the training loss too (default: mask);
//                                                  # false trains the decoder to avoid them itself
//                                                  # (then a task's invalid_rate says how well)
//     beam: 1                                      # evaluation: 1 greedy, k > 1 beam search
//     length_penalty: 0                            # beam ranking log p / length^alpha
//     training: teacher                            # teacher (exact targets) | reinforce (the
//                                                  # task's cost, e.g. a tour's length: routing)
//
// Training: teacher forcing, the mean cross-entropy per output step; or REINFORCE (Williams
// 1992) with the greedy decoder's cost as the baseline (self-critical, Rennie et al. 2017):
// loss = (cost(sampled) - cost(greedy)) log p(sampled), the targets never read. (Kool et al.
// 2019 roll out a frozen copy of the policy, replaced when a paired t-test says the current one
// is better: not implemented.) Evaluation: for every split
// the task offers, "loss" (teacher forced) and the task's metrics of the decoded outputs
// (sequence accuracy, ...). inspect(): val0_attention [outputs x positions], the greedy
// decoder's distribution at every step over validation example 0 (a heat map), val0_input.
#include "experiments/tasks/pointer/pointer_task.h"
#include "networks/pointer_net.h"

#include <optional>
#include <stdexcept>

namespace engram::experiments::pointer {

namespace {

struct PointerNetSettings {
  bool mask = true;        // decoding
  bool train_mask = true;  // the training loss
  Index beam = 1;
  double length_penalty = 0;
  bool reinforce = false;
};

class PointerNetModel : public Model {
 public:
  PointerNetModel(const PointerTask& task, std::unique_ptr<networks::PointerNet<float>> net, PointerNetSettings s)
      : task_(task), net_(std::move(net)), s_(s) {
    add_module("net", *net_);
  }

  Var<float> loss(std::uint64_t id, Rng& rng) const override {
    const PointerExample e = task_.train_example(id);
    if (!s_.reinforce) return net_->loss(Var<float>(e.input), e.target, s_.train_mask);
    const Var<float> x(e.input);
    const Index steps = task_.max_outputs(e.input.rows());
    auto [drawn, log_p] = net_->sample(x, steps, s_.train_mask, rng);
    const std::optional<double> c = task_.cost(e, drawn), b = task_.cost(e, net_->greedy(x, steps, s_.train_mask));
    if (!c || !b) throw std::runtime_error("pointer_net: training.reinforce: the task gave no cost for a decoded output");
    return scale(log_p, static_cast<float>(*c - *b));  // grad: (cost - baseline) grad log p
  }

  Metrics evaluate(const std::string& split, ThreadPool& pool) const override {
    const std::vector<PointerExample>& examples = task_.split(split);
    const Index n = static_cast<Index>(examples.size());
    std::vector<std::vector<int>> outputs(examples.size()), unmasked(task_.wants_unmasked() ? examples.size() : 0);
    std::vector<double> losses(examples.size());
    pool.parallel_for(n, [&](Index i) {
      NoGradGuard no_grad;  // per thread
      const PointerExample& e = examples[static_cast<size_t>(i)];
      losses[static_cast<size_t>(i)] = net_->loss(Var<float>(e.input), e.target, s_.train_mask).item();
      outputs[static_cast<size_t>(i)] = decode(e.input);
      if (!unmasked.empty())
        unmasked[static_cast<size_t>(i)] = net_->greedy(Var<float>(e.input), task_.max_outputs(e.input.rows()), false);
    });
    Metrics m = task_.score(examples, outputs, unmasked);
    double loss = 0;
    for (double l : losses) loss += l;
    m["loss"] = loss / static_cast<double>(n);
    return m;
  }

  std::map<std::string, MatF> inspect() const override {
    const auto& val = task_.split("val");
    if (val.empty()) return {};
    MatF attention;
    net_->greedy(Var<float>(val[0].input), task_.max_outputs(val[0].input.rows()), s_.mask, &attention);
    return {{"val0_attention", attention}, {"val0_input", val[0].input}};
  }

 private:
  std::vector<int> decode(const MatF& x) const {
    const Index steps = task_.max_outputs(x.rows());
    if (s_.beam <= 1) return net_->greedy(Var<float>(x), steps, s_.mask);
    return net_->beam_search(Var<float>(x), steps, s_.beam, s_.mask, s_.length_penalty).front().output;
  }

  const PointerTask& task_;
  std::unique_ptr<networks::PointerNet<float>> net_;
  PointerNetSettings s_;
};

ENGRAM_REGISTER(models(), "pointer_net", "pointer network (Vinyals et al. 2015): attention over the inputs is the output; any encoder cell and score",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& pt = require_family<PointerTask>(task, "pointer_net", "pointer");
      const Index embed = cfg.integer("embed", 128, 1, 1 << 16);
      Section enc = cfg.section("encoder");
      Options encoder = to_options(enc, {});
      if (!encoder.has("hidden")) encoder.set("hidden", 128.0);
      const Choice score = read_choice(cfg, "score", "additive");
      PointerNetSettings s;
      s.mask = cfg.boolean("mask", pt.distinct());
      s.train_mask = cfg.boolean("train_mask", s.mask);
      s.beam = cfg.integer("beam", 1, 1, 1 << 12);
      s.length_penalty = cfg.number("length_penalty", 0.0, 0.0, 10.0);
      const std::string training = cfg.string("training", "teacher");
      if (training != "teacher" && training != "reinforce") cfg.fail("training", "must be teacher or reinforce, got '" + training + "'");
      s.reinforce = training == "reinforce";
      if (s.reinforce) {
        const auto& val = pt.split(pt.eval_splits().front());
        if (val.empty() || !pt.cost(val.front(), val.front().target))
          cfg.fail("training", "reinforce needs a task with a cost of its outputs (tsp: the tour's length)");
        if (!s.train_mask) cfg.fail("training", "reinforce samples valid outputs only: it needs train_mask: true");
      }
      cfg.finish();
      auto net = with_config_errors(enc, [&] {
        return std::make_unique<networks::PointerNet<float>>(
            pt.input_size(), embed, encoder,
            [&](const attention::ScoreShape& shape) { return build_choice(score, attention::scores<float>(), shape, rng); },
            pt.end_token(), rng);
      });
      return std::make_unique<PointerNetModel>(pt, std::move(net), s);
    });

}  // namespace

}  // namespace engram::experiments::pointer
