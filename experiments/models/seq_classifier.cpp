// The `seq_classifier` model: embedding -> a registered sequence encoder -> a registered pooler ->
// linear (networks::SequenceClassifier), on sequence-classification tasks (kv_sequence).
//
//   model:
//     name: seq_classifier
//     d_model: 32
//     encoder: transformer            # or {name: transformer, layers: 2, heads: 4}: `engram list encoders`
//     pooling: last                   # or {name: attention}: `engram list poolers`
//
// inspect(): the pooling weights over the first 32 validation sequences (val_pooling) and the
// first layer's first head's self-attention of validation sequence 0 (val0_self_attention).
#include "experiments/problem.h"
#include "experiments/tasks/sequence_tasks.h"
#include "networks/seq_classifier.h"

namespace engram::experiments {

namespace {

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

}  // namespace

ENGRAM_REGISTER(models(), "seq_classifier", "embedding -> registered sequence encoder -> registered pooler -> linear",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& seq = require_family<SequenceClassificationTask>(task, "seq_classifier", "sequence_classification");
      const Index d = cfg.integer("d_model", 32, 1, 100000);
      const attention::SequenceShape shape{d, seq.max_len()};
      auto enc = build_component(cfg, "encoder", attention::sequence_encoders<float>(), shape, rng, "transformer");
      auto pool = build_component(cfg, "pooling", attention::sequence_poolers<float>(), shape, rng, "last");
      cfg.finish();
      return std::make_unique<SequenceClassifierModel>(d, std::move(enc), std::move(pool), seq, rng);
    });

}  // namespace engram::experiments
