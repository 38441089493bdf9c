// engram/networks/recurrent_reader.h — a story read sentence by sentence by a recurrent network:
// the LSTM baseline of the memory comparison, and the NTM, DNC and LRU-MANN readers (a
// controller with an external memory, networks/memory_augmented.h, with any addressing
// pipelines: the prototyping row of a comparison).
//
//   (X, q) = StoryEncoder(story, query)              X [S x d], q [1 x d] (networks/story_encoder.h)
//   inputs u_t = [X_t, 0] for t < S, u_S = [q, 1]     [S + 1 x (d + 1)]: the flag marks the question
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

template <class T>
class RecurrentReader : public StoryReader<T> {
 public:
  // The controller reads input_size(encoder.dim) columns without a memory,
  // MemoryAugmented<T>::controller_input(*memory, input_size(encoder.dim)) with one.
  RecurrentReader(const StoryEncoderOptions& encoder, Index answers, std::unique_ptr<Controller<T>> controller,
                  const std::optional<memory::MemoryConfig>& memory, Rng& rng);
  static Index input_size(Index dim) { return dim + 1; }

  MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                           Rng* rng = nullptr) const override;
  Index state_size(Index sentences) const override;

 private:
  StoryEncoder<T> encoder_;
  std::unique_ptr<Controller<T>> controller_;     // without a memory
  std::unique_ptr<MemoryAugmented<T>> mann_;      // with one
  std::unique_ptr<Linear<T>> out_;                // without a memory
  Index controller_state_ = 0;
};

}  // namespace engram::networks
