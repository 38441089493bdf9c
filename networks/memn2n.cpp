#include "networks/memn2n.h"

#include "core/init.h"

#include <cmath>
#include <limits>

namespace engram::networks {

template <class T>
Mat<T> position_encoding(Index words, Index dim) {
  require(words >= 0 && dim >= 1, "position_encoding",
          "needs words >= 0 and dim >= 1, got " + std::to_string(words) + " and " + std::to_string(dim));
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
  require(sentences >= 0 && memory_size >= 1 && noise >= 0 && noise <= 1, "memory_layout",
          "needs sentences >= 0, memory_size >= 1 and noise in [0, 1], got " + std::to_string(sentences) + ", " +
              std::to_string(memory_size) + " and " + num_str(noise));
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

template <class T>
void WordBags<T>::add(std::span<const int> words, int skip) {
  require(!finished_, "WordBags::add", "called after finish()");
  const Index J = static_cast<Index>(words.size());
  for (Index j = 0; j < J; ++j) {
    if (j == skip) continue;
    ids_.push_back(words[static_cast<size_t>(j)]);
    if (pe_) {  // l_kj = (1 - j/J) - (k/d)(1 - 2j/J), 1-based j and k
      const double jj = double(j + 1), JJ = double(J), d = double(dim_);
      for (Index k = 1; k <= dim_; ++k) buffer_.push_back(T((1 - jj / JJ) - (double(k) / d) * (1 - 2 * jj / JJ)));
    }
  }
  offsets_.push_back(static_cast<int>(ids_.size()));
}

template <class T>
void WordBags<T>::reserve(Index words, Index bags) {
  ids_.reserve(static_cast<size_t>(words));
  offsets_.reserve(static_cast<size_t>(bags) + 1);
  if (pe_) buffer_.reserve(static_cast<size_t>(words * dim_));
}

template <class T>
void WordBags<T>::finish() {
  if (finished_) return;
  finished_ = true;
  if (pe_) weights_ = Eigen::Map<const Mat<T>>(buffer_.data(), static_cast<Index>(ids_.size()), dim_);
  buffer_ = {};
}

template <class T>
const Mat<T>& WordBags<T>::weights() const {
  require(finished_, "WordBags", "finish() must be called before the bags are encoded");
  return weights_;
}

template <class T>
Var<T> attention_bags(const attention::AttentionPooling<T>& pool, const Var<T>& table, const WordBags<T>& bags,
                      Var<T>* weights) {
  const Index n = static_cast<Index>(bags.ids().size()), k = bags.bags(), d = table.cols();
  require(pool.dim() == d, "attention_bags", "pooling of dim " + std::to_string(pool.dim()) + " for table " + table.shape());
  if (n == 0) {
    if (weights) *weights = constant<T>(Mat<T>::Zero(k, 0));
    return constant<T>(Mat<T>::Zero(k, d));
  }
  const Var<T> x = gather_rows(table, bags.ids());                  // [n x d]
  Var<T> s = pool.score().scores(pool.query, x);                     // [1 x d], [n x d] -> [1 x n]
  Mat<T> mask = Mat<T>::Ones(k, n), valid = Mat<T>::Ones(k, 1);
  bool any_empty = false;
  for (Index b = 0; b < k; ++b) {
    const int lo = bags.offsets()[static_cast<size_t>(b)], hi = bags.offsets()[static_cast<size_t>(b) + 1];
    if (lo == hi) {          // empty bag: unmasked here (no all -inf row), zeroed below
      mask.row(b).setZero();
      valid(b, 0) = 0;
      any_empty = true;
    } else {
      mask.row(b).segment(lo, hi - lo).setZero();
    }
  }
  if (k > 1) s = add(s, constant<T>(Mat<T>::Zero(k, n)));           // [1 x n] -> [k x n]
  Var<T> a = softmax(masked_fill(s, mask, -std::numeric_limits<T>::infinity()));  // [k x n]
  if (any_empty) a = mul(a, constant<T>(std::move(valid)));          // [k x n] * [k x 1]
  if (weights) *weights = a;
  return matmul(a, x);                                               // [k x n][n x d] -> [k x d]
}

// ---- MemN2N --------------------------------------------------------------------------------

template <class T>
MemN2N<T>::MemN2N(const MemN2NOptions& o, Rng& rng) : o_(o) {
  const char* where = "MemN2N";
  require(o.vocab >= 1, where, "vocab must be >= 1, got " + std::to_string(o.vocab));
  require(!o.answer_words.empty(), where, "needs at least one answer class");
  require(o.dim >= 1, where, "dim must be >= 1, got " + std::to_string(o.dim));
  require(o.hops >= 1, where, "hops must be >= 1, got " + std::to_string(o.hops));
  require(o.memory_size >= 1, where, "memory_size must be >= 1, got " + std::to_string(o.memory_size));
  require(o.random_noise >= 0 && o.random_noise <= 1, where, "random_noise must be in [0, 1], got " + num_str(o.random_noise));
  require(o.init_stddev > 0, where, "init_stddev must be > 0, got " + num_str(o.init_stddev));
  const Index d = o.dim;
  Index extra = 0;  // answers that are not words: rows after the vocabulary in the last output matrix
  for (size_t a = 0; a < o.answer_words.size(); ++a) {
    const int w = o.answer_words[a];
    require(w >= -1 && w < o.vocab, where,
            "answer " + std::to_string(a) + " has word id " + std::to_string(w) + ", outside [-1, " + std::to_string(o.vocab) + ")");
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
  require(!story.empty(), "MemN2N", "the story has no sentences");
  MemoryReadout<T> r;
  r.slots = memory_layout(static_cast<Index>(story.size()), o_.memory_size, noise_rng ? o_.random_noise : 0.0, noise_rng);
  const Index n = static_cast<Index>(r.slots.size());
  const bool pe = o_.encoding == SentenceEncoding::pe;
  WordBags<T> memory_bags(o_.dim, pe), query_bag(o_.dim, pe);
  Index words = 0;
  for (int s : r.slots) words += s < 0 ? 0 : static_cast<Index>(story[static_cast<size_t>(s)].size());
  memory_bags.reserve(words, n);
  for (int s : r.slots) {
    if (s < 0) memory_bags.add_empty();
    else memory_bags.add(story[static_cast<size_t>(s)]);
  }
  query_bag.add(query);
  memory_bags.finish();
  query_bag.finish();
  std::vector<int> recency(static_cast<size_t>(n));
  for (Index i = 0; i < n; ++i) recency[static_cast<size_t>(i)] = static_cast<int>(n - 1 - i);

  std::vector<Var<T>> memories(tables_.size());  // built on first use, each once
  const auto memory = [&](int t) -> const Var<T>& {
    Var<T>& m = memories[static_cast<size_t>(t)];
    if (!m.defined()) {
      m = encode(t, memory_bags);                                        // [n x d]
      if (o_.temporal) m = add(m, gather_rows(temporal_[static_cast<size_t>(t)], recency));
    }
    return m;
  };
  const bool adjacent = o_.tying == WeightTying::adjacent;
  Var<T> u = encode(query_table_, query_bag);                            // [1 x d]
  for (int k = 1; k <= o_.hops; ++k) {
    const int in = adjacent ? k - 1 : 0, out = adjacent ? k : 1;
    const Var<T> s = matmul_nt(u, memory(in));                           // [1 x d][n x d]^T -> [1 x n]
    const Var<T> p = linear_ ? s : softmax(s);                           // [1 x n]
    const Var<T> o = matmul(p, memory(out));                             // [1 x n][n x d] -> [1 x d]
    u = adjacent ? add(u, o) : add(matmul(u, H_), o);                    // [1 x d]
    r.attention.push_back(p);
  }
  const Var<T> answer_vectors = o_.tied_answers
      ? gather_rows(tables_[static_cast<size_t>(last_output_table_)], answer_rows_)  // [answers x d]
      : W_;
  r.logits = matmul_nt(u, answer_vectors);                               // [1 x answers]
  return r;
}

template Mat<float> position_encoding<float>(Index, Index);
template Mat<double> position_encoding<double>(Index, Index);
template class WordBags<float>;
template class WordBags<double>;
template Var<float> attention_bags(const attention::AttentionPooling<float>&, const Var<float>&, const WordBags<float>&,
                                   Var<float>*);
template Var<double> attention_bags(const attention::AttentionPooling<double>&, const Var<double>&,
                                    const WordBags<double>&, Var<double>*);
template class MemN2N<float>;
template class MemN2N<double>;

}  // namespace engram::networks
