// engram/networks/recurrent_encoder.h — a sequence encoder over any registered recurrent
// controller (networks/controller.h: lstm, gru, ...), one way or both ways: what the encoders of
// seq2seq and pointer networks read their inputs with.
//
//   forward:        (y_t, s_{t+1}) = fwd.step(x_t, s_t)        t = 0 .. T-1
//   bidirectional:  the same with a second controller over t = T-1 .. 0, and
//                   states_t = [y_t(forward) | y_t(backward)]  [T x 2H]
//
// CONTRACT for encode(x): x [T x input], T >= 1 (std::invalid_argument naming the shapes
// otherwise) -> the states [T x output_size()], row t the encoding of position t, and the final
// controller states of each direction (the forward one after x_{T-1}, the backward one after
// x_0), to start a decoder from. Differentiable in x and in the parameters; const and
// thread-safe.
//
// Config (a model's encoder section): the controller's own keys (`name: gru`, `hidden`, ...)
// plus `bidirectional: true|false` (default false); make_recurrent_encoder reads it.
#pragma once

#include "networks/controller.h"

namespace engram::networks {

template <class T>
struct EncodedSequence {
  Var<T> states;                               // [T x output_size()]
  ControllerState<T> final_forward, final_backward;  // final_backward empty when one-way
};

template <class T>
class RecurrentEncoder : public Module<T> {
 public:
  // backward may be null (one-way); when given, its input size must match forward's.
  RecurrentEncoder(std::unique_ptr<Controller<T>> forward, std::unique_ptr<Controller<T>> backward);
  EncodedSequence<T> encode(const Var<T>& x) const;
  Index input_size() const { return forward_->input_size(); }
  Index output_size() const;
  bool bidirectional() const { return backward_ != nullptr; }
  const Controller<T>& forward() const { return *forward_; }
  const Controller<T>* backward() const { return backward_.get(); }  // null when one-way

 private:
  std::unique_ptr<Controller<T>> forward_, backward_;
};

// Builds the encoder from an options set: `name` (a registered controller, default `lstm`),
// `bidirectional` (default false), the rest the controller's own options (both directions get the
// same, with independent parameters).
template <class T>
std::unique_ptr<RecurrentEncoder<T>> make_recurrent_encoder(Options opt, Index input, Rng& rng);

// A controller of the encoder's kind with its options (all but `bidirectional`) reading `input`
// columns: the decoder of seq2seq and pointer networks, whose state the encoder's final state
// starts.
template <class T>
std::unique_ptr<Controller<T>> make_decoder_for(const Options& encoder, Index input, Rng& rng);

}  // namespace engram::networks
