#include "networks/kv_memnn.h"

#include "core/init.h"

#include <algorithm>

namespace engram::networks {

template <class T>
KvMemNN<T>::KvMemNN(const KvMemNNOptions& o, Rng& rng) : o_(o) {
  const char* where = "KvMemNN";
  require_lazy(o.vocab >= 1, where, [&] { return "vocab must be >= 1, got " + std::to_string(o.vocab); });
  require_lazy(o.answers >= 1, where, [&] { return "answers must be >= 1, got " + std::to_string(o.answers); });
  require_lazy(o.dim >= 1, where, [&] { return "dim must be >= 1, got " + std::to_string(o.dim); });
  require_lazy(o.hops >= 1, where, [&] { return "hops must be >= 1, got " + std::to_string(o.hops); });
  require(o.encoding != SentenceEncoding::attention, where, "encoding must be bow or pe");
  require_lazy(o.key_window >= 1, where, [&] {
    return "key_window must be >= 1, got " + std::to_string(o.key_window);
  });
  require_lazy(o.memory_size >= 1, where, [&] {
    return "memory_size must be >= 1, got " + std::to_string(o.memory_size);
  });
  require_lazy(o.init_stddev > 0, where, [&] { return "init_stddev must be > 0, got " + num_str(o.init_stddev); });
  const Index d = o.dim;
  A_ = this->add_parameter("A", init::normal<T>(o.vocab, d, 0, o.init_stddev, rng));
  B_ = this->add_parameter("B", init::normal<T>(o.answers, d, 0, o.init_stddev, rng));
  if (o.temporal) {
    TK_ = this->add_parameter("temporal.key", init::normal<T>(o.memory_size, d, 0, o.init_stddev, rng));
    TV_ = this->add_parameter("temporal.value", init::normal<T>(o.memory_size, d, 0, o.init_stddev, rng));
  }
  for (int j = 0; j < o.hops; ++j)
    R_.push_back(this->add_parameter("R." + std::to_string(j), Mat<T>::Identity(d, d)));
}

template <class T>
MemoryReadout<T> KvMemNN<T>::forward(std::span<const std::vector<int>> story, std::span<const int> query, Rng*) const {
  const char* where = "KvMemNN";
  require(!story.empty(), where, "the story has no sentences");
  const std::vector<int> kept = memory_layout(static_cast<Index>(story.size()), o_.memory_size, 0.0, nullptr);
  const Index n = static_cast<Index>(kept.size());
  const bool pe = o_.encoding == SentenceEncoding::pe, words = o_.values == ValueMode::words;
  WordBags<T> keys(o_.dim, pe), values(o_.dim, pe), query_bag(o_.dim, pe);
  MemoryReadout<T> r;
  std::vector<int> recency, value_words, window;
  for (Index i = 0; i < n; ++i) {
    const int s = kept[static_cast<size_t>(i)];
    const auto& sentence = story[static_cast<size_t>(s)];
    window.clear();
    for (int t = std::max(0, s - o_.key_window + 1); t <= s; ++t)
      window.insert(window.end(), story[static_cast<size_t>(t)].begin(), story[static_cast<size_t>(t)].end());
    const int own = static_cast<int>(window.size() - sentence.size());  // where the sentence starts
    if (!words) {
      keys.add(window);
      values.add(sentence);
      r.slots.push_back(s);
      recency.push_back(static_cast<int>(n - 1 - i));
      continue;
    }
    for (size_t j = 0; j < sentence.size(); ++j) {
      keys.add(window, own + static_cast<int>(j));
      value_words.push_back(sentence[j]);
      r.slots.push_back(s);
      recency.push_back(static_cast<int>(n - 1 - i));
    }
  }
  require(!r.slots.empty(), where, "the story's sentences have no words: no memory slots");
  query_bag.add(query);
  keys.finish();
  values.finish();
  query_bag.finish();

  Var<T> K = keys.encode(A_);                                             // [slots x d]
  Var<T> V = words ? gather_rows(A_, value_words) : values.encode(A_);   // [slots x d]
  if (o_.temporal) {
    K = add(K, gather_rows(TK_, recency));
    V = add(V, gather_rows(TV_, recency));
  }
  Var<T> q = query_bag.encode(A_);                                        // [1 x d]
  for (int j = 0; j < o_.hops; ++j) {
    const Var<T> p = softmax(matmul_nt(q, K));                            // [1 x d][slots x d]^T -> [1 x slots]
    const Var<T> o = matmul(p, V);                                        // [1 x slots][slots x d] -> [1 x d]
    q = matmul(add(q, o), R_[static_cast<size_t>(j)]);                    // [1 x d][d x d] -> [1 x d]
    r.attention.push_back(p);
  }
  r.logits = matmul_nt(q, B_);                                            // [1 x d][answers x d]^T -> [1 x answers]
  return r;
}

template class KvMemNN<float>;
template class KvMemNN<double>;

}  // namespace engram::networks
