// engram/networks/attention_sum_reader.h — the Attention-Sum Reader (Kadlec, Schmid, Bajgar &
// Kleindienst 2016): a pointer network for reading comprehension. The answer is pointed at among
// the story's words, and the attention of every occurrence of a word is summed:
//
//   e      = E[story words, all sentences in order]       [n x d]
//   h      = biGRU(e)                                      [n x 2H]  (any registered cell)
//   q      = [final forward | final backward] of biGRU'(E[query])   [1 x 2H]
//   a      = softmax(q h^T)                                [1 x n]
//   P(w)   = sum of a_i over the positions i holding word w
//   logits = log(P(word of answer c) + 1e-6) per answer class c   [1 x answers]
// An answer class whose text is not one word of the vocabulary ("n,s", or a word never seen in a
// story) gets P = 0: the reader cannot point at it (the model's known limit: answers must occur
// in the story). A story without words gives equal logits.
// Memories are the story's words: attention [1 x n], slots[i] = the sentence of word i.
#pragma once

#include "core/layers.h"
#include "networks/recurrent_encoder.h"
#include "networks/story_reader.h"

#include <memory>

namespace engram::networks {

struct AttentionSumOptions {
  Index vocab = 0;                 // word ids in [0, vocab)
  Index dim = 64;                  // word embeddings
  Options encoder;                 // make_recurrent_encoder's options (bidirectional forced on)
  std::vector<int> answer_words;   // per answer class: its word id, or -1
};

template <class T>
class AttentionSumReader : public StoryReader<T> {
 public:
  AttentionSumReader(const AttentionSumOptions& o, Rng& rng);
  MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                           Rng* rng = nullptr) const override;
  // The encoder states of every word: words x 2H; taken as 6 words per sentence when asked by
  // sentences (the generated bAbI task-1 statements have 4-6).
  Index state_size(Index sentences) const override { return sentences * 6 * doc_->output_size(); }

 private:
  AttentionSumOptions o_;
  Embedding<T> embed_;
  std::unique_ptr<RecurrentEncoder<T>> doc_, query_;
};

}  // namespace engram::networks
