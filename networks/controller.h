// engram/networks/controller.h — the controllers of the memory-augmented networks (NTM, DNC,
// and the lstm_seq baseline): a network that reads one input row per time step, emits one
// output row and carries a state from step to step.
//
// CONTRACT for a Controller<T> (what a new controller implements):
//   initial_state(B): the state before the first step of B sequences advanced together (zeros,
//                     or learned parameters, one row per sequence; B = 1 by default).
//   step(x, s):       x: [B x input] (the `input` of its ControllerShape), s: a state this
//                     controller made for B sequences (initial_state(B) or an earlier step's) ->
//                     (output [B x output_size()], next state); row b depends on row b only.
//   - Differentiable in x, in the state and in the controller's own parameters.
//   - Throws std::invalid_argument naming the shapes for an x of any other shape.
//   - Const and thread-safe: the examples of a batch step concurrently, each with its own state.
// Registering: a class template C<T> with a constructor (const ControllerShape&, const Options&,
// Rng&) that reads its options and calls opt.finish(...), then
//   ENGRAM_REGISTER_CONTROLLER("lstm", "...", LstmController);
// A model builds one from its config section with
//   build_component(cfg.section("controller"), networks::controllers<float>(), ControllerShape{in}, rng, "lstm")
//
// Registered:
//   lstm         hidden: 100, layers: 1, forget_bias: 1, learn_initial: false
//                A stack of LstmCell layers; layer k > 0 reads layer k-1's h; the output is
//                the top layer's h. learn_initial: h0 and c0 of every layer are parameters
//                ("h0.k", "c0.k", zero at start) instead of zeros.
//   gru          hidden: 100, layers: 1, learn_initial: false
//                A stack of GruCell layers, as lstm (the state: one h per layer, no c).
//   feedforward  hidden: 100, layers: 1, activation: tanh | relu
//                `layers` Linear + activation layers; the state carries nothing, so the output
//                depends on the current input only (the NTM feed-forward controller, whose
//                memory is all in the external memory).
#pragma once

#include "core/component.h"
#include "core/layers.h"

#include <memory>
#include <utility>
#include <vector>

namespace engram::networks {

// The state between steps. LSTM: h and c per layer, each [B x hidden]; GRU: h per layer;
// feed-forward: empty.
template <class T>
struct ControllerState {
  std::vector<Var<T>> h;
  std::vector<Var<T>> c;
};

struct ControllerShape {
  Index input = 0;  // columns of the x fed to every step
};

template <class T>
class Controller : public Module<T> {
 public:
  virtual ControllerState<T> initial_state(Index batch = 1) const = 0;
  virtual std::pair<Var<T>, ControllerState<T>> step(const Var<T>& x, const ControllerState<T>& s) const = 0;
  virtual Index input_size() const = 0;
  virtual Index output_size() const = 0;
};

template <class T>
using ControllerFactory = ComponentFactory<Controller<T>, ControllerShape>;

template <class T>
Registry<ControllerFactory<T>>& controllers();

// Builds a registered controller by name.
template <class T>
std::unique_ptr<Controller<T>> make_controller(const std::string& name, const ControllerShape& shape,
                                               const Options& opt, Rng& rng) {
  return controllers<T>().get(name)(shape, opt, rng);
}

#define ENGRAM_REGISTER_CONTROLLER(NAME, DESCRIPTION, CLASS)                                            \
  [[maybe_unused]] static const bool engram_controller_registered_##CLASS = ::engram::register_component<CLASS>( \
      ::engram::networks::controllers<float>(), ::engram::networks::controllers<double>(), NAME, DESCRIPTION)

// One LSTM layer (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000; no
// peepholes), for x: [n x input], h, c: [n x hidden]:
//   z  = [x, h] W + b                            [n x 4H]   gate blocks in the order i, f, o, g
//   i = sigmoid(z_i)  f = sigmoid(z_f)  o = sigmoid(z_o)  g = tanh(z_g)
//   c' = f * c + i * g                           [n x H]
//   h' = o * tanh(c')                            [n x H]
// Six nodes per step: concat, matmul, bias add, the fused core op lstm_cell (the gates'
// nonlinearities and the cell update) and two column slices for h' and c' (bench/networks/
// bench_controller times it against the same equations from elementwise ops).
// W: [(input + H) x 4H], each gate's [(input + H) x H] block Xavier-uniform; b: zeros except the
// forget block, `forget_bias` (1: the cell remembers by default at the start of training).
template <class T>
class LstmCell : public Module<T> {
 public:
  LstmCell(Index input, Index hidden, Rng& rng, T forget_bias = T(1));
  // -> (h', c')
  std::pair<Var<T>, Var<T>> operator()(const Var<T>& x, const Var<T>& h, const Var<T>& c) const;
  Index input_size() const { return weight.rows() - hidden_; }
  Index hidden_size() const { return hidden_; }
  Var<T> weight, bias;

 private:
  Index hidden_;
};

template <class T>
class LstmController : public Controller<T> {
 public:
  LstmController(const ControllerShape& shape, const Options& opt, Rng& rng);
  ControllerState<T> initial_state(Index batch = 1) const override;
  std::pair<Var<T>, ControllerState<T>> step(const Var<T>& x, const ControllerState<T>& s) const override;
  Index input_size() const override { return input_; }
  Index output_size() const override { return hidden_; }
  const LstmCell<T>& layer(size_t k) const { return *layers_[k]; }
  size_t num_layers() const { return layers_.size(); }

 private:
  Index input_, hidden_;
  std::vector<std::unique_ptr<LstmCell<T>>> layers_;
  std::vector<Var<T>> h0_, c0_;  // learned initial state (learn_initial), else empty
};

// One GRU layer (Cho et al. 2014; the reset gate applied after the hidden product, as cuDNN and
// PyTorch compute it, so the two products run on x and h separately), for x: [n x input],
// h: [n x hidden]:
//   xz = x W_x + b_x,  hz = h W_h + b_h          [n x 3H]   blocks in the order r, z, n
//   h' = gru_cell(xz, hz, h)                     (core/ops.h: the gates and the update, one node)
// W_x: [input x 3H], W_h: [H x 3H], each gate block Xavier-uniform; b_x, b_h: zeros.
template <class T>
class GruCell : public Module<T> {
 public:
  GruCell(Index input, Index hidden, Rng& rng);
  Var<T> operator()(const Var<T>& x, const Var<T>& h) const;  // -> h'
  Index input_size() const { return weight_x.rows(); }
  Index hidden_size() const { return weight_h.rows(); }
  Var<T> weight_x, weight_h, bias_x, bias_h;
};

template <class T>
class GruController : public Controller<T> {
 public:
  GruController(const ControllerShape& shape, const Options& opt, Rng& rng);
  ControllerState<T> initial_state(Index batch = 1) const override;
  std::pair<Var<T>, ControllerState<T>> step(const Var<T>& x, const ControllerState<T>& s) const override;
  Index input_size() const override { return input_; }
  Index output_size() const override { return hidden_; }
  const GruCell<T>& layer(size_t k) const { return *layers_[k]; }

 private:
  Index input_, hidden_;
  std::vector<std::unique_ptr<GruCell<T>>> layers_;
  std::vector<Var<T>> h0_;  // learned initial state (learn_initial), else empty
};

template <class T>
class FeedForwardController : public Controller<T> {
 public:
  FeedForwardController(const ControllerShape& shape, const Options& opt, Rng& rng);
  ControllerState<T> initial_state(Index = 1) const override { return {}; }
  std::pair<Var<T>, ControllerState<T>> step(const Var<T>& x, const ControllerState<T>& s) const override;
  Index input_size() const override { return input_; }
  Index output_size() const override { return hidden_; }

 private:
  Index input_, hidden_;
  bool relu_;
  std::vector<std::unique_ptr<Linear<T>>> layers_;
};

}  // namespace engram::networks
