// The pointer network (networks/pointer_net.h) as a model of the pointer tasks
// (experiments/tasks/pointer/: sort, ...), registered as `pointer_net`.
//
//   model:
//     name: pointer_net
//     embed: 128                                   # E, the inputs' embedding
//     encoder: {name: lstm, hidden: 128, bidirectional: false}   # any registered controller, or
//              {name: transformer, layers: 3, heads: 8, ff: 512, hidden: 128}  (Kool et al.'s
//              attention encoder; hidden: the LSTM decoder's units; networks/pointer_net.h),
//              + `decoder: attention` (with `glimpse_heads`, `clip: 10`; no `hidden`, no `score`):
//              Kool et al.'s decoder instead of the LSTM (networks/attention_model_decoder.h)
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
//     baseline: greedy                             # reinforce: greedy | rollout (below)
//     rollout: {every: 1000, instances: 1000, alpha: 0.05}   # baseline: rollout only
//
// Training: teacher forcing, the mean cross-entropy per output step; or REINFORCE (Williams
// 1992), loss = (cost(sampled) - b) log p(sampled), the targets never read, with the baseline b
//   greedy:  the current policy's greedy decoding (self-critical, Rennie et al. 2017);
//   rollout: the greedy decoding of a frozen copy of the policy (Kool et al. 2019): before every
//            `every`-th step the current policy and the copy decode `instances` fresh training
//            instances greedily; when the current one's mean cost is lower and a one-sided paired
//            t-test gives p < alpha, it becomes the copy (and the next check draws new instances).
//            The copy starts as the initial policy; it is saved in checkpoints (frozen_state), so a
//            resumed run goes on exactly; the number of replacements is reported as
//            `rollout_replacements` with every evaluation.
// Evaluation: for every split
// the task offers, "loss" (teacher forced) and the task's metrics of the decoded outputs
// (sequence accuracy, ...). inspect(): val0_attention [outputs x positions], the greedy
// decoder's distribution at every step over validation example 0 (a heat map), val0_input.
#include "experiments/tasks/pointer/pointer_task.h"
#include "networks/pointer_net.h"

#include <boost/math/distributions/students_t.hpp>

#include <cmath>
#include <optional>
#include <stdexcept>

namespace engram::experiments::pointer {

namespace {

struct RolloutSettings {
  std::uint64_t every = 1000;  // steps between checks
  Index instances = 1000;      // instances per check
  double alpha = 0.05;         // one-sided paired t-test level
};

struct PointerNetSettings {
  bool mask = true;        // decoding
  bool train_mask = true;  // the training loss
  Index beam = 1;
  double length_penalty = 0;
  bool reinforce = false;
  bool rollout = false;    // reinforce: the baseline is a frozen copy of the policy (else its greedy self)
  RolloutSettings roll;
};

// Instances of a rollout check are training ids from this one on (train ids count steps x batch
// from 0, so they never meet), a fresh block of `instances` after every replacement.
constexpr std::uint64_t kRolloutIds = std::uint64_t(1) << 60;

}  // namespace

// The one-sided p-value of a paired t-test that the differences d have a negative mean (the
// probability of a t statistic this low if the mean were 0): 1 when the mean is not negative or
// the differences do not vary.
double paired_t_test_lower(const std::vector<double>& d) {
  const auto n = static_cast<double>(d.size());
  if (d.size() < 2) return 1.0;
  double mean = 0;
  for (double v : d) mean += v;
  mean /= n;
  double ss = 0;
  for (double v : d) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / (n - 1));
  if (!(mean < 0) || !(sd > 0)) return 1.0;
  const double t = mean / (sd / std::sqrt(n));
  return boost::math::cdf(boost::math::students_t(n - 1), t);
}

namespace {

void copy_values(const networks::PointerNet<float>& from, networks::PointerNet<float>& to) {
  const ParameterList<float> src = from.named_parameters(), dst = to.named_parameters();
  for (size_t i = 0; i < src.size(); ++i) Var<float>(dst[i].var).mutable_value() = src[i].var.value();
}

class PointerNetModel : public Model {
 public:
  // baseline: a second net of the same shape (rollout), its values overwritten by net's
  PointerNetModel(const PointerTask& task, std::unique_ptr<networks::PointerNet<float>> net,
                  std::unique_ptr<networks::PointerNet<float>> baseline, PointerNetSettings s)
      : task_(task), net_(std::move(net)), baseline_(std::move(baseline)), s_(s) {
    add_module("net", *net_);
    if (baseline_) copy_values(*net_, *baseline_);  // not a child module: no optimizer ever sees it
  }

  ParameterList<float> frozen_state() const override {
    if (!baseline_) return {};
    ParameterList<float> out{{"rollout.count", rollout_count_}};
    for (const auto& p : baseline_->named_parameters()) out.push_back({"rollout.baseline." + p.name, p.var});
    return out;
  }

  void begin_step(std::uint64_t step, std::uint64_t epoch) override {
    (void)epoch;
    if (baseline_ && step > 0 && step % s_.roll.every == 0) rollout_check();
  }

  Var<float> loss(std::uint64_t id, Rng& rng) const override {
    const PointerExample e = task_.train_example(id);
    if (!s_.reinforce) return net_->loss(Var<float>(e.input), e.target, s_.train_mask);
    const Var<float> x(e.input);
    const Index steps = task_.max_outputs(e.input.rows());
    auto [drawn, log_p] = net_->sample(x, steps, s_.train_mask, rng);
    const networks::PointerNet<float>& critic = baseline_ ? *baseline_ : *net_;
    const std::optional<double> c = task_.cost(e, drawn), b = task_.cost(e, critic.greedy(x, steps, s_.train_mask));
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
    if (baseline_) m["rollout_replacements"] = rollout_count_.value()(0, 0);
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

  // Kool et al.'s baseline update: the current policy replaces the frozen copy when its greedy
  // tours are shorter on fresh instances by a one-sided paired t-test at level alpha.
  void rollout_check() {
    NoGradGuard no_grad;
    const auto replaced = static_cast<std::uint64_t>(rollout_count_.value()(0, 0));
    std::vector<double> diff(static_cast<size_t>(s_.roll.instances));
    for (Index k = 0; k < s_.roll.instances; ++k) {
      const PointerExample e = task_.train_example(kRolloutIds + replaced * static_cast<std::uint64_t>(s_.roll.instances) +
                                                   static_cast<std::uint64_t>(k));
      const Var<float> x(e.input);
      const Index steps = task_.max_outputs(e.input.rows());
      const std::optional<double> now = task_.cost(e, net_->greedy(x, steps, s_.train_mask));
      const std::optional<double> then = task_.cost(e, baseline_->greedy(x, steps, s_.train_mask));
      if (!now || !then) throw std::runtime_error("pointer_net: baseline: rollout: the task gave no cost for a greedy output");
      diff[static_cast<size_t>(k)] = *now - *then;
    }
    if (paired_t_test_lower(diff) < s_.roll.alpha) {
      copy_values(*net_, *baseline_);
      rollout_count_.mutable_value()(0, 0) = static_cast<float>(replaced + 1);
    }
  }

  const PointerTask& task_;
  std::unique_ptr<networks::PointerNet<float>> net_;
  std::unique_ptr<networks::PointerNet<float>> baseline_;  // rollout only
  Var<float> rollout_count_{MatF::Zero(1, 1)};              // replacements so far (checkpointed)
  PointerNetSettings s_;
};

ENGRAM_REGISTER(models(), "pointer_net", "pointer network (Vinyals et al. 2015): attention over the inputs is the output; any encoder cell and score",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& pt = require_family<PointerTask>(task, "pointer_net", "pointer");
      const Index embed = cfg.integer("embed", 128, 1, 1 << 16);
      Section enc = cfg.section("encoder");
      Options encoder = to_options(enc, {});
      const bool transformer = encoder.has("name") && encoder.string("name", "") == "transformer";
      const bool kool = transformer && encoder.has("decoder") && encoder.string("decoder", "") == "attention";
      if (kool && cfg.has("score")) cfg.fail("score", "has no effect with encoder.decoder: attention (Kool et al.'s decoder points with its own tanh-clipped compatibility)");
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
        const std::string baseline = cfg.string("baseline", "greedy");
        if (baseline != "greedy" && baseline != "rollout") cfg.fail("baseline", "must be greedy or rollout, got '" + baseline + "'");
        s.rollout = baseline == "rollout";
      } else if (cfg.has("baseline")) {
        cfg.fail("baseline", "is a key of training: reinforce");
      }
      if (cfg.has("rollout")) {
        if (!s.rollout) cfg.fail("rollout", "is read only with training: reinforce and baseline: rollout");
        Section r = cfg.section("rollout");
        s.roll.every = static_cast<std::uint64_t>(r.integer("every", 1000, 1, Index(1) << 40));
        s.roll.instances = r.integer("instances", 1000, 2, 1 << 20);
        s.roll.alpha = r.number("alpha", 0.05, 1e-9, 0.5);
        r.finish();
      }
      cfg.finish();
      const auto build = [&](Rng& r) {
        return with_config_errors(enc, [&] {
          return std::make_unique<networks::PointerNet<float>>(
              pt.input_size(), embed, encoder,
              [&](const attention::ScoreShape& shape) { return build_choice(score, attention::scores<float>(), shape, r); },
              pt.end_token(), r);
        });
      };
      auto net = build(rng);
      Rng scratch(0, "pointer-rollout-baseline");  // its values are overwritten by net's
      return std::make_unique<PointerNetModel>(pt, std::move(net), s.rollout ? build(scratch) : nullptr, s);
    });

}  // namespace

}  // namespace engram::experiments::pointer
