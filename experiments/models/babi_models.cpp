// The bAbI story models, registered as `memn2n` and `kv_memnn`; they read any task of the `babi`
// family (babi::StoryTask: the reader-backed `babi` task or generated stories).
//
//   model:
//     name: memn2n
//     dim: 20                  # embedding size d
//     hops: 3
//     encoding: pe             # bow | pe | attention (AttentionPooling over each sentence's words)
//     attention_score: dot     # the score of encoding: attention (any registered score)
//     temporal: true           # learned temporal encoding T_A, T_C
//     tying: adjacent          # adjacent | layerwise
//     answer: tied             # tied (W = answer rows of C_K) | separate (own W); default: tied
//                              # for adjacent tying, separate for layer-wise
//     linear_start_epochs: 0   # softmax removed from the memory layers for the first N epochs
//     random_noise: 0.1        # share of empty memories inserted in training (0 = off)
//     memory_size: <task's>    # memories kept (at most the task's memory_size)
//     init_stddev: 0.1
//     examples_per_graph: 16   # training questions read in one ragged-batch graph (a speed knob;
//                              # groups of a batch run on trainer.threads; changes only rounding)
//
//   model:
//     name: kv_memnn
//     dim: 20
//     hops: 2
//     encoding: pe             # bow | pe (query, keys, sentence values)
//     key_window: 1            # sentences per key: this one and the key_window - 1 before it
//     values: sentence         # sentence | words (one slot per word, keyed by the rest of the window)
//     temporal: true
//     memory_size: <task's>
//     init_stddev: 0.1
//
//   model:
//     name: hierarchical_attention   # attention::HierarchicalAttention as a story reader:
//     dim: 32                        # words -> sentence vectors -> document vector (learned
//     score: dot                     # queries, no question conditioning), then
//                                    # logits = Linear([document; bag of query words])
//   A query-independent baseline: what attention without memory hops reads from a story.
//
// Metrics of evaluate(split): loss, accuracy, error (= 1 - accuracy), error/task_N for every task
// of the split, and supporting_fact: the share of questions whose most attended memory at some hop
// holds a supporting fact, over the questions that have a supporting fact in memory.
// inspect(): for the first 32 val questions, val_attention_hop<k> [32 x sentences] (the attention
// of hop k summed per story sentence, oldest first, zero-padded) and val_supporting (1 at the
// supporting facts).
#include "experiments/models/babi_models.h"

#include "experiments/tasks/babi/babi.h"
#include "attention/pooling.h"
#include "core/layers.h"
#include "networks/kv_memnn.h"
#include "networks/memn2n.h"

#include <algorithm>

namespace engram::experiments::babi {

namespace {

using networks::BatchReadout;
using networks::MemoryReadout;

// What the story models share: the loss of training questions, the metrics and the attention
// maps, all from read(): the readout of several questions at once (one ragged-batch graph for
// MemN2N, a graph per question stacked for the others).
class StoryModel : public Model {
 public:
  explicit StoryModel(const StoryTask& task) : task_(task), train_(&task.split("train")) {}

  Var<float> loss(std::uint64_t id, Rng& rng) const override { return loss_sum({&id, 1}, {&rng, 1}); }

  Var<float> loss_sum(std::span<const std::uint64_t> ids, std::span<Rng> rngs) const override {
    std::vector<const Example*> batch;
    std::vector<Rng*> streams;
    std::vector<int> answers;
    for (size_t i = 0; i < ids.size(); ++i) {
      batch.push_back(&(*train_)[static_cast<size_t>(ids[i])]);
      streams.push_back(&rngs[i]);
      answers.push_back(batch.back()->answer);
    }
    const Var<float> mean_loss = cross_entropy(read(batch, streams).logits, answers);
    return ids.size() == 1 ? mean_loss : scale(mean_loss, float(ids.size()));
  }

  Metrics evaluate(const std::string& split, ThreadPool& pool) const override {
    const std::vector<Example>& examples = task_.split(split);
    const Index n = static_cast<Index>(examples.size());
    require(n > 0, "babi model", "split '" + split + "' has no questions");
    std::vector<int> correct(static_cast<size_t>(n)), support(static_cast<size_t>(n));  // support: -1 n/a, 0, 1
    const Index chunk = 64, chunks = (n + chunk - 1) / chunk;  // questions per read: a constant
    std::vector<double> chunk_loss(static_cast<size_t>(chunks));  // summed over the chunk's questions
    pool.parallel_for(chunks, [&](Index c) {
      NoGradGuard no_grad;  // per thread
      std::vector<const Example*> batch;
      for (Index i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) batch.push_back(&examples[static_cast<size_t>(i)]);
      const BatchReadout<float> r = read(batch, std::vector<Rng*>(batch.size(), nullptr));
      std::vector<int> answers;
      for (const Example* e : batch) answers.push_back(e->answer);
      chunk_loss[static_cast<size_t>(c)] = double(cross_entropy(r.logits, answers).item()) * double(batch.size());
      const MatF& z = r.logits.value();
      for (Index b = 0; b < r.size(); ++b) {
        const size_t i = static_cast<size_t>(c * chunk + b);
        const int answer = answers[static_cast<size_t>(b)];
        Index arg;
        z.row(b).maxCoeff(&arg);
        correct[i] = arg == answer;
        support[i] = supporting_hit(*batch[static_cast<size_t>(b)], r, b);
      }
    });
    std::map<int, std::pair<double, double>> per_task;  // task -> (wrong, total)
    double loss = 0, right = 0, hits = 0, with_support = 0;
    for (double l : chunk_loss) loss += l;
    for (Index i = 0; i < n; ++i) {
      const size_t k = static_cast<size_t>(i);
      right += correct[k];
      auto& t = per_task[examples[k].task];
      t.first += 1 - correct[k];
      t.second += 1;
      if (support[k] >= 0) {
        with_support += 1;
        hits += support[k];
      }
    }
    Metrics m{{"loss", loss / double(n)}, {"accuracy", right / double(n)}, {"error", 1 - right / double(n)}};
    for (const auto& [task, t] : per_task) m["error/task_" + std::to_string(task)] = t.first / t.second;
    if (with_support > 0) m["supporting_fact"] = hits / with_support;
    return m;
  }

  std::map<std::string, MatF> inspect() const override {
    const std::vector<Example>& val = task_.split("val");
    const Index k = std::min<Index>(32, static_cast<Index>(val.size()));
    Index width = 0;
    std::vector<const Example*> batch;
    for (Index i = 0; i < k; ++i) {
      batch.push_back(&val[static_cast<size_t>(i)]);
      width = std::max(width, static_cast<Index>(batch.back()->story.size()));
    }
    std::map<std::string, MatF> out;
    if (k == 0) return out;
    NoGradGuard no_grad;
    const BatchReadout<float> r = read(batch, std::vector<Rng*>(batch.size(), nullptr));
    MatF supporting = MatF::Zero(k, width);
    std::vector<MatF> hops(r.attention.size(), MatF::Zero(k, width));
    for (Index i = 0; i < k; ++i) {
      for (size_t h = 0; h < r.attention.size(); ++h)
        for (int j = r.offsets[static_cast<size_t>(i)]; j < r.offsets[static_cast<size_t>(i) + 1]; ++j)
          if (r.slots[static_cast<size_t>(j)] >= 0) hops[h](i, r.slots[static_cast<size_t>(j)]) += r.attention[h].value()(j, 0);
      for (int s : batch[static_cast<size_t>(i)]->supporting) supporting(i, s) = 1;
    }
    out["val_supporting"] = supporting;
    for (size_t h = 0; h < hops.size(); ++h) out["val_attention_hop" + std::to_string(h + 1)] = hops[h];
    return out;
  }

 protected:
  // The network's readout of several questions; rngs[i] is non-null in training only.
  virtual BatchReadout<float> read(std::span<const Example* const> batch, std::span<Rng* const> rngs) const = 0;

 private:
  // -1: no supporting fact in question b's memory; 1: the most attended memory of some hop is
  // one; else 0.
  static int supporting_hit(const Example& e, const BatchReadout<float>& r, Index b) {
    const auto is_support = [&](int s) { return std::find(e.supporting.begin(), e.supporting.end(), s) != e.supporting.end(); };
    const int lo = r.offsets[static_cast<size_t>(b)], hi = r.offsets[static_cast<size_t>(b) + 1];
    if (std::none_of(r.slots.begin() + lo, r.slots.begin() + hi, is_support)) return -1;
    for (const auto& a : r.attention) {
      Index arg;
      a.value().middleRows(lo, hi - lo).col(0).maxCoeff(&arg);
      if (is_support(r.slots[static_cast<size_t>(lo + arg)])) return 1;
    }
    return 0;
  }

  const StoryTask& task_;
  const std::vector<Example>* train_;
};

// For networks that read one question per graph: stacks their readouts.
template <class ReadOne>
BatchReadout<float> read_each(std::span<const Example* const> batch, std::span<Rng* const> rngs, ReadOne&& one) {
  std::vector<MemoryReadout<float>> each;
  for (size_t i = 0; i < batch.size(); ++i) each.push_back(one(*batch[i], rngs[i]));
  return networks::stack_readouts(each);
}

class MemN2NModel : public StoryModel {
 public:
  MemN2NModel(const networks::MemN2NOptions& o, std::uint64_t linear_start_epochs, Index examples_per_graph,
              const StoryTask& task, Rng& rng)
      : StoryModel(task), net_(o, rng), linear_start_epochs_(linear_start_epochs), examples_per_graph_(examples_per_graph) {
    add_module("net", net_);
  }
  // linear start: no softmax in the memory layers during the first linear_start_epochs epochs
  void begin_step(std::uint64_t, std::uint64_t epoch) override { net_.set_linear(epoch < linear_start_epochs_); }

 protected:
  BatchReadout<float> read(std::span<const Example* const> batch, std::span<Rng* const> rngs) const override {
    std::vector<networks::StoryQuestion> questions;
    for (size_t i = 0; i < batch.size(); ++i) questions.push_back({batch[i]->story, batch[i]->query, rngs[i]});
    return net_.forward_batch(questions);
  }
  Index examples_per_graph() const override { return examples_per_graph_; }

 private:
  networks::MemN2N<float> net_;
  std::uint64_t linear_start_epochs_;
  Index examples_per_graph_;
};

class KvMemNNModel : public StoryModel {
 public:
  KvMemNNModel(const networks::KvMemNNOptions& o, const StoryTask& task, Rng& rng) : StoryModel(task), net_(o, rng) {
    add_module("net", net_);
  }

 protected:
  BatchReadout<float> read(std::span<const Example* const> batch, std::span<Rng* const> rngs) const override {
    return read_each(batch, rngs, [&](const Example& e, Rng*) { return net_.forward(e.story, e.query); });
  }

 private:
  networks::KvMemNN<float> net_;
};

// The attention library's hierarchical form (words -> sentences -> document) as a story reader.
class HierarchicalReader : public StoryModel {
 public:
  HierarchicalReader(Index dim, const std::string& score, const StoryTask& task, Rng& rng)
      : StoryModel(task),
        embed_(task.words().size(), dim, rng),
        han_(dim, dim, rng, score),
        out_(2 * dim, task.answers().size(), rng) {
    add_module("embed", embed_);
    add_module("han", han_);
    add_module("out", out_);
  }

 protected:
  BatchReadout<float> read(std::span<const Example* const> batch, std::span<Rng* const> rngs) const override {
    return read_each(batch, rngs, [&](const Example& e, Rng*) { return read_one(e); });
  }

 private:
  MemoryReadout<float> read_one(const Example& e) const {
    std::vector<Var<float>> sentences;
    MemoryReadout<float> r;
    for (size_t i = 0; i < e.story.size(); ++i) {
      if (e.story[i].empty()) continue;
      sentences.push_back(embed_(e.story[i]));
      r.slots.push_back(static_cast<int>(i));
    }
    const Var<float> query = sum(embed_(e.query), 0);
    if (sentences.empty()) {  // nothing to read: the document vector is zero
      r.logits = out_(concat<float>({constant<float>(MatF::Zero(1, query.cols())), query}, 1));
      return r;
    }
    const attention::HierarchicalResult<float> h = han_(sentences);
    r.logits = out_(concat<float>({h.document, query}, 1));
    r.attention = {h.sentence_weights};
    return r;
  }

  Embedding<float> embed_;
  attention::HierarchicalAttention<float> han_;
  Linear<float> out_;
};

networks::SentenceEncoding read_encoding(Section& cfg, bool attention) {
  std::vector<std::string> allowed{"bow", "pe"};
  if (attention) allowed.push_back("attention");
  const std::string e = cfg.choice("encoding", "pe", allowed);
  return e == "bow" ? networks::SentenceEncoding::bow
                    : e == "pe" ? networks::SentenceEncoding::pe : networks::SentenceEncoding::attention;
}

Index read_memory_size(Section& cfg, const StoryTask& task) {
  return cfg.integer("memory_size", task.memory_size(), 1, task.memory_size());
}

const bool memn2n_registered = models().add(
    "memn2n", "end-to-end memory network (Sukhbaatar et al. 2015) over bAbI stories",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "memn2n", "babi");
      networks::MemN2NOptions o;
      o.vocab = story.words().size();
      for (int a = 0; a < story.answers().size(); ++a) o.answer_words.push_back(story.words().id(story.answers().word(a)));
      o.dim = cfg.integer("dim", 20, 1, 100000);
      o.hops = static_cast<int>(cfg.integer("hops", 3, 1, 100));
      o.encoding = read_encoding(cfg, true);
      o.attention_score = cfg.string("attention_score", "dot");
      if (cfg.has("attention_score")) (void)lookup_component(attention::scores<float>(), cfg, "attention_score");
      o.temporal = cfg.boolean("temporal", true);
      o.tying = cfg.choice("tying", "adjacent", {"adjacent", "layerwise"}) == "adjacent" ? networks::WeightTying::adjacent
                                                                                       : networks::WeightTying::layerwise;
      o.tied_answers = cfg.choice("answer", o.tying == networks::WeightTying::adjacent ? "tied" : "separate",
                                  {"tied", "separate"}) == "tied";
      const auto linear_start = static_cast<std::uint64_t>(cfg.integer("linear_start_epochs", 0, 0));
      o.random_noise = cfg.number("random_noise", 0.1, 0.0, 1.0);
      o.memory_size = read_memory_size(cfg, story);
      o.init_stddev = cfg.number("init_stddev", 0.1, 1e-12);
      const Index per_graph = cfg.integer("examples_per_graph", 16, 1, 100000);
      cfg.finish();
      return std::make_unique<MemN2NModel>(o, linear_start, per_graph, story, rng);
    });

const bool kv_memnn_registered = models().add(
    "kv_memnn", "key-value memory network (Miller et al. 2016) over bAbI stories",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "kv_memnn", "babi");
      networks::KvMemNNOptions o;
      o.vocab = story.words().size();
      o.answers = story.answers().size();
      o.dim = cfg.integer("dim", 20, 1, 100000);
      o.hops = static_cast<int>(cfg.integer("hops", 2, 1, 100));
      o.encoding = read_encoding(cfg, false);
      o.key_window = static_cast<int>(cfg.integer("key_window", 1, 1, 100));
      o.values = cfg.choice("values", "sentence", {"sentence", "words"}) == "sentence" ? networks::ValueMode::sentence
                                                                                      : networks::ValueMode::words;
      o.temporal = cfg.boolean("temporal", true);
      o.memory_size = read_memory_size(cfg, story);
      o.init_stddev = cfg.number("init_stddev", 0.1, 1e-12);
      cfg.finish();
      return std::make_unique<KvMemNNModel>(o, story, rng);
    });

const bool han_registered = models().add(
    "hierarchical_attention", "hierarchical attention reader (words -> sentences -> document) over bAbI stories",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "hierarchical_attention", "babi");
      const Index dim = cfg.integer("dim", 32, 1, 100000);
      const std::string score = cfg.string("score", "dot");
      if (cfg.has("score")) (void)lookup_component(attention::scores<float>(), cfg, "score");
      cfg.finish();
      return std::make_unique<HierarchicalReader>(dim, score, story, rng);
    });

}  // namespace

void register_babi_models() {
  (void)han_registered;
  (void)memn2n_registered;
  (void)kv_memnn_registered;
}

}  // namespace engram::experiments::babi
