#include "networks/memn2n.h"

#include "core/init.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace engram::networks {

template <class T>
Mat<T> position_encoding(Index words, Index dim) {
  require_lazy(words >= 0 && dim >= 1, "position_encoding", [&] {
    return "needs words >= 0 and dim >= 1, got " + std::to_string(words) + " and " + std::to_string(dim);
  });
  Mat<T> l(words, dim);  // [J x d]
  const double J = double(words), d = double(dim);
  for (Index j = 1; j <= words; ++j)
    for (Index k = 1; k <= dim; ++k)
      l(j - 1, k - 1) = T((1 - double(j) / J) - (double(k) / d) * (1 - 2 * double(j) / J));
  return l;
}

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

namespace {
// The position-encoding rows of sentences of J words, for J = 1, 2, ...: the rows of length J
// start at row J (J - 1) / 2. Per thread and dimension, grown on demand, so WordBags::add copies
// rows instead of recomputing them for every word of every forward.
template <class T>
const T* position_rows(Index words, Index dim) {
  thread_local std::map<Index, std::pair<Index, std::vector<T>>> cache;  // dim -> (lengths covered, rows)
  auto& [covered, rows] = cache[dim];
  if (words > covered) {
    const Index upto = std::max<Index>(words, 2 * covered);
    rows.resize(static_cast<size_t>(upto * (upto + 1) / 2 * dim));
    for (Index J = covered + 1; J <= upto; ++J) {
      const Mat<T> l = position_encoding<T>(J, dim);  // row-major [J x d]
      std::copy(l.data(), l.data() + l.size(), rows.begin() + static_cast<std::ptrdiff_t>(J * (J - 1) / 2 * dim));
    }
    covered = upto;
  }
  return rows.data() + words * (words - 1) / 2 * dim;
}
}  // namespace

template <class T>
void WordBags<T>::add(std::span<const int> words, int skip) {
  require(!finished_, "WordBags::add", "called after finish()");
  const Index J = static_cast<Index>(words.size());
  const T* pe = pe_ && J > 0 ? position_rows<T>(J, dim_) : nullptr;  // l_j of 1-based word j: row j - 1
  for (Index j = 0; j < J; ++j) {
    if (j == skip) continue;
    data_->ids.push_back(words[static_cast<size_t>(j)]);
    if (pe) buffer_.insert(buffer_.end(), pe + j * dim_, pe + (j + 1) * dim_);
  }
  data_->offsets.push_back(static_cast<int>(data_->ids.size()));
}

template <class T>
void WordBags<T>::reserve(Index words, Index bags) {
  data_->ids.reserve(static_cast<size_t>(words));
  data_->offsets.reserve(static_cast<size_t>(bags) + 1);
  if (pe_) buffer_.reserve(static_cast<size_t>(words * dim_));
}

template <class T>
void WordBags<T>::finish() {
  if (finished_) return;
  finished_ = true;
  if (pe_) data_->weights = Eigen::Map<const Mat<T>>(buffer_.data(), static_cast<Index>(data_->ids.size()), dim_);
  buffer_ = {};
}

template <class T>
const Mat<T>& WordBags<T>::weights() const {
  require(finished_, "WordBags", "finish() must be called before the bags are encoded");
  return data_->weights;
}

template <class T>
Var<T> WordBags<T>::encode(const Var<T>& table) const {
  require(finished_, "WordBags", "finish() must be called before the bags are encoded");
  return embedding_bag<T>(table, data_);
}

template <class T>
Var<T> attention_bags(const attention::AttentionPooling<T>& pool, const Var<T>& table, const WordBags<T>& bags,
                      Var<T>* weights) {
  const Index n = static_cast<Index>(bags.ids().size()), k = bags.bags(), d = table.cols();
  require_lazy(pool.dim() == d, "attention_bags", [&] {
    return "pooling of dim " + std::to_string(pool.dim()) + " for table " + table.shape();
  });
  if (n == 0) {
    if (weights) *weights = constant<T>(Mat<T>::Zero(0, 1));
    return constant<T>(Mat<T>::Zero(k, d));
  }
  const Var<T> x = gather_rows(table, bags.ids());                          // [n x d]
  const Var<T> s = pool.score().scores(pool.query, x);                       // [1 x d], [n x d] -> [1 x n]
  const Var<T> a = segment_softmax(reshape(s, n, 1), bags.offsets());        // [n x 1], per bag
  if (weights) *weights = a;
  return segment_weighted_sum(a, x, bags.offsets());                         // [k x d], empty bags zero
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
    const Options none;
    for (size_t t = 0; t < names.size(); ++t) {
      pools_.push_back(std::make_unique<attention::AttentionPooling<T>>(d, rng, o.attention_score, none));
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
  WordBags<T> memory_bags(o_.dim, pe), query_bags(o_.dim, pe);
  std::vector<int> recency;  // per memory: 0 = the most recent of its story
  r.offsets.push_back(0);
  Index words = 0, query_words = 0;
  for (size_t b = 0; b < questions.size(); ++b) {
    const StoryQuestion& q = questions[b];
    require_lazy(!q.story.empty(), "MemN2N", [&] {
      return "the story of question " + std::to_string(b) + " of the batch has no sentences";
    });
    const std::vector<int> layout = memory_layout(static_cast<Index>(q.story.size()), o_.memory_size,
                                                  q.noise_rng ? o_.random_noise : 0.0, q.noise_rng);
    const int n = static_cast<int>(layout.size());
    for (int i = 0; i < n; ++i) recency.push_back(n - 1 - i);
    r.slots.insert(r.slots.end(), layout.begin(), layout.end());
    r.offsets.push_back(r.offsets.back() + n);
    for (int s : layout) words += s < 0 ? 0 : static_cast<Index>(q.story[static_cast<size_t>(s)].size());
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
    const Var<T> p = linear_ ? s : segment_softmax(s, r.offsets);          // [R x 1]
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

template <class T>
BatchReadout<T> stack_readouts(const std::vector<MemoryReadout<T>>& readouts) {
  require(!readouts.empty(), "stack_readouts", "no readouts");
  BatchReadout<T> b;
  size_t hops = 0;
  for (const auto& r : readouts) hops = std::max(hops, r.attention.size());
  std::vector<Var<T>> logits;
  std::vector<std::vector<Var<T>>> columns(hops);
  b.offsets.push_back(0);
  for (size_t i = 0; i < readouts.size(); ++i) {
    const MemoryReadout<T>& r = readouts[i];
    const Index n = static_cast<Index>(r.slots.size());
    require_lazy(r.attention.size() == hops || (r.attention.empty() && n == 0), "stack_readouts", [&] {
      return "readout " + std::to_string(i) + " has " + std::to_string(r.attention.size()) + " hops, the others " +
          std::to_string(hops);
    });
    logits.push_back(r.logits);
    for (size_t h = 0; h < r.attention.size(); ++h) columns[h].push_back(reshape(r.attention[h], n, 1));
    b.slots.insert(b.slots.end(), r.slots.begin(), r.slots.end());
    b.offsets.push_back(b.offsets.back() + static_cast<int>(n));
  }
  b.logits = logits.size() == 1 ? logits[0] : concat(logits, 0);
  for (auto& c : columns) b.attention.push_back(c.size() == 1 ? c[0] : concat(c, 0));
  return b;
}

template Mat<float> position_encoding<float>(Index, Index);
template Mat<double> position_encoding<double>(Index, Index);
template class WordBags<float>;
template class WordBags<double>;
template Var<float> attention_bags(const attention::AttentionPooling<float>&, const Var<float>&, const WordBags<float>&,
                                   Var<float>*);
template Var<double> attention_bags(const attention::AttentionPooling<double>&, const Var<double>&,
                                    const WordBags<double>&, Var<double>*);
template BatchReadout<float> stack_readouts(const std::vector<MemoryReadout<float>>&);
template BatchReadout<double> stack_readouts(const std::vector<MemoryReadout<double>>&);
template class MemN2N<float>;
template class MemN2N<double>;

}  // namespace engram::networks
