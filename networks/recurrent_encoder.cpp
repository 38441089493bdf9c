#include "networks/recurrent_encoder.h"

#include <algorithm>

namespace engram::networks {

template <class T>
RecurrentEncoder<T>::RecurrentEncoder(std::unique_ptr<Controller<T>> forward, std::unique_ptr<Controller<T>> backward)
    : forward_(std::move(forward)), backward_(std::move(backward)) {
  require(forward_ != nullptr, "RecurrentEncoder", "needs a forward controller");
  if (backward_ && backward_->input_size() != forward_->input_size())
    require_lazy(false, "RecurrentEncoder", [&] {
      return "the backward controller reads " + std::to_string(backward_->input_size()) + " columns, the forward one " +
          std::to_string(forward_->input_size());
    });
  this->add_module("forward", *forward_);
  if (backward_) this->add_module("backward", *backward_);
}

template <class T>
Index RecurrentEncoder<T>::output_size() const {
  return forward_->output_size() + (backward_ ? backward_->output_size() : 0);
}

template <class T>
EncodedSequence<T> RecurrentEncoder<T>::encode(const Var<T>& x) const {
  const Index steps = x.rows();
  require_lazy(steps >= 1 && x.cols() == input_size(), "RecurrentEncoder", [&] {
    return "input " + x.shape() + " must be [T x " + std::to_string(input_size()) + "], T >= 1";
  });
  const auto run = [&](const Controller<T>& c, bool reversed, ControllerState<T>& final_state) {
    std::vector<Var<T>> ys(static_cast<size_t>(steps));
    ControllerState<T> s = c.initial_state();
    for (Index k = 0; k < steps; ++k) {
      const Index t = reversed ? steps - 1 - k : k;
      auto [y, next] = c.step(slice_rows(x, t, 1), s);
      ys[static_cast<size_t>(t)] = std::move(y);
      s = std::move(next);
    }
    final_state = std::move(s);
    return concat(ys, 0);  // [T x H], row t at position t
  };
  EncodedSequence<T> out;
  const Var<T> fwd = run(*forward_, false, out.final_forward);
  if (!backward_) {
    out.states = fwd;
    return out;
  }
  const Var<T> bwd = run(*backward_, true, out.final_backward);
  out.states = concat<T>({fwd, bwd}, 1);
  return out;
}

template <class T>
std::unique_ptr<Controller<T>> make_decoder_for(const Options& encoder, Index input, Rng& rng) {
  Options rest;  // the controller's own options
  for (const auto& key : encoder.keys())
    if (key != "name" && key != "bidirectional") rest.set(key, encoder.string(key, ""));
  return make_controller<T>(encoder.string("name", "lstm"), ControllerShape{input}, rest, rng);
}

template <class T>
std::unique_ptr<RecurrentEncoder<T>> make_recurrent_encoder(Options opt, Index input, Rng& rng) {
  const bool both = opt.boolean("bidirectional", false);
  auto forward = make_decoder_for<T>(opt, input, rng);
  std::unique_ptr<Controller<T>> backward;
  if (both) backward = make_decoder_for<T>(opt, input, rng);
  return std::make_unique<RecurrentEncoder<T>>(std::move(forward), std::move(backward));
}

template class RecurrentEncoder<float>;
template class RecurrentEncoder<double>;
template std::unique_ptr<RecurrentEncoder<float>> make_recurrent_encoder<float>(Options, Index, Rng&);
template std::unique_ptr<RecurrentEncoder<double>> make_recurrent_encoder<double>(Options, Index, Rng&);
template std::unique_ptr<Controller<float>> make_decoder_for<float>(const Options&, Index, Rng&);
template std::unique_ptr<Controller<double>> make_decoder_for<double>(const Options&, Index, Rng&);

}  // namespace engram::networks
