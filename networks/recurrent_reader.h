// engram/networks/recurrent_reader.h — a story read sentence by sentence by a recurrent network:
// the LSTM baseline of the memory comparison, and the NTM, DNC and LRU-MANN readers (a
// controller with an external memory, networks/memory_augmented.h, with any addressing
// pipelines: the prototyping row of a comparison).
//
//   (X, q) = StoryEncoder(story, query)              X [S x d], q [1 x d] (networks/story_encoder.h)
//   query end (the default):  u_t = [X_t, 0] for t < S, u_S = [q, 1]          [S + 1 x (d + 1)]
//   query every_step:          u_t = [X_t, q, 0] for t < S, u_S = [0, q, 1]    [S + 1 x (2d + 1)]
//   (the flag marks the question step; with every_step the reader knows the question while it
//   reads, so it can keep what the question needs instead of all it reads: the form that lets a
//   recurrent reader learn task 1 from a 1k file, docs/babi.md)
//   controller only:   h_t = controller.step(u_t, s_{t-1});  logits = h_S W + b
//   with a memory:     logits = MemoryAugmented(u)[S]  (its output layer over [h_S, r_S])
// A story with no non-empty sentence is read as the question alone.
// CONTRACT: networks/story_reader.h; attention is empty (the memory's weightings are over slots,
// not sentences). state_size: the controller's state (LSTM: 2 x hidden per layer) plus N x W
// (and the read vectors) of the memory.
#pragma once

#include "memory/presets.h"
#include "networks/controller.h"
#include "networks/memory_augmented.h"
#include "networks/story_encoder.h"
#include "networks/story_reader.h"

#include <memory>
#include <optional>

namespace engram::networks {

// Where the question enters the recurrent reader's inputs (above).
enum class QueryInput { end, every_step };

template <class T>
class RecurrentReader : public StoryReader<T> {
 public:
  // The controller reads input_size(encoder.dim, query) columns without a memory,
  // MemoryAugmented<T>::controller_input(*memory, input_size(encoder.dim, query)) with one.
  RecurrentReader(const StoryEncoderOptions& encoder, Index answers, std::unique_ptr<Controller<T>> controller,
                  const std::optional<memory::MemoryConfig>& memory, Rng& rng, QueryInput query = QueryInput::end);
  static Index input_size(Index dim, QueryInput query = QueryInput::end) {
    return query == QueryInput::end ? dim + 1 : 2 * dim + 1;
  }

  MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                           Rng* rng = nullptr) const override;
  Index state_size(Index sentences) const override;

 private:
  StoryEncoder<T> encoder_;
  std::unique_ptr<Controller<T>> controller_;     // without a memory
  std::unique_ptr<MemoryAugmented<T>> mann_;      // with one
  std::unique_ptr<Linear<T>> out_;                // without a memory
  Index controller_state_ = 0;
  QueryInput query_ = QueryInput::end;
};

}  // namespace engram::networks
