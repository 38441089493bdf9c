// engram/networks/memory_augmented.h — a controller with an external memory: the Neural Turing
// Machine (Graves et al. 2014), the Differentiable Neural Computer (Graves et al. 2016) and the
// least-recently-used memory-augmented network (Santoro et al. 2016) are one network whose
// memory is configured differently (memory::preset("ntm" / "dnc" / "lru", ...), or any head
// pipelines of registered addressing stages).
//
//   per step t, with r_{-1} = 0 [1 x R W]:
//     (h_t, s_t) = controller.step([x_t, r_{t-1}], s_{t-1})     [1 x (input + R W)] -> [1 x H]
//     xi_t = h_t V + c                                            interface [1 x interface_size]
//     r_t = memory.step(state, xi_t)                              write, then read: [1 x R W]
//     f_t = [h_t, r_t]                                            [1 x (H + R W)]
//   logits = [f_0; ..; f_{T-1}] U + b                             [T x output], one matmul
// xi_t is raw: the memory splits it per head and applies each value's activation
// (memory/interface.h). The controller is any registered one (networks/controller.h), built for
// input size controller_input(memory, input).
//
//   memory::MemoryConfig mc = memory::preset("ntm", {128, 20});
//   auto controller = make_controller<float>("lstm", {MemoryAugmented<float>::controller_input(mc, 9)},
//                                            Options().set("hidden", 100.0), rng);
//   MemoryAugmented<float> ntm(std::move(controller), mc, 9, 8, rng);
//   Var<float> z = ntm.logits(episode_input);         // [T x 8]
//
// CONTRACT. forward(input): input [T x input], T >= 1 -> [T x output], differentiable in the
// input, the controller's, the memory's and the two linear layers' parameters (every step
// back-propagates through the memory state, BPTT). step(x, s): x [B x input] -> f_t, advances s
// (B sequences of a state made by initial_state(B)).
// Const and thread-safe: every call builds its own graph from its own state; one state per
// sequence. Throws std::invalid_argument naming the shapes for wrong inputs.
#pragma once

#include "memory/external_memory.h"

#include <map>
#include "memory/presets.h"
#include "networks/controller.h"

#include <memory>
#include <vector>

namespace engram::networks {

// The state between steps of one sequence.
template <class T>
struct MemoryAugmentedState {
  ControllerState<T> controller;
  memory::MemoryState<T> memory;
  Var<T> reads;  // r_{t-1}: [B x R W]
};

// The weightings of one sequence over time, for heat maps: row t is step t.
template <class T>
struct MemoryTrace {
  std::vector<Mat<T>> read_weights;   // per read head [T x N]
  std::vector<Mat<T>> write_weights;  // per write head [T x N]
  // what the memory's trackers show (Tracker::inspect), by name: "usage" (DNC usage u_t),
  // "lru_usage" (LRU usage w^u_t), ... [T x N] each
  std::map<std::string, Mat<T>> tracked;
};

template <class T>
class MemoryAugmented : public Module<T> {
 public:
  // controller: its input_size() must be controller_input(memory, input). Throws
  // std::invalid_argument naming the sizes, or what is wrong with the memory config.
  MemoryAugmented(std::unique_ptr<Controller<T>> controller, const memory::MemoryConfig& memory, Index input,
                  Index output, Rng& rng);

  // input + R W: what the controller reads each step.
  static Index controller_input(const memory::MemoryConfig& memory, Index input);

  // The state of `batch` sequences advanced together (batch > 1 needs memory().batches()).
  MemoryAugmentedState<T> initial_state(Index batch = 1) const;
  // x: [B x input] (B the state's sequences) -> f_t = [h_t, r_t] [B x feature_size()]; advances s.
  Var<T> step(const Var<T>& x, MemoryAugmentedState<T>& s) const;
  // input: [T x input] -> logits [T x output]. trace: filled with the weightings when non-null.
  Var<T> forward(const Var<T>& input, MemoryTrace<T>* trace = nullptr) const;
  Var<T> logits(const Mat<T>& input, MemoryTrace<T>* trace = nullptr) const {
    return forward(constant<T>(input), trace);
  }
  // B sequences in one graph (memory().batches() must hold when B > 1): inputs[b] [T_b x input],
  // T_b >= 1 -> logits [T_b x output] each, the same as logits(*inputs[b]) up to rounding. Every
  // step is one row per sequence (a sequence shorter than the longest reads zeros after its end,
  // which only its own discarded rows see), so the controller's products are [B x ...] GEMMs and
  // each graph node serves all B.
  std::vector<Var<T>> logits_batch(const std::vector<const Mat<T>*>& inputs) const;

  Index input_size() const { return input_; }
  Index output_size() const { return out_.out_features(); }
  Index feature_size() const { return controller_->output_size() + memory_.read_size(); }
  const Controller<T>& controller() const { return *controller_; }
  const memory::ExternalMemory<T>& memory() const { return memory_; }

 private:
  Index input_;
  std::unique_ptr<Controller<T>> controller_;
  memory::ExternalMemory<T> memory_;
  Linear<T> to_interface_;
  Linear<T> out_;
};

}  // namespace engram::networks
