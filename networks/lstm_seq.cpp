#include "networks/lstm_seq.h"

namespace engram::networks {

template <class T>
LstmSeq<T>::LstmSeq(std::unique_ptr<Controller<T>> controller, Index output, Rng& rng)
    : controller_(std::move(controller)), out_(controller_->output_size(), output, rng) {
  this->add_module("controller", *controller_);
  this->add_module("out", out_);
}

template <class T>
Var<T> LstmSeq<T>::logits(const Mat<T>& input) const {
  require_lazy(input.rows() >= 1 && input.cols() == controller_->input_size(), "LstmSeq", [&] {
    return "input " + shape_str(input) + " must be [T x " + std::to_string(controller_->input_size()) + "], T >= 1";
  });
  ControllerState<T> s = controller_->initial_state();
  std::vector<Var<T>> ys;
  ys.reserve(static_cast<size_t>(input.rows()));
  for (Index t = 0; t < input.rows(); ++t) {
    auto [y, next] = controller_->step(constant<T>(input.row(t)), s);  // x_t: [1 x in]
    ys.push_back(std::move(y));
    s = std::move(next);
  }
  return out_(concat(ys, 0));  // [T x hidden] -> [T x output]
}

template class LstmSeq<float>;
template class LstmSeq<double>;

}  // namespace engram::networks
