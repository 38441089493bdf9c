// engram/networks/kv_memnn.h — the key-value memory network (Miller et al. 2016) over word-id
// stories (the input of networks/memn2n.h: sentences of word ids, oldest first, and a query).
//
// Memory slots are (key, value) pairs built from the story; one embedding matrix A encodes the
// query, the keys and the values (as in the paper), B holds one vector per answer class:
//   q_1 = enc(A, x)                        [1 x d]
//   k_i = enc(A, key_i) + T_K(i)           [slots x d]
//   v_i = enc(A, value_i) + T_V(i)         [slots x d]
//   p   = softmax(q_j k^T)                 [1 x slots]
//   o_j = p v                              [1 x d]
//   q_{j+1} = (q_j + o_j) R_j              R_j: [d x d] per hop (initialised to the identity)
//   logits = q_{H+1} B^T                   [1 x answers]
// enc is the bag of words or the position encoding of networks/memn2n.h (one embedding_bag
// node each). T_K, T_V (temporal: true) are learned by the recency of the slot's sentence.
// Keys (key_window w): the words of the sentence and of the w - 1 sentences before it, in story
// order (position encoding over the whole window).
// Values:
//   sentence   one slot per sentence: value = the sentence (the same encoding as the keys).
//   words      one slot per word of each sentence: value = that word's embedding, key = the key
//              window without that word (the other words keep their positions), so the slots of
//              one sentence differ by the word they leave out: "Mary went to the kitchen" gives
//              the slot (Mary went to the _ -> kitchen).
// All parameters are initialised N(0, init_stddev) except R_j.
//
// CONTRACT for forward(story, query): requires a non-empty story and ids in [0, vocab); keeps
// the last memory_size sentences. Ensures logits [1 x answers], one [1 x slots] softmax per hop
// and slots: the story sentence of each slot. Const and thread-safe.
#pragma once

#include "networks/memn2n.h"

namespace engram::networks {

enum class ValueMode { sentence, words };

struct KvMemNNOptions {
  Index vocab = 0;
  Index answers = 0;
  Index dim = 20;
  int hops = 2;
  SentenceEncoding encoding = SentenceEncoding::pe;  // bow | pe
  int key_window = 1;                                 // sentences per key (this one and the ones before)
  ValueMode values = ValueMode::sentence;
  bool temporal = true;
  Index memory_size = 50;
  double init_stddev = 0.1;
};

template <class T>
class KvMemNN : public StoryReader<T> {
 public:
  KvMemNN(const KvMemNNOptions& o, Rng& rng);
  // (no randomness: rng is unused)
  MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                           Rng* rng = nullptr) const override;
  const KvMemNNOptions& options() const { return o_; }

 private:
  KvMemNNOptions o_;
  Var<T> A_, B_, TK_, TV_;
  std::vector<Var<T>> R_;
};

}  // namespace engram::networks
