// engram/networks/entnet.h — the recurrent entity network (EntNet, Henaff et al. 2017): a story
// read sentence by sentence into M memory blocks, each a gated recurrent cell with a learned key,
// all updated in parallel at every sentence; the question reads the blocks by attention.
//
//   (X, q) = StoryEncoder(story, query)                  X [S x d], q [1 x d]
//   h_j <- w_j (the block's key) before the first sentence; then for each sentence s_t:
//     g_j  = sigmoid(s_t . h_j + s_t . w_j)               the block's gate: its content or its key matches
//     h~_j = phi(h_j U + w_j V + s_t W)                   the candidate (U, V, W [d x d])
//     h_j <- h_j + g_j h~_j,  then h_j <- h_j / ||h_j||   (forgetting by normalisation)
//   p = softmax(q H^T) [1 x M],  u = p H,  logits = phi(q + u Hout) R
// phi is a PReLU with one learned slope a (phi(x) = max(x, 0) + a min(x, 0)), starting at
// prelu_init. Henaff et al. encode sentences with a learned multiplicative position mask; here the
// shared story encoder's fixed position encoding (pe) or bag of words, plus its temporal encoding
// when `temporal` (the recurrence already sees the order).
// CONTRACT: networks/story_reader.h; attention is empty (p is over blocks, not sentences; read it
// with question_attention). state_size: M x d, whatever the story's length.
#pragma once

#include "core/layers.h"
#include "networks/story_encoder.h"
#include "networks/story_reader.h"

namespace engram::networks {

struct EntNetOptions {
  StoryEncoderOptions encoder;
  Index answers = 0;
  Index blocks = 20;        // M
  double prelu_init = 1.0;  // the PReLU's slope a for negative inputs at the start (1: linear)
};

template <class T>
class EntNet : public StoryReader<T> {
 public:
  // Throws std::invalid_argument for answers < 1 or blocks < 1.
  EntNet(const EntNetOptions& o, Rng& rng);
  MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                           Rng* rng = nullptr) const override;
  Index state_size(Index) const override { return o_.blocks * o_.encoder.dim; }
  // The blocks H [M x d] after reading the story (the keys for a story with no sentence).
  Mat<T> blocks(std::span<const std::vector<int>> story, std::span<const int> query) const;
  // p [1 x M]: the question's attention over the blocks.
  Mat<T> question_attention(std::span<const std::vector<int>> story, std::span<const int> query) const;

 private:
  Var<T> read(const Var<T>& sentences) const;  // H after the sentences [M x d]
  Var<T> phi(const Var<T>& x) const;
  EntNetOptions o_;
  StoryEncoder<T> encoder_;
  Var<T> keys_, slope_;
  Linear<T> u_, v_, w_, hout_, r_;
};

}  // namespace engram::networks
