#include "networks/sentence_encoder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

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
  const Index n = static_cast<Index>(words.size()), J = std::max(n, length_);
  const T* pe = pe_ && n > 0 ? position_rows<T>(J, dim_) : nullptr;  // l_j of 1-based word j: row j - 1
  for (Index j = 0; j < n; ++j) {
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


template Mat<float> position_encoding<float>(Index, Index);
template Mat<double> position_encoding<double>(Index, Index);
template class WordBags<float>;
template class WordBags<double>;
template Var<float> attention_bags(const attention::AttentionPooling<float>&, const Var<float>&, const WordBags<float>&,
                                   Var<float>*);
template Var<double> attention_bags(const attention::AttentionPooling<double>&, const Var<double>&,
                                    const WordBags<double>&, Var<double>*);

}  // namespace engram::networks
