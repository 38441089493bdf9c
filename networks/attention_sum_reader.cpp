#include "networks/attention_sum_reader.h"

namespace engram::networks {

namespace {

Options bidirectional(Options o) {
  o.set("bidirectional", "true");
  return o;
}

}  // namespace

template <class T>
AttentionSumReader<T>::AttentionSumReader(const AttentionSumOptions& o, Rng& rng)
    : o_(o), embed_((require(o.vocab >= 1 && o.dim >= 1, "AttentionSumReader", "needs vocab and dim >= 1"), o.vocab), o.dim, rng) {
  require(!o.answer_words.empty(), "AttentionSumReader", "needs at least one answer class");
  for (int w : o.answer_words)
    require(w >= -1 && w < o.vocab, "AttentionSumReader", "answer word " + std::to_string(w) + " is outside the vocabulary");
  doc_ = make_recurrent_encoder<T>(bidirectional(o.encoder), o.dim, rng);
  query_ = make_recurrent_encoder<T>(bidirectional(o.encoder), o.dim, rng);
  this->add_module("embed", embed_);
  this->add_module("document", *doc_);
  this->add_module("query", *query_);
}

template <class T>
MemoryReadout<T> AttentionSumReader<T>::forward(std::span<const std::vector<int>> story, std::span<const int> query,
                                                Rng*) const {
  require(!story.empty(), "AttentionSumReader", "needs a story of at least one sentence");
  const Index answers = static_cast<Index>(o_.answer_words.size());
  std::vector<int> words, slots;
  for (size_t s = 0; s < story.size(); ++s)
    for (int w : story[s]) words.push_back(w), slots.push_back(static_cast<int>(s));
  MemoryReadout<T> out;
  if (words.empty() || query.empty()) {
    out.logits = Var<T>(Mat<T>::Zero(1, answers), false);
    return out;
  }
  for (int w : words)
    require_lazy(w >= 0 && w < o_.vocab, "AttentionSumReader", [&] { return "word id " + std::to_string(w) + " is outside the vocabulary"; });
  const Var<T> h = doc_->encode(embed_(words)).states;                                  // [n x 2H]
  // the query: the forward direction after its last word, the backward one after its first
  // (from the states, so a cell that carries no state, such as feedforward, works too)
  const Var<T> qs = query_->encode(embed_(std::vector<int>(query.begin(), query.end()))).states;  // [m x 2H]
  const Index half = query_->forward().output_size();
  const Var<T> q = concat<T>({slice_cols(slice_rows(qs, qs.rows() - 1, 1), 0, half), slice_cols(slice_rows(qs, 0, 1), half, half)}, 1);
  const Var<T> a = softmax(matmul(q, transpose(h)));                                     // [1 x n]
  Mat<T> pick = Mat<T>::Zero(static_cast<Index>(words.size()), answers);                 // word i holds answer c
  for (size_t i = 0; i < words.size(); ++i)
    for (Index c = 0; c < answers; ++c)
      if (o_.answer_words[static_cast<size_t>(c)] == words[i]) pick(static_cast<Index>(i), c) = 1;
  out.logits = log(add_scalar(matmul(a, constant<T>(std::move(pick))), T(1e-6)));
  out.attention = {a};
  out.slots = std::move(slots);
  return out;
}

template class AttentionSumReader<float>;
template class AttentionSumReader<double>;

}  // namespace engram::networks
