// The `associative_memory` model: a key -> value store that is written, not trained — the stored
// rows of the associative-recall comparison (docs/compare.md). On a kv_recall task every story's
// pairs are stored as patterns [key | value] and the question's key completes its value
// (memory/hopfield/completion.h):
//
//   model:
//     name: associative_memory
//     memory: hebbian        # hebbian | storkey | pseudo_inverse (classical weights, rules.h),
//                            # dense (Krotov & Hopfield), modern (Ramsauer et al.)
//     interaction: polynomial   # dense: polynomial | rectified_polynomial | exp
//     n: 3                   # dense: the polynomial degree
//     beta: 1                # modern: the inverse temperature
//     steps: 1               # synchronous updates of the value units from the cue (key clamped)
//
// It has no parameters: the trainer evaluates it once (trainer.cpp). Metrics of a split: error
// (share of questions with any wrong value bit: recall = 1 - error), accuracy, bit_error, loss
// (= bit_error), error/age_q1..q4 (retention, as the story models), and theory_error: one minus
// the theory's recall (completion.h) for hebbian, dense polynomial, dense exp and modern memories
// (one step from the cue). state_size: the numbers the memory holds, N x N weights or P x N
// stored patterns (N = key + value bits).
#include "experiments/models/story_model.h"
#include "experiments/tasks/kv_recall.h"
#include "memory/hopfield/completion.h"
#include "memory/hopfield/rules.h"

#include <optional>

namespace engram::experiments {

namespace {

class AssociativeMemoryModel : public Model {
 public:
  struct Options {
    std::string memory = "hebbian";
    std::optional<hopfield::Interaction> interaction;
    double beta = 1;
    int steps = 1;
  };

  AssociativeMemoryModel(const Options& o, const KvRecallTask& task) : o_(o), task_(task) {
    if (is_classical()) rule_ = hopfield::make_rule(o_.memory);
  }

  Var<float> loss(std::uint64_t, Rng&) const override { return Var<float>(MatF::Zero(1, 1)); }

  Metrics evaluate(const std::string& split, ThreadPool& pool) const override {
    const auto& examples = task_.split(split);
    const Index n = static_cast<Index>(examples.size());
    require(n > 0, "associative_memory", "split '" + split + "' has no questions");
    std::vector<int> correct(static_cast<size_t>(n));
    std::vector<double> wrong_bits(static_cast<size_t>(n));
    pool.parallel_for(n, [&](Index i) {
      const KvPairs kv = task_.kv_pairs(examples[static_cast<size_t>(i)]);
      const MatF value = complete(kv);
      const double wrong = (value.array() != kv.answer.array()).cast<double>().sum();
      wrong_bits[static_cast<size_t>(i)] = wrong;
      correct[static_cast<size_t>(i)] = wrong == 0;
    });
    double right = 0, bits = 0;
    for (Index i = 0; i < n; ++i) {
      right += correct[static_cast<size_t>(i)];
      bits += wrong_bits[static_cast<size_t>(i)];
    }
    const double V = task_.options().value_bits;
    Metrics m{{"accuracy", right / double(n)}, {"error", 1 - right / double(n)}, {"bit_error", bits / (double(n) * V)}};
    m["loss"] = m["bit_error"];
    if (const auto p = theory_bit_error(double(examples.front().story.size())))
      m["theory_error"] = 1 - hopfield::recall_probability(*p, V);
    babi::add_retention(m, examples, correct);
    return m;
  }

  double state_size() const override {
    const double N = task_.options().key_bits + task_.options().value_bits;
    if (is_classical()) return N * N;
    Index longest = 0;
    for (const auto& s : task_.eval_splits())
      for (const auto& e : task_.split(s)) longest = std::max(longest, static_cast<Index>(e.story.size()));
    return double(longest) * N;
  }

 private:
  bool is_classical() const { return o_.memory != "dense" && o_.memory != "modern"; }

  MatF complete(const KvPairs& kv) const {
    MatF X(kv.keys.rows(), kv.keys.cols() + kv.values.cols());
    X << kv.keys, kv.values;
    if (o_.memory == "dense") return hopfield::complete_dense(X, *o_.interaction, kv.query, o_.steps);
    if (o_.memory == "modern") return hopfield::complete_modern(X, o_.beta, kv.query, o_.steps);
    return hopfield::complete_classical(rule_->weights(X), kv.query, o_.steps);
  }

  std::optional<double> theory_bit_error(double P) const {
    const double K = task_.options().key_bits;
    if (o_.memory == "hebbian") return hopfield::hebbian_cue_bit_error(K, P);
    if (o_.memory == "modern") return hopfield::modern_cue_bit_error(o_.beta, K, P);
    if (o_.memory == "dense") {
      if (o_.interaction->kind() == hopfield::Interaction::Kind::exp) return hopfield::modern_cue_bit_error(1.0, K, P);
      if (o_.interaction->kind() == hopfield::Interaction::Kind::polynomial && o_.interaction->degree() >= 2)
        return hopfield::dense_cue_bit_error(o_.interaction->degree(), K, P);
    }
    return std::nullopt;
  }

  Options o_;
  const KvRecallTask& task_;
  std::unique_ptr<hopfield::LearningRule> rule_;
};

ENGRAM_REGISTER(models(), "associative_memory",
    "a key -> value store written, not trained: classical (hebbian, storkey, pseudo_inverse), dense or modern Hopfield",
    [](Section& cfg, const Task& task, Rng&) -> std::unique_ptr<Model> {
      const auto* kv = dynamic_cast<const KvRecallTask*>(&task);
      if (!kv) throw ConfigError("model 'associative_memory' needs a kv_recall task, got a " + task.family() + " task");
      AssociativeMemoryModel::Options o;
      o.memory = cfg.choice("memory", "hebbian", {"hebbian", "storkey", "pseudo_inverse", "dense", "modern"});
      const bool dense = o.memory == "dense", modern = o.memory == "modern";
      if (dense) {
        const std::string f = cfg.choice("interaction", "polynomial", {"polynomial", "rectified_polynomial", "exp"});
        engram::Options fo;
        if (f != "exp") fo.set("n", double(cfg.integer("n", 3, 1, 64)));
        o.interaction = hopfield::Interaction::make(f, fo);
      }
      for (const char* key : {"interaction", "n"})
        if (!dense && cfg.has(key)) cfg.fail(key, "is an option of the dense memory only (memory: dense)");
      if (modern) o.beta = cfg.number("beta", 1.0, 1e-9, 1e9);
      if (!modern && cfg.has("beta")) cfg.fail("beta", "is an option of the modern memory only (memory: modern)");
      o.steps = static_cast<int>(cfg.integer("steps", 1, 1, 10000));
      cfg.finish();
      return std::make_unique<AssociativeMemoryModel>(o, *kv);
    });

}  // namespace
}  // namespace engram::experiments
