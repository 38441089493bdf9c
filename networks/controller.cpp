// The controller registry, the LSTM and GRU cells and the registered controllers.
#include "networks/controller.h"

#include "core/init.h"

#include <string>

namespace engram::networks {

template <class T>
Registry<ControllerFactory<T>>& controllers() {
  static Registry<ControllerFactory<T>> r("controller", "controllers", "recurrent or feed-forward controllers of memory-augmented models (model.controller)");
  return r;
}
template Registry<ControllerFactory<float>>& controllers<float>();
template Registry<ControllerFactory<double>>& controllers<double>();

namespace {

void check_step_input(const char* name, Index input, const Index rows, const Index cols) {
  if (rows < 1 || cols != input)
    require_lazy(false, name, [&] {
      return "step input " + shape_str(rows, cols) + " must be [B x " + std::to_string(input) + "], B >= 1";
    });
}

// The learned or zero initial rows of one layer, for `batch` sequences.
template <class T>
Var<T> initial_rows(const Var<T>& learned, Index hidden, Index batch) {
  require_lazy(batch >= 1, "controller", [&] { return "a state of " + std::to_string(batch) + " sequences"; });
  if (!learned.defined()) return constant<T>(Mat<T>::Zero(batch, hidden));  // immutable: safe to share
  return batch == 1 ? learned : concat(std::vector<Var<T>>(static_cast<size_t>(batch), learned), 0);
}

}  // namespace

// ---- LstmCell --------------------------------------------------------------------------------

template <class T>
LstmCell<T>::LstmCell(Index input, Index hidden, Rng& rng, T forget_bias) : hidden_(hidden) {
  require_lazy(input > 0 && hidden > 0, "LstmCell", [&] {
    return "sizes must be > 0, got input=" + std::to_string(input) + " hidden=" + std::to_string(hidden);
  });
  Mat<T> w(input + hidden, 4 * hidden);  // [(in + H) x 4H]
  for (Index gate = 0; gate < 4; ++gate) w.middleCols(gate * hidden, hidden) = init::xavier_uniform<T>(input + hidden, hidden, rng);
  Mat<T> b = Mat<T>::Zero(1, 4 * hidden);
  b.middleCols(hidden, hidden).setConstant(forget_bias);
  weight = this->add_parameter("weight", std::move(w));
  bias = this->add_parameter("bias", std::move(b));
}

template <class T>
std::pair<Var<T>, Var<T>> LstmCell<T>::operator()(const Var<T>& x, const Var<T>& h, const Var<T>& c) const {
  const Index in = input_size(), H = hidden_;
  if (x.cols() != in || h.cols() != H || c.cols() != H || h.rows() != x.rows() || c.rows() != x.rows())
    require_lazy(false, "LstmCell", [&] {
      return "x " + x.shape() + ", h " + h.shape() + ", c " + c.shape() + " must be [n x " +
          std::to_string(in) + "], [n x " + std::to_string(H) + "], [n x " +
          std::to_string(H) + "]";
    });
  const Var<T> z = add(matmul(concat<T>({x, h}, 1), weight), bias);  // [n x 4H]
  const Var<T> hc = lstm_cell(z, c);                                  // [n x 2H] = [h' | c']
  return {slice_cols(hc, 0, H), slice_cols(hc, H, H)};
}

// ---- LstmController ----------------------------------------------------------------------------

template <class T>
LstmController<T>::LstmController(const ControllerShape& shape, const Options& opt, Rng& rng) : input_(shape.input) {
  hidden_ = opt.integer("hidden", 100, 1, 1000000);
  const auto layers = opt.integer("layers", 1, 1, 64);
  const T forget_bias = static_cast<T>(opt.number("forget_bias", 1.0, -100, 100));
  const bool learn_initial = opt.boolean("learn_initial", false);
  opt.finish("controller 'lstm'");
  require_lazy(input_ > 0, "lstm controller", [&] {
    return "input size must be > 0, got " + std::to_string(input_);
  });
  for (long long k = 0; k < layers; ++k) {
    layers_.push_back(std::make_unique<LstmCell<T>>(k == 0 ? input_ : hidden_, hidden_, rng, forget_bias));
    this->add_module("layer" + std::to_string(k), *layers_.back());
  }
  if (learn_initial)
    for (long long k = 0; k < layers; ++k) {
      h0_.push_back(this->add_parameter("h0." + std::to_string(k), Mat<T>::Zero(1, hidden_)));
      c0_.push_back(this->add_parameter("c0." + std::to_string(k), Mat<T>::Zero(1, hidden_)));
    }
}

template <class T>
ControllerState<T> LstmController<T>::initial_state(Index batch) const {
  ControllerState<T> s;
  for (size_t k = 0; k < layers_.size(); ++k) {
    s.h.push_back(initial_rows(h0_.empty() ? Var<T>() : h0_[k], hidden_, batch));
    s.c.push_back(initial_rows(c0_.empty() ? Var<T>() : c0_[k], hidden_, batch));
  }
  return s;
}

template <class T>
std::pair<Var<T>, ControllerState<T>> LstmController<T>::step(const Var<T>& x, const ControllerState<T>& s) const {
  check_step_input("lstm controller", input_, x.rows(), x.cols());
  require_lazy(s.h.size() == layers_.size() && s.c.size() == layers_.size(), "lstm controller", [&] {
    return "the state has " + std::to_string(s.h.size()) + " h and " + std::to_string(s.c.size()) + " c for " +
        std::to_string(layers_.size()) + " layers (use initial_state())";
  });
  ControllerState<T> next;
  next.h.reserve(layers_.size());
  next.c.reserve(layers_.size());
  Var<T> in = x;
  for (size_t k = 0; k < layers_.size(); ++k) {
    auto [h, c] = (*layers_[k])(in, s.h[k], s.c[k]);
    next.h.push_back(h);
    next.c.push_back(c);
    in = h;
  }
  return {in, std::move(next)};
}

// ---- GruCell, GruController ---------------------------------------------------------------------

template <class T>
GruCell<T>::GruCell(Index input, Index hidden, Rng& rng) {
  require_lazy(input > 0 && hidden > 0, "GruCell", [&] {
    return "sizes must be > 0, got input=" + std::to_string(input) + " hidden=" + std::to_string(hidden);
  });
  Mat<T> wx(input, 3 * hidden), wh(hidden, 3 * hidden);
  for (Index gate = 0; gate < 3; ++gate) {
    wx.middleCols(gate * hidden, hidden) = init::xavier_uniform<T>(input, hidden, rng);
    wh.middleCols(gate * hidden, hidden) = init::xavier_uniform<T>(hidden, hidden, rng);
  }
  weight_x = this->add_parameter("weight_x", std::move(wx));
  weight_h = this->add_parameter("weight_h", std::move(wh));
  bias_x = this->add_parameter("bias_x", Mat<T>::Zero(1, 3 * hidden));
  bias_h = this->add_parameter("bias_h", Mat<T>::Zero(1, 3 * hidden));
}

template <class T>
Var<T> GruCell<T>::operator()(const Var<T>& x, const Var<T>& h) const {
  const Index in = input_size(), H = hidden_size();
  if (x.cols() != in || h.cols() != H || h.rows() != x.rows())
    require_lazy(false, "GruCell", [&] {
      return "x " + x.shape() + ", h " + h.shape() + " must be [n x " + std::to_string(in) + "], [n x " + std::to_string(H) + "]";
    });
  return gru_cell(add(matmul(x, weight_x), bias_x), add(matmul(h, weight_h), bias_h), h);
}

template <class T>
GruController<T>::GruController(const ControllerShape& shape, const Options& opt, Rng& rng) : input_(shape.input) {
  hidden_ = opt.integer("hidden", 100, 1, 1000000);
  const auto layers = opt.integer("layers", 1, 1, 64);
  const bool learn_initial = opt.boolean("learn_initial", false);
  opt.finish("controller 'gru'");
  require_lazy(input_ > 0, "gru controller", [&] {
    return "input size must be > 0, got " + std::to_string(input_);
  });
  for (long long k = 0; k < layers; ++k) {
    layers_.push_back(std::make_unique<GruCell<T>>(k == 0 ? input_ : hidden_, hidden_, rng));
    this->add_module("layer" + std::to_string(k), *layers_.back());
  }
  if (learn_initial)
    for (long long k = 0; k < layers; ++k) h0_.push_back(this->add_parameter("h0." + std::to_string(k), Mat<T>::Zero(1, hidden_)));
}

template <class T>
ControllerState<T> GruController<T>::initial_state(Index batch) const {
  ControllerState<T> s;
  for (size_t k = 0; k < layers_.size(); ++k) s.h.push_back(initial_rows(h0_.empty() ? Var<T>() : h0_[k], hidden_, batch));
  return s;
}

template <class T>
std::pair<Var<T>, ControllerState<T>> GruController<T>::step(const Var<T>& x, const ControllerState<T>& s) const {
  check_step_input("gru controller", input_, x.rows(), x.cols());
  require_lazy(s.h.size() == layers_.size(), "gru controller", [&] {
    return "the state has " + std::to_string(s.h.size()) + " h for " + std::to_string(layers_.size()) +
        " layers (use initial_state())";
  });
  ControllerState<T> next;
  next.h.reserve(layers_.size());
  Var<T> in = x;
  for (size_t k = 0; k < layers_.size(); ++k) {
    in = (*layers_[k])(in, s.h[k]);
    next.h.push_back(in);
  }
  return {in, std::move(next)};
}

// ---- FeedForwardController --------------------------------------------------------------------

template <class T>
FeedForwardController<T>::FeedForwardController(const ControllerShape& shape, const Options& opt, Rng& rng)
    : input_(shape.input) {
  hidden_ = opt.integer("hidden", 100, 1, 1000000);
  const auto layers = opt.integer("layers", 1, 1, 64);
  relu_ = opt.choice("activation", "tanh", {"tanh", "relu"}) == "relu";
  opt.finish("controller 'feedforward'");
  require_lazy(input_ > 0, "feedforward controller", [&] {
    return "input size must be > 0, got " + std::to_string(input_);
  });
  for (long long k = 0; k < layers; ++k) {
    layers_.push_back(std::make_unique<Linear<T>>(k == 0 ? input_ : hidden_, hidden_, rng));
    this->add_module("layer" + std::to_string(k), *layers_.back());
  }
}

template <class T>
std::pair<Var<T>, ControllerState<T>> FeedForwardController<T>::step(const Var<T>& x, const ControllerState<T>& s) const {
  check_step_input("feedforward controller", input_, x.rows(), x.cols());
  Var<T> y = x;
  for (const auto& layer : layers_) y = relu_ ? relu((*layer)(y)) : tanh((*layer)(y));
  return {y, s};
}

template class LstmCell<float>;
template class LstmCell<double>;
template class LstmController<float>;
template class LstmController<double>;
template class GruCell<float>;
template class GruCell<double>;
template class GruController<float>;
template class GruController<double>;
template class FeedForwardController<float>;
template class FeedForwardController<double>;

ENGRAM_REGISTER_CONTROLLER("lstm", "stacked LSTM layers (forget bias 1); output: the top layer's h", LstmController);
ENGRAM_REGISTER_CONTROLLER("gru", "stacked GRU layers (reset after the hidden product); output: the top layer's h", GruController);
ENGRAM_REGISTER_CONTROLLER("feedforward", "Linear + tanh/relu layers; no state", FeedForwardController);

}  // namespace engram::networks
