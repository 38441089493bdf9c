// Registration of the built-in tasks and models: each reads its config section, validates it
// and builds the component.
#include "experiments/problem.h"
#include "experiments/tasks/kv_retrieval.h"
#include "experiments/tasks/sequence_tasks.h"
#include "networks/seq_classifier.h"
#include "experiments/components.h"
#include "networks/kv_attention.h"

namespace engram::experiments {

namespace {

class KvAttentionModel : public Model {
 public:
  KvAttentionModel(const networks::KvAttentionOptions& o, std::unique_ptr<attention::Score<float>> score,
                   std::unique_ptr<attention::Normalizer<float>> norm, const KvRetrievalTask& task, Rng& rng)
      : net_(o, std::move(score), std::move(norm), rng), task_(task) {
    add_module("net", net_);
  }
  Var<float> loss(std::uint64_t id, Rng&) const override {
    const KvExample e = task_.train_example(id);
    return cross_entropy(net_.logits(e.keys, e.values, e.query), {e.target});
  }
  Metrics evaluate(const std::string& split, ThreadPool& pool) const override {
    require(split == "val", "kv_attention", "unknown split '" + split + "'");
    const auto& val = task_.val();
    return classification_metrics(pool, static_cast<Index>(val.size()), [&](Index i) {
      const KvExample& e = val[static_cast<size_t>(i)];
      return std::pair{net_.logits(e.keys, e.values, e.query), e.target};
    });
  }
  // attention weights over the first 32 validation examples: [examples x pairs], and which
  // pair held the answer (one-hot, same shape) to compare against
  std::map<std::string, MatF> inspect() const override {
    const auto& val = task_.val();
    const Index n = std::min<Index>(32, static_cast<Index>(val.size()));
    MatF weights(n, n ? val[0].keys.rows() : 0), truth = MatF::Zero(weights.rows(), weights.cols());
    for (Index i = 0; i < n; ++i) {
      const KvExample& e = val[static_cast<size_t>(i)];
      MatF w;
      net_.logits(e.keys, e.values, e.query, &w);
      weights.row(i) = w.row(0);
      truth(i, e.probe) = 1;
    }
    return {{"val_attention", weights}, {"val_probe", truth}};
  }

 private:
  networks::KvAttention net_;
  const KvRetrievalTask& task_;
};

const bool kv_task_registered = tasks().add(
    "kv_retrieval", "recall the value of a noisy key among stored key-value pairs (generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      KvRetrievalOptions o;
      o.pairs = static_cast<int>(cfg.integer("pairs", 8, 1, 100000));
      o.key_dim = static_cast<int>(cfg.integer("key_dim", 16, 1, 100000));
      o.classes = static_cast<int>(cfg.integer("classes", 10, 2, 1000000));
      o.noise = cfg.number("noise", 0.4, 0.0, 100.0);
      o.val_size = static_cast<int>(cfg.integer("val_size", 512, 1, 10000000));
      cfg.finish();
      return std::make_unique<KvRetrievalTask>(o, rng);
    });

const bool kv_model_registered = models().add(
    "kv_attention", "scaled dot-product attention over key-value pairs with learned projections",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& kv = require_family<KvRetrievalTask>(task, "kv_attention", "kv_retrieval");
      networks::KvAttentionOptions o;
      o.key_dim = kv.options().key_dim;
      o.classes = kv.options().classes;
      o.hidden = cfg.integer("hidden", 32, 1, 100000);
      auto score = make_score_from(cfg.section("score"), {o.hidden, o.hidden}, rng, "scaled_dot");
      auto norm = make_normalizer_from(cfg.section("normalizer"), {o.hidden}, rng, "softmax");
      cfg.finish();
      return std::make_unique<KvAttentionModel>(o, std::move(score), std::move(norm), kv, rng);
    });

class SequenceClassifierModel : public Model {
 public:
  SequenceClassifierModel(Index d_model, std::unique_ptr<attention::SequenceEncoder<float>> enc,
                          std::unique_ptr<attention::SequencePooler<float>> pool, const SequenceClassificationTask& task,
                          Rng& rng)
      : net_(task.vocab(), d_model, task.classes(), std::move(enc), std::move(pool), rng), task_(task) {
    add_module("net", net_);
  }
  Var<float> loss(std::uint64_t id, Rng& rng) const override {
    const SequenceExample e = task_.train_example(id);
    return cross_entropy(net_.logits(e.tokens, training(), &rng), {e.target});
  }
  Metrics evaluate(const std::string& split, ThreadPool& pool) const override {
    require(split == "val", "seq_classifier", "unknown split '" + split + "'");
    const auto& val = task_.val();
    return classification_metrics(pool, static_cast<Index>(val.size()), [&](Index i) {
      const SequenceExample& e = val[static_cast<size_t>(i)];
      return std::pair{net_.logits(e.tokens, false, nullptr), e.target};
    });
  }
  // pooling weights over the first 32 validation sequences [32 x n], and the first layer's first
  // head's self-attention of validation sequence 0 [n x n]
  std::map<std::string, MatF> inspect() const override {
    const auto& val = task_.val();
    std::map<std::string, MatF> out;
    if (val.empty()) return out;
    const Index n = static_cast<Index>(val[0].tokens.size()), k = std::min<Index>(32, static_cast<Index>(val.size()));
    MatF pool(k, n);
    for (Index i = 0; i < k; ++i) {
      MatF w;
      std::vector<MatF> enc;
      net_.logits(val[static_cast<size_t>(i)].tokens, false, nullptr, &w, i == 0 ? &enc : nullptr);
      pool.row(i) = w.row(0);
      if (i == 0 && !enc.empty()) out["val0_self_attention"] = enc[0];
    }
    out["val_pooling"] = pool;
    return out;
  }

 private:
  networks::SequenceClassifier net_;
  const SequenceClassificationTask& task_;
};

const bool kvseq_task_registered = tasks().add(
    "kv_sequence", "associative recall as a token sequence: k1 v1 ... kN vN ? kq -> vq (generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      KvSequenceOptions o;
      o.pairs = static_cast<int>(cfg.integer("pairs", 6, 1, 10000));
      o.keys = static_cast<int>(cfg.integer("keys", 16, 1, 1000000));
      o.values = static_cast<int>(cfg.integer("values", 8, 2, 1000000));
      o.val_size = static_cast<int>(cfg.integer("val_size", 256, 1, 10000000));
      o.pairs_format = cfg.choice("format", "pairs", {"pairs", "interleaved"}) == "pairs";
      if (o.pairs > o.keys) cfg.fail("pairs", "cannot exceed task.keys (" + std::to_string(o.keys) + "): keys are distinct");
      cfg.finish();
      return std::make_unique<KvSequenceTask>(o, rng);
    });

const bool seq_model_registered = models().add(
    "seq_classifier", "embedding -> registered sequence encoder -> registered pooler -> linear",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& seq = require_family<SequenceClassificationTask>(task, "seq_classifier", "sequence_classification");
      const Index d = cfg.integer("d_model", 32, 1, 100000);
      const attention::SequenceShape shape{d, seq.max_len()};
      auto enc = build_component(cfg.section("encoder"), attention::sequence_encoders<float>(), shape, rng, "transformer");
      auto pool = build_component(cfg.section("pooling"), attention::sequence_poolers<float>(), shape, rng, "last");
      cfg.finish();
      return std::make_unique<SequenceClassifierModel>(d, std::move(enc), std::move(pool), seq, rng);
    });

}  // namespace

// Referenced by the runner so that the linker keeps this file's registrations.
void register_builtins() {
  (void)kv_task_registered;
  (void)kv_model_registered;
  (void)kvseq_task_registered;
  (void)seq_model_registered;
}

}  // namespace engram::experiments
