// The `kv_attention` model: networks::KvAttention (learned projections, a registered score and
// normalizer) on the kv_retrieval task.
//
//   model:
//     name: kv_attention
//     hidden: 32
//     score: scaled_dot                # or {name: mlp, hidden: 16}: any registered score
//     normalizer: softmax              # or {name: sparsemax}: any registered normalizer
//
// inspect(): the attention weights over the first 32 validation examples and the pair that held
// the answer (val_attention, val_probe).
#include "experiments/problem.h"
#include "experiments/tasks/kv_retrieval.h"
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

}  // namespace

ENGRAM_REGISTER(models(), "kv_attention", "scaled dot-product attention over key-value pairs with learned projections",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& kv = require_family<KvRetrievalTask>(task, "kv_attention", "kv_retrieval");
      networks::KvAttentionOptions o;
      o.key_dim = kv.options().key_dim;
      o.classes = kv.options().classes;
      o.hidden = cfg.integer("hidden", 32, 1, 100000);
      auto score = build_component(cfg, "score", attention::scores<float>(), attention::ScoreShape{o.hidden, o.hidden}, rng, "scaled_dot");
      auto norm = build_component(cfg, "normalizer", attention::normalizers<float>(), attention::NormalizerShape{o.hidden}, rng, "softmax");
      cfg.finish();
      return std::make_unique<KvAttentionModel>(o, std::move(score), std::move(norm), kv, rng);
    });

}  // namespace engram::experiments
