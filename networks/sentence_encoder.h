// engram/networks/sentence_encoder.h — sentences of word ids as vectors: the one sentence
// encoder that every story reader shares (MemN2N, KV-MemNN, the controllers' readers, the
// Transformer, Hopfield and Hebbian readers of the memory comparison).
//
// Encodings enc(E, x) of a sentence x = (x_1 .. x_J) with embedding matrix E [V x d]:
//   bow        sum_j E[x_j]
//   pe         sum_j l_j * E[x_j], l_kj = (1 - j/J) - (k/d)(1 - 2j/J), j = 1..J words, k = 1..d dims
//              (Sukhbaatar et al. 2015, section 4.1)
//   attention  sum_j a_j E[x_j], a = softmax over the sentence's words of score(q_E, E[x_j]): an
//              attention::AttentionPooling with its learned query q_E and any registered score
// bow and pe are one embedding_bag node for all the sentences of a batch (core/ops.h); attention
// is a gather, a score, a segment softmax and a segment weighted sum, linear in the words.
#pragma once

#include "attention/pooling.h"
#include "core/ops.h"

#include <memory>
#include <span>
#include <vector>

namespace engram::networks {

enum class SentenceEncoding { bow, pe, attention };

// The position-encoding weights of a sentence of J words in d dims: [J x d], row j-1 = l_j.
template <class T>
Mat<T> position_encoding(Index words, Index dim);

// Sentences flattened for embedding_bag: bag b holds ids[offsets[b] .. offsets[b+1]), with the
// position-encoding weight of each word ([ids x dim]) or none (bag of words).
template <class T>
class WordBags {
 public:
  // length: the J of the position encoding; 0 = each sentence's own length, else a fixed J for
  // every sentence (a longer one uses its own), as the authors' code pads every sentence of a
  // task to its longest (the words' weights then depend on their position only).
  WordBags(Index dim, bool position_encoding, Index length = 0)
      : dim_(dim), length_(length), pe_(position_encoding), data_(std::make_shared<Bags<T>>()) {
    require(length >= 0, "WordBags", "length must be >= 0, got " + std::to_string(length));
    data_->offsets.push_back(0);
  }
  // One bag over `words`, leaving out position `skip` (-1: none); the other words keep their
  // positions within all of `words` for the position encoding (J = words.size(), or the fixed
  // length when that is larger).
  void add(std::span<const int> words, int skip = -1);
  void add_empty() {
    require(!finished_, "WordBags::add_empty", "called after finish()");
    data_->offsets.push_back(static_cast<int>(data_->ids.size()));
  }
  // Room for `words` ids in `bags` bags (saves reallocations; optional).
  void reserve(Index words, Index bags);
  // Ends the adding: builds the [ids x dim] weight matrix. Required before weights()/encode().
  void finish();
  Index bags() const { return static_cast<Index>(data_->offsets.size()) - 1; }
  const std::vector<int>& ids() const { return data_->ids; }
  const std::vector<int>& offsets() const { return data_->offsets; }
  // [ids x dim] position weights, or [0 x 0] for a bag of words.
  const Mat<T>& weights() const;
  // [bags x dim] = the bags through embedding_bag(table); every table encoded shares one copy
  // of the ids, offsets and weights.
  Var<T> encode(const Var<T>& table) const;

 private:
  Index dim_, length_;
  bool pe_, finished_ = false;
  std::shared_ptr<Bags<T>> data_;
  std::vector<T> buffer_;  // the weights, row after row, until finish()
};

// Attention pooling of every bag: X = table[ids] [N x d], s = pool's score(query, X) [1 x N],
// a = the softmax of s within each bag [N x 1] (segment_softmax), out = each bag's a-weighted sum
// of its rows of X [bags x d] (segment_weighted_sum). Linear in N; empty bags give zero rows.
// `weights`, when non-null, receives a [N x 1] (word i's weight within its bag).
template <class T>
Var<T> attention_bags(const attention::AttentionPooling<T>& pool, const Var<T>& table, const WordBags<T>& bags,
                      Var<T>* weights = nullptr);

}  // namespace engram::networks
