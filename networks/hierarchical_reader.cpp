#include "networks/hierarchical_reader.h"

#include "core/ops.h"

namespace engram::networks {

template <class T>
HierarchicalReader<T>::HierarchicalReader(const HierarchicalReaderOptions& o, Rng& rng)
    : embed_(o.vocab, o.dim, rng), han_(o.dim, o.dim, rng, o.score, o.score_options), out_(2 * o.dim, o.answers, rng) {
  this->add_module("embed", embed_);
  this->add_module("han", han_);
  this->add_module("out", out_);
}

template <class T>
MemoryReadout<T> HierarchicalReader<T>::forward(std::span<const std::vector<int>> story, std::span<const int> query,
                                                Rng*) const {
  std::vector<Var<T>> sentences;
  MemoryReadout<T> r;
  for (size_t i = 0; i < story.size(); ++i) {
    if (story[i].empty()) continue;
    sentences.push_back(embed_(story[i]));
    r.slots.push_back(static_cast<int>(i));
  }
  const Var<T> q = sum(embed_(std::vector<int>(query.begin(), query.end())), 0);  // [1 x d]
  if (sentences.empty()) {  // nothing to read: the document vector is zero
    r.logits = out_(concat<T>({constant<T>(Mat<T>::Zero(1, q.cols())), q}, 1));
    return r;
  }
  const attention::HierarchicalResult<T> h = han_(sentences);
  r.logits = out_(concat<T>({h.document, q}, 1));
  r.attention = {h.sentence_weights};
  return r;
}

template class HierarchicalReader<float>;
template class HierarchicalReader<double>;

}  // namespace engram::networks
