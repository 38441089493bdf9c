// engram/networks/hopfield_reader.h — the modern-Hopfield reader of the memory comparison: the
// story's sentences stored as the patterns of a continuous modern Hopfield network (Ramsauer et
// al. 2020), the question the initial state, retrieval by K update steps.
//
//   (Y, q) = StoryEncoder(story, query)         Y [S x d] stored patterns, q [1 x d]
//   xi_0 = q;  p_k = softmax(beta xi_{k-1} Y^T) [1 x S];  xi_k = p_k Y      k = 1..K
//   logits = [xi_K, q] W + b
//   energy  E(xi) = -(1/beta) log sum_s exp(beta xi . Y_s) + 1/2 xi . xi   (constants dropped)
// beta is fixed (`beta`, > 0) or learned (beta = exp(b), b a parameter starting at log beta).
// For a fixed beta the update is the concave-convex procedure of E: E(xi_k) never increases
// (energies() reports E(xi_0) .. E(xi_K)).
// attention: p_1 .. p_K (one [1 x S] per step). state_size: the stored patterns, S x d. A story
// with no non-empty sentence retrieves xi_K = 0.
#pragma once

#include "core/layers.h"
#include "networks/story_encoder.h"
#include "networks/story_reader.h"

#include <algorithm>
#include <vector>

namespace engram::networks {

struct HopfieldReaderOptions {
  StoryEncoderOptions encoder;
  Index answers = 0;
  int steps = 1;             // K >= 1
  double beta = 1;           // > 0: fixed, or the start of the learned one
  bool learn_beta = true;
};

template <class T>
class HopfieldReader : public StoryReader<T> {
 public:
  HopfieldReader(const HopfieldReaderOptions& o, Rng& rng);
  MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                           Rng* rng = nullptr) const override;
  Index state_size(Index sentences) const override { return std::min(sentences, o_.encoder.memory_size) * o_.encoder.dim; }
  // E(xi_0) .. E(xi_K) of the retrieval of this question (K + 1 values; empty for an empty story).
  std::vector<T> energies(std::span<const std::vector<int>> story, std::span<const int> query) const;
  T beta() const;

 private:
  Var<T> beta_var() const;
  HopfieldReaderOptions o_;
  StoryEncoder<T> encoder_;
  Var<T> log_beta_;
  Linear<T> out_;
};

}  // namespace engram::networks
