#include "networks/memn2n.h"

#include "core/init.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace engram::networks {

namespace {
Index noise_slots(Index kept, double noise) { return static_cast<Index>(std::ceil(noise * double(kept))); }
}  // namespace

Index temporal_rows(Index memory_size, double noise) { return memory_size + noise_slots(memory_size, noise); }

std::vector<int> memory_layout(Index sentences, Index memory_size, double noise, Rng* rng) {
  require_lazy(sentences >= 0 && memory_size >= 1 && noise >= 0 && noise <= 1, "memory_layout", [&] {
    return "needs sentences >= 0, memory_size >= 1 and noise in [0, 1], got " + std::to_string(sentences) + ", " +
        std::to_string(memory_size) + " and " + num_str(noise);
  });
  const Index kept = std::min(sentences, memory_size), first = sentences - kept;
  const Index blanks = rng && noise > 0 ? static_cast<Index>(rng->below(std::uint64_t(noise_slots(kept, noise)) + 1)) : 0;
  const Index total = kept + blanks;
  std::vector<int> layout(static_cast<size_t>(total), 0);
  if (blanks > 0) {
    const std::vector<int> perm = rng->permutation(static_cast<int>(total));
    for (Index b = 0; b < blanks; ++b) layout[static_cast<size_t>(perm[static_cast<size_t>(b)])] = -1;
  }
  int next = static_cast<int>(first);
  for (auto& slot : layout)
    if (slot == 0) slot = next++;
  return layout;
}

// ---- MemN2N --------------------------------------------------------------------------------

template <class T>
MemN2N<T>::MemN2N(const MemN2NOptions& o, Rng& rng) : o_(o) {
  const char* where = "MemN2N";
  require_lazy(o.vocab >= 1, where, [&] { return "vocab must be >= 1, got " + std::to_string(o.vocab); });
  require(!o.answer_words.empty(), where, "needs at least one answer class");
  require_lazy(o.dim >= 1, where, [&] { return "dim must be >= 1, got " + std::to_string(o.dim); });
  require_lazy(o.hops >= 1, where, [&] { return "hops must be >= 1, got " + std::to_string(o.hops); });
  require_lazy(o.memory_size >= 1, where, [&] {
    return "memory_size must be >= 1, got " + std::to_string(o.memory_size);
  });
  require_lazy(o.random_noise >= 0 && o.random_noise <= 1, where, [&] {
    return "random_noise must be in [0, 1], got " + num_str(o.random_noise);
  });
  require_lazy(o.init_stddev > 0, where, [&] { return "init_stddev must be > 0, got " + num_str(o.init_stddev); });
  require_lazy(o.memory_slots >= 0, where, [&] { return "memory_slots must be >= 0, got " + std::to_string(o.memory_slots); });
  const Index d = o.dim;
  Index extra = 0;  // answers that are not words: rows after the vocabulary in the last output matrix
  for (size_t a = 0; a < o.answer_words.size(); ++a) {
    const int w = o.answer_words[a];
    require_lazy(w >= -1 && w < o.vocab, where, [&] {
      return "answer " + std::to_string(a) + " has word id " + std::to_string(w) + ", outside [-1, " + std::to_string(o.vocab) + ")";
    });
    answer_rows_.push_back(w >= 0 ? w : static_cast<int>(o.vocab + extra++));
  }
  const bool adjacent = o.tying == WeightTying::adjacent;
  std::vector<std::string> names;
  if (adjacent) {
    for (int k = 0; k <= o.hops; ++k) names.push_back(std::to_string(k));
    query_table_ = 0;
    last_output_table_ = o.hops;
  } else {
    names = {"A", "C", "B"};
    query_table_ = 2;
    last_output_table_ = 1;
  }
  const Index trows = temporal_rows(o.memory_size, o.random_noise);
  for (size_t t = 0; t < names.size(); ++t) {
    const bool last = static_cast<int>(t) == last_output_table_;
    const Index rows = o.vocab + (last && o.tied_answers ? extra : 0);
    tables_.push_back(this->add_parameter(adjacent ? "embed." + names[t] : names[t], init::normal<T>(rows, d, 0, o.init_stddev, rng)));
  }
  temporal_.resize(names.size());
  if (o.temporal)
    for (size_t t = 0; t < names.size(); ++t)
      if (static_cast<int>(t) != query_table_ || adjacent)  // B (layer-wise) reads the query only
        temporal_[t] = this->add_parameter("temporal." + names[t], init::normal<T>(trows, d, 0, o.init_stddev, rng));
  if (o.encoding == SentenceEncoding::attention) {
    for (size_t t = 0; t < names.size(); ++t) {
      pools_.push_back(std::make_unique<attention::AttentionPooling<T>>(d, rng, o.attention_score, o.attention_score_options));
      this->add_module("pool." + names[t], *pools_.back());
    }
  }
  if (!adjacent) H_ = this->add_parameter("H", init::normal<T>(d, d, 0, o.init_stddev, rng));
  if (!o.tied_answers) W_ = this->add_parameter("W", init::normal<T>(answers(), d, 0, o.init_stddev, rng));
}

template <class T>
Var<T> MemN2N<T>::encode(int table, const WordBags<T>& bags) const {
  if (o_.encoding == SentenceEncoding::attention)
    return attention_bags(*pools_[static_cast<size_t>(table)], tables_[static_cast<size_t>(table)], bags);
  return bags.encode(tables_[static_cast<size_t>(table)]);  // [bags x d]
}

template <class T>
MemoryReadout<T> MemN2N<T>::forward(std::span<const std::vector<int>> story, std::span<const int> query,
                                    Rng* noise_rng) const {
  const StoryQuestion q{story, query, noise_rng};
  BatchReadout<T> b = forward_batch(std::span<const StoryQuestion>(&q, 1));
  MemoryReadout<T> r;
  r.logits = std::move(b.logits);
  const Index n = static_cast<Index>(b.slots.size());
  for (const auto& a : b.attention) r.attention.push_back(reshape(a, 1, n));  // [n x 1] -> [1 x n]
  r.slots = std::move(b.slots);
  return r;
}

template <class T>
BatchReadout<T> MemN2N<T>::forward_batch(std::span<const StoryQuestion> questions) const {
  require(!questions.empty(), "MemN2N", "forward_batch needs at least one question");
  BatchReadout<T> r;
  const bool pe = o_.encoding == SentenceEncoding::pe;
  WordBags<T> memory_bags(o_.dim, pe, o_.position_length), query_bags(o_.dim, pe, o_.position_length);
  std::vector<int> recency;  // per memory: 0 = the most recent of its story
  std::vector<T> sinks;      // per question: its empty slots (memory_slots)
  r.offsets.push_back(0);
  Index words = 0, query_words = 0;
  const bool skip_time = o_.noise_mode == RandomNoise::skip_time;
  for (size_t b = 0; b < questions.size(); ++b) {
    const StoryQuestion& q = questions[b];
    require_lazy(!q.story.empty(), "MemN2N", [&] {
      return "the story of question " + std::to_string(b) + " of the batch has no sentences";
    });
    const std::vector<int> layout = memory_layout(static_cast<Index>(q.story.size()), o_.memory_size,
                                                  q.noise_rng ? o_.random_noise : 0.0, q.noise_rng);
    const int n = static_cast<int>(layout.size());
    int rows = 0;
    for (int i = 0; i < n; ++i) {
      const int s = layout[static_cast<size_t>(i)];
      if (s < 0 && skip_time) continue;  // the blank only shifts the recency of what precedes it
      recency.push_back(n - 1 - i);
      r.slots.push_back(s);
      words += s < 0 ? 0 : static_cast<Index>(q.story[static_cast<size_t>(s)].size());
      ++rows;
    }
    r.offsets.push_back(r.offsets.back() + rows);
    sinks.push_back(T(std::max<Index>(0, o_.memory_slots - rows)));
    query_words += static_cast<Index>(q.query.size());
  }
  memory_bags.reserve(words, static_cast<Index>(r.slots.size()));
  query_bags.reserve(query_words, static_cast<Index>(questions.size()));
  for (size_t b = 0; b < questions.size(); ++b) {
    const StoryQuestion& q = questions[b];
    for (int i = r.offsets[b]; i < r.offsets[b + 1]; ++i) {
      const int s = r.slots[static_cast<size_t>(i)];
      if (s < 0) memory_bags.add_empty();
      else memory_bags.add(q.story[static_cast<size_t>(s)]);
    }
    query_bags.add(q.query);
  }
  memory_bags.finish();
  query_bags.finish();

  std::vector<Var<T>> memories(tables_.size());  // built on first use, each once
  const auto memory = [&](int t) -> const Var<T>& {
    Var<T>& m = memories[static_cast<size_t>(t)];
    if (!m.defined()) {
      m = encode(t, memory_bags);                                          // [R x d]
      if (o_.temporal) m = add(m, gather_rows(temporal_[static_cast<size_t>(t)], recency));
    }
    return m;
  };
  const bool adjacent = o_.tying == WeightTying::adjacent;
  Var<T> u = encode(query_table_, query_bags);                             // [B x d]
  for (int k = 1; k <= o_.hops; ++k) {
    const int in = adjacent ? k - 1 : 0, out = adjacent ? k : 1;
    const Var<T> s = segment_dot(u, memory(in), r.offsets);                // [R x 1]: u_b . m_i per story
    const Var<T> p = linear_ ? s
                     : o_.memory_slots > 0 ? segment_softmax(s, r.offsets, T(1), sinks)  // with the empty slots
                                           : segment_softmax(s, r.offsets);              // [R x 1]
    const Var<T> o = segment_weighted_sum(p, memory(out), r.offsets);      // [B x d]
    u = adjacent ? add(u, o) : add(matmul(u, H_), o);                      // [B x d]
    r.attention.push_back(p);
  }
  const Var<T> answer_vectors = o_.tied_answers
      ? gather_rows(tables_[static_cast<size_t>(last_output_table_)], answer_rows_)  // [answers x d]
      : W_;
  r.logits = matmul_nt(u, answer_vectors);                                 // [B x answers]
  return r;
}

template class MemN2N<float>;
template class MemN2N<double>;

}  // namespace engram::networks
