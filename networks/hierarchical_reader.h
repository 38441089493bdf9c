// engram/networks/hierarchical_reader.h — the attention library's hierarchical form (words ->
// sentences -> document, attention::HierarchicalAttention) as a story reader: a query-
// independent baseline of what attention without memory hops reads from a story.
//
//   e_ij = E[x_ij]                        word embeddings [n_i x d]
//   (document, sentence weights) = HierarchicalAttention(e_1 .. e_k)   learned queries, no question
//   q = sum_j E[q_j]                      the question's bag of words [1 x d]
//   logits = Linear([document; q])        [1 x answers]
// Empty sentences hold no memory; a story of only empty sentences reads a zero document.
// CONTRACT: networks/story_reader.h; attention is one [1 x memories] (the sentence weights).
#pragma once

#include "attention/pooling.h"
#include "core/layers.h"
#include "core/options.h"
#include "networks/story_reader.h"

#include <string>

namespace engram::networks {

struct HierarchicalReaderOptions {
  Index vocab = 0;
  Index answers = 0;
  Index dim = 32;
  std::string score = "dot";  // the score of both attention levels, and its options
  Options score_options;
};

template <class T>
class HierarchicalReader : public StoryReader<T> {
 public:
  HierarchicalReader(const HierarchicalReaderOptions& o, Rng& rng);
  MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                           Rng* rng = nullptr) const override;

 private:
  Embedding<T> embed_;
  attention::HierarchicalAttention<T> han_;
  Linear<T> out_;
};

}  // namespace engram::networks
