// engram/networks/story_encoder.h — a story and its question as vectors: what every reader of
// the memory comparison that does not encode sentences its own way starts from (the recurrent
// controller/NTM/DNC readers, the Transformer, modern-Hopfield and Hebbian readers).
//
//   kept = the last memory_size non-empty sentences of the story (oldest first); slot i holds
//          story sentence slots[i]
//   X[i] = enc(E, sentence) + T[age_i]    [S x d], age_i = S - 1 - i (the newest sentence is 0):
//          the learned temporal encoding T [memory_size x d] (MemN2N's, Sukhbaatar et al. 2015)
//   q    = enc(E, query)                  [1 x d]
// enc is the shared sentence encoder (networks/sentence_encoder.h: bow or pe) with one
// embedding E [vocab x d] for story and question. A story whose sentences are all empty encodes
// to X of 0 rows; readers treat that as an empty memory.
// Parameters: embed [vocab x d], temporal [memory_size x d] (when temporal).
#pragma once

#include "core/module.h"
#include "networks/sentence_encoder.h"

#include <span>
#include <vector>

namespace engram::networks {

struct StoryEncoderOptions {
  Index vocab = 0;
  Index dim = 32;
  SentenceEncoding encoding = SentenceEncoding::pe;  // bow | pe
  bool temporal = true;
  Index memory_size = 50;   // sentences kept, the newest
  double init_stddev = 0.1;
};

template <class T>
struct EncodedStory {
  Var<T> sentences;        // [S x d], oldest first (S may be 0)
  Var<T> query;            // [1 x d]
  std::vector<int> slots;  // S: the story sentence of each row
};

template <class T>
class StoryEncoder : public Module<T> {
 public:
  // Throws std::invalid_argument for vocab < 1, dim < 1, memory_size < 1 or the attention encoding.
  StoryEncoder(const StoryEncoderOptions& o, Rng& rng);
  // Ids must be in [0, vocab) (std::invalid_argument naming the id otherwise).
  EncodedStory<T> encode(std::span<const std::vector<int>> story, std::span<const int> query) const;
  Index dim() const { return o_.dim; }
  Index memory_size() const { return o_.memory_size; }

 private:
  StoryEncoderOptions o_;
  Var<T> embed_, temporal_;
};

}  // namespace engram::networks
