#include "experiments/models/story_model.h"

#include <array>

#include <algorithm>

namespace engram::experiments::babi {

namespace {

using networks::BatchReadout;

// What the story models share: the loss of training questions, the metrics and the attention
// maps, all from read(): the readout of several questions at once (one ragged-batch graph for
// MemN2N, a graph per question stacked for the others).
class StoryModel : public Model {
 public:
  StoryModel(std::unique_ptr<networks::StoryReader<float>> reader, const StoryTask& task)
      : reader_(std::move(reader)), task_(task), train_(&task.split("train")) {
    add_module("net", *reader_);
  }
  const networks::StoryReader<float>& reader() const { return *reader_; }

  void begin_step(std::uint64_t, std::uint64_t epoch) override {
    reader_->begin_epoch(epoch);
    epoch_ = epoch;
  }
  Index examples_per_graph() const override { return reader_->examples_per_graph(); }
  double state_size() const override {
    Index longest = 0;
    for (const auto& split : task_.eval_splits())
      for (const auto& e : task_.split(split)) longest = std::max(longest, static_cast<Index>(e.story.size()));
    return double(reader_->state_size(longest));
  }

  Var<float> loss(std::uint64_t id, Rng& rng) const override { return loss_sum({&id, 1}, {&rng, 1}); }

  Var<float> loss_sum(std::span<const std::uint64_t> ids, std::span<Rng> rngs) const override {
    std::vector<const Example*> batch;
    std::vector<Rng*> streams;
    std::vector<int> answers;
    const StoryCurriculum& curriculum = task_.curriculum();
    std::vector<Example> shortened;  // the curriculum's stories of this batch
    shortened.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      const Example& e = (*train_)[static_cast<size_t>(ids[i])];
      const int keep = curriculum.length(epoch_, static_cast<int>(e.story.size()));
      if (keep < static_cast<int>(e.story.size())) {
        shortened.push_back(shorten_story(e, keep, rngs[i].child("curriculum")));
        batch.push_back(&shortened.back());
      } else {
        batch.push_back(&e);
      }
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
    add_retention(m, examples, correct);
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

 private:
  // The reader's readout of several questions; rngs[i] is non-null in training only.
  BatchReadout<float> read(std::span<const Example* const> batch, std::span<Rng* const> rngs) const {
    std::vector<networks::StoryQuestion> questions;
    questions.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) questions.push_back({batch[i]->story, batch[i]->query, rngs[i]});
    return reader_->forward_batch(questions);
  }

  // -1: no supporting fact in question b's memory, or a reader without attention over its
  // memories (nothing to say); 1: the most attended memory of some hop is one; else 0.
  static int supporting_hit(const Example& e, const BatchReadout<float>& r, Index b) {
    const auto is_support = [&](int s) { return std::find(e.supporting.begin(), e.supporting.end(), s) != e.supporting.end(); };
    const int lo = r.offsets[static_cast<size_t>(b)], hi = r.offsets[static_cast<size_t>(b) + 1];
    if (r.attention.empty() || std::none_of(r.slots.begin() + lo, r.slots.begin() + hi, is_support)) return -1;
    for (const auto& a : r.attention) {
      Index arg;
      a.value().middleRows(lo, hi - lo).col(0).maxCoeff(&arg);
      if (is_support(r.slots[static_cast<size_t>(lo + arg)])) return 1;
    }
    return 0;
  }

  std::unique_ptr<networks::StoryReader<float>> reader_;
  const StoryTask& task_;
  const std::vector<Example>* train_;
  std::uint64_t epoch_ = 0;  // the training epoch (begin_step): the curriculum's stage
};

}  // namespace

int age_quarter(const Example& e) {
  const int n = static_cast<int>(e.story.size());
  if (e.supporting.empty() || n < 4) return -1;
  const int newest = *std::max_element(e.supporting.begin(), e.supporting.end());
  return std::clamp(4 * (n - 1 - newest) / n, 0, 3);
}

void add_retention(Metrics& m, const std::vector<Example>& examples, const std::vector<int>& correct) {
  std::array<std::pair<double, double>, 4> per_age{};  // (wrong, total) per quarter
  for (size_t k = 0; k < examples.size() && k < correct.size(); ++k)
    if (const int q = age_quarter(examples[k]); q >= 0) {
      per_age[static_cast<size_t>(q)].first += 1 - correct[k];
      per_age[static_cast<size_t>(q)].second += 1;
    }
  if (std::all_of(per_age.begin(), per_age.end(), [](const auto& a) { return a.second > 0; }))
    for (size_t q = 0; q < 4; ++q) m["error/age_q" + std::to_string(q + 1)] = per_age[q].first / per_age[q].second;
}

std::unique_ptr<Model> make_story_model(std::unique_ptr<networks::StoryReader<float>> reader, const StoryTask& task) {
  return std::make_unique<StoryModel>(std::move(reader), task);
}

networks::SentenceEncoding read_encoding(Section& cfg, bool attention) {
  std::vector<std::string> allowed{"bow", "pe"};
  if (attention) allowed.push_back("attention");
  const std::string e = cfg.choice("encoding", "pe", allowed);
  return e == "bow" ? networks::SentenceEncoding::bow
                    : e == "pe" ? networks::SentenceEncoding::pe : networks::SentenceEncoding::attention;
}

Index read_memory_size(Section& cfg, const StoryTask& task) {
  // a window longer than the task's stories holds the whole story (a comparison's budget, such
  // as MemN2N's 50 sentences, stays the same config at every load)
  return std::min<Index>(cfg.integer("memory_size", task.memory_size(), 1, Index(1) << 24), task.memory_size());
}

networks::StoryEncoderOptions read_story_encoder(Section& cfg, const StoryTask& task, Index default_dim,
                                                double default_init) {
  networks::StoryEncoderOptions o;
  o.vocab = task.words().size();
  o.dim = cfg.integer("dim", default_dim, 1, 100000);
  o.encoding = read_encoding(cfg, false);
  o.temporal = cfg.boolean("temporal", true);
  o.memory_size = read_memory_size(cfg, task);
  o.init_stddev = cfg.number("init_stddev", default_init, 1e-12, 1e6);
  return o;
}

networks::QueryInput read_query_input(Section& cfg) {
  return cfg.choice("query", "end", {"end", "every_step"}) == "end" ? networks::QueryInput::end : networks::QueryInput::every_step;
}

std::vector<int> answer_words(const StoryTask& task) {
  std::vector<int> out;
  for (int a = 0; a < task.answers().size(); ++a) out.push_back(task.words().id(task.answers().word(a)));
  return out;
}

}  // namespace engram::experiments::babi
