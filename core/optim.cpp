#include "core/optim.h"

#include <cmath>
#include <set>
#include <sstream>

namespace engram {

namespace {

// "1.5", "1e-08", "nan": short, and exact enough for a message.
void require_lr(double lr, const char* where) {
  require(lr > 0 && std::isfinite(lr), where, "lr must be > 0 and finite, got " + num_str(lr));
}
void require_nonneg(double x, const char* where, const char* option) {
  require(x >= 0 && std::isfinite(x), where,
          std::string(option) + " must be >= 0 and finite, got " + num_str(x));
}
void require_unit(double x, const char* where, const char* option) {
  require(x >= 0 && x < 1, where, std::string(option) + " must be in [0, 1), got " + num_str(x));
}

// Each returns the validated options' lr, so that a subclass checks its options (and names
// itself in the message) before the base constructor runs.
double validated(const SGDOptions& o) {
  require_lr(o.lr, "SGD");
  require_nonneg(o.momentum, "SGD", "momentum");
  require_nonneg(o.dampening, "SGD", "dampening");
  require_nonneg(o.weight_decay, "SGD", "weight_decay");
  require(!o.nesterov || (o.momentum > 0 && o.dampening == 0), "SGD",
          "nesterov requires momentum > 0 and dampening == 0, got momentum " + num_str(o.momentum) +
              ", dampening " + num_str(o.dampening));
  return o.lr;
}
double validated(const AdamOptions& o) {
  require_lr(o.lr, "Adam");
  require_unit(o.beta1, "Adam", "beta1");
  require_unit(o.beta2, "Adam", "beta2");
  require_nonneg(o.eps, "Adam", "eps");
  require_nonneg(o.weight_decay, "Adam", "weight_decay");
  return o.lr;
}
double validated(const RMSPropOptions& o) {
  require_lr(o.lr, "RMSProp");
  require_unit(o.alpha, "RMSProp", "alpha");
  require_nonneg(o.eps, "RMSProp", "eps");
  require_nonneg(o.momentum, "RMSProp", "momentum");
  require_nonneg(o.weight_decay, "RMSProp", "weight_decay");
  return o.lr;
}
double validated(const AdagradOptions& o) {
  require_lr(o.lr, "Adagrad");
  require_nonneg(o.lr_decay, "Adagrad", "lr_decay");
  require_nonneg(o.weight_decay, "Adagrad", "weight_decay");
  require_nonneg(o.initial_accumulator_value, "Adagrad", "initial_accumulator_value");
  require_nonneg(o.eps, "Adagrad", "eps");
  return o.lr;
}

}  // namespace

// --------------------------------------------------------------------------------- Optimizer

template <class T>
Optimizer<T>::Optimizer(ParameterList<T> params, double lr) : params_(std::move(params)), lr_(lr) {
  require_lr(lr, "Optimizer");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const auto& p = params_[i];
    require(p.var.defined(), "Optimizer",
            "parameter " + std::to_string(i) + " ('" + p.name + "') is an undefined Var");
    require(seen.insert(p.name).second, "Optimizer",
            "parameter name '" + p.name + "' appears twice (names are checkpoint keys)");
  }
}

template <class T>
void Optimizer<T>::set_lr(double lr) {
  require_lr(lr, "Optimizer::set_lr");
  lr_ = lr;
}

template <class T>
std::size_t Optimizer<T>::add_slot(const std::string& name, T init) {
  require(steps_ == 0 && (slots_.empty() || slots_.front().tensors.empty()), "Optimizer::add_slot",
          "slot '" + name + "' declared after the state was allocated");
  for (const auto& s : slots_)
    require(s.name != name, "Optimizer::add_slot", "slot '" + name + "' declared twice");
  slots_.push_back({name, init, {}});
  return slots_.size() - 1;
}

template <class T>
std::vector<std::string> Optimizer<T>::slot_names() const {
  std::vector<std::string> out;
  for (const auto& s : slots_) out.push_back(s.name);
  return out;
}

template <class T>
void Optimizer<T>::allocate_state() {
  for (auto& s : slots_) {
    if (!s.tensors.empty()) continue;
    s.tensors.reserve(params_.size());
    for (const auto& p : params_) s.tensors.push_back(Mat<T>::Constant(p.var.rows(), p.var.cols(), s.init));
  }
}

template <class T>
const Mat<T>& Optimizer<T>::add_weight_decay(const Mat<T>& grad, const Mat<T>& value, T weight_decay,
                                             Mat<T>& scratch) {
  if (weight_decay == T(0)) return grad;
  scratch = grad + weight_decay * value;
  return scratch;
}

template <class T>
void Optimizer<T>::step() {
  // Check everything first: a throw must leave parameters and state as they were.
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Var<T>& v = params_[i].var;
    const Mat<T>& g = v.grad();
    if (g.size() != 0 && (g.rows() != v.rows() || g.cols() != v.cols()))
      throw std::invalid_argument("Optimizer::step: " + name() + ": grad of '" + params_[i].name +
                                  "' is " + shape_str(g) + ", parameter is " + v.shape());
    for (const auto& s : slots_)
      if (!s.tensors.empty() && (s.tensors[i].rows() != v.rows() || s.tensors[i].cols() != v.cols()))
        throw std::invalid_argument("Optimizer::step: " + name() + ": parameter '" + params_[i].name +
                                    "' is " + v.shape() + " but its '" + s.name + "' state is " +
                                    shape_str(s.tensors[i]) + " (was the parameter resized?)");
  }
  allocate_state();
  const std::uint64_t t = steps_ + 1;
  const T lr = static_cast<T>(lr_);
  Mat<T> zeros;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Var<T>& v = params_[i].var;
    if (v.grad().size() == 0) zeros.setZero(v.rows(), v.cols());
    update(i, v.mutable_value(), v.grad().size() ? v.grad() : zeros, lr, t);
  }
  steps_ = t;
}

template <class T>
void Optimizer<T>::zero_grad() {
  engram::zero_grad(params_);
}

template <class T>
std::string Optimizer<T>::entry_name(const Slot& s, std::size_t param, const std::string& prefix) const {
  return prefix + s.name + "/" + params_[param].name;
}

template <class T>
void Optimizer<T>::save_state(Checkpoint& ck, const std::string& prefix) const {
  for (const auto& s : slots_)
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const auto& v = params_[i].var;
      if (s.tensors.empty())
        ck.put_tensor<T>(entry_name(s, i, prefix), Mat<T>::Constant(v.rows(), v.cols(), s.init));
      else
        ck.put_tensor<T>(entry_name(s, i, prefix), s.tensors[i]);
    }
  ck.put_u64s(prefix + "steps", {steps_});
}

template <class T>
void Optimizer<T>::load_state(const Checkpoint& ck, const std::string& prefix) {
  const std::string where = name() + "::load_state: ";
  // Phase 1: fetch and check every entry into temporaries.
  std::vector<std::vector<Mat<T>>> loaded(slots_.size());
  std::uint64_t steps = 0;
  try {
    for (std::size_t k = 0; k < slots_.size(); ++k)
      for (std::size_t i = 0; i < params_.size(); ++i) {
        const std::string entry = entry_name(slots_[k], i, prefix);
        if (!ck.has(entry)) throw CheckpointError("missing entry '" + entry + "'");
        const auto& v = params_[i].var;
        loaded[k].push_back(ck.get_tensor<T>(entry, v.rows(), v.cols()));
        // get_tensor checks the shape; check again so this contract does not rest on it.
        if (loaded[k].back().rows() != v.rows() || loaded[k].back().cols() != v.cols())
          throw CheckpointError("entry '" + entry + "' is " + shape_str(loaded[k].back()) +
                                ", parameter '" + params_[i].name + "' is " + v.shape());
      }
    const std::string entry = prefix + "steps";
    if (!ck.has(entry)) throw CheckpointError("missing entry '" + entry + "'");
    const std::vector<std::uint64_t> s = ck.get_u64s(entry);
    if (s.size() != 1)
      throw CheckpointError("entry '" + entry + "' has " + std::to_string(s.size()) +
                            " values, expected 1");
    steps = s[0];
  } catch (const CheckpointError& e) {
    throw CheckpointError(where + e.what());
  }
  // Phase 2: assign (nothing here can fail except allocation).
  for (std::size_t k = 0; k < slots_.size(); ++k) slots_[k].tensors = std::move(loaded[k]);
  steps_ = steps;
}

// ---------------------------------------------------------------------------------------- SGD

template <class T>
SGD<T>::SGD(ParameterList<T> params, const SGDOptions& options)
    : Optimizer<T>(std::move(params), validated(options)), o_(options) {
  if (o_.momentum > 0) buf_ = this->add_slot("momentum_buffer");
}

// g  = grad + weight_decay * p
// if momentum > 0:
//   b = g                                   at t = 1
//   b = momentum * b + (1 - dampening) * g  at t > 1
//   g = g + momentum * b                    if nesterov
//   g = b                                   otherwise
// p -= lr * g
template <class T>
void SGD<T>::update(std::size_t i, Mat<T>& value, const Mat<T>& grad, T lr, std::uint64_t t) {
  Mat<T> scratch;
  const Mat<T>& g = this->add_weight_decay(grad, value, static_cast<T>(o_.weight_decay), scratch);
  if (o_.momentum == 0) {
    value.noalias() -= lr * g;
    return;
  }
  const T mu = static_cast<T>(o_.momentum);
  Mat<T>& b = this->state(buf_, i);
  if (t == 1)
    b = g;
  else
    b = mu * b + (T(1) - static_cast<T>(o_.dampening)) * g;
  if (o_.nesterov)
    value.noalias() -= lr * (g + mu * b);
  else
    value.noalias() -= lr * b;
}

// --------------------------------------------------------------------------------------- Adam

template <class T>
Adam<T>::Adam(ParameterList<T> params, const AdamOptions& options)
    : Optimizer<T>(std::move(params), validated(options)), o_(options) {
  m_ = this->add_slot("exp_avg");
  v_ = this->add_slot("exp_avg_sq");
}

// g  = grad + weight_decay * p
// m  = beta1 * m + (1 - beta1) * g
// v  = beta2 * v + (1 - beta2) * g^2
// p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
template <class T>
void Adam<T>::update(std::size_t i, Mat<T>& value, const Mat<T>& grad, T lr, std::uint64_t t) {
  Mat<T> scratch;
  const Mat<T>& g = this->add_weight_decay(grad, value, static_cast<T>(o_.weight_decay), scratch);
  const T b1 = static_cast<T>(o_.beta1), b2 = static_cast<T>(o_.beta2), eps = static_cast<T>(o_.eps);
  Mat<T>& m = this->state(m_, i);
  Mat<T>& v = this->state(v_, i);
  m = b1 * m + (T(1) - b1) * g;
  v.array() = b2 * v.array() + (T(1) - b2) * g.array().square();
  const T bc1 = T(1) - std::pow(b1, static_cast<T>(t));
  const T bc2 = T(1) - std::pow(b2, static_cast<T>(t));
  const T step_size = lr / bc1;
  const T sqrt_bc2 = std::sqrt(bc2);
  value.array() -= step_size * m.array() / (v.array().sqrt() / sqrt_bc2 + eps);
}

// ------------------------------------------------------------------------------------ RMSProp

template <class T>
RMSProp<T>::RMSProp(ParameterList<T> params, const RMSPropOptions& options)
    : Optimizer<T>(std::move(params), validated(options)), o_(options) {
  sq_ = this->add_slot("square_avg");
  if (o_.centered) gavg_ = this->add_slot("grad_avg");
  if (o_.momentum > 0) buf_ = this->add_slot("momentum_buffer");
}

// g   = grad + weight_decay * p
// s   = alpha * s + (1 - alpha) * g^2
// if centered: a = alpha * a + (1 - alpha) * g;  d = sqrt(max(s - a^2, 0)) + eps
// else:                                          d = sqrt(s) + eps
// if momentum > 0: b = momentum * b + g / d;  p -= lr * b
// else:                                       p -= lr * g / d
// (s - a^2 >= 0 in exact arithmetic; the max only keeps rounding from producing a NaN.)
template <class T>
void RMSProp<T>::update(std::size_t i, Mat<T>& value, const Mat<T>& grad, T lr, std::uint64_t) {
  Mat<T> scratch;
  const Mat<T>& g = this->add_weight_decay(grad, value, static_cast<T>(o_.weight_decay), scratch);
  const T alpha = static_cast<T>(o_.alpha), eps = static_cast<T>(o_.eps);
  Mat<T>& s = this->state(sq_, i);
  s.array() = alpha * s.array() + (T(1) - alpha) * g.array().square();
  Mat<T> d;
  if (o_.centered) {
    Mat<T>& a = this->state(gavg_, i);
    a = alpha * a + (T(1) - alpha) * g;
    d = ((s.array() - a.array().square()).max(T(0)).sqrt() + eps).matrix();
  } else {
    d = (s.array().sqrt() + eps).matrix();
  }
  if (o_.momentum > 0) {
    Mat<T>& b = this->state(buf_, i);
    b.array() = static_cast<T>(o_.momentum) * b.array() + g.array() / d.array();
    value.noalias() -= lr * b;
  } else {
    value.array() -= lr * g.array() / d.array();
  }
}

// ------------------------------------------------------------------------------------ Adagrad

template <class T>
Adagrad<T>::Adagrad(ParameterList<T> params, const AdagradOptions& options)
    : Optimizer<T>(std::move(params), validated(options)), o_(options) {
  sum_ = this->add_slot("sum", static_cast<T>(o_.initial_accumulator_value));
}

// g   = grad + weight_decay * p
// s  += g^2
// p  -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)
template <class T>
void Adagrad<T>::update(std::size_t i, Mat<T>& value, const Mat<T>& grad, T lr, std::uint64_t t) {
  Mat<T> scratch;
  const Mat<T>& g = this->add_weight_decay(grad, value, static_cast<T>(o_.weight_decay), scratch);
  const T clr = lr / (T(1) + static_cast<T>(t - 1) * static_cast<T>(o_.lr_decay));
  Mat<T>& s = this->state(sum_, i);
  s.array() += g.array().square();
  value.array() -= clr * g.array() / (s.array().sqrt() + static_cast<T>(o_.eps));
}

template class Optimizer<float>;
template class Optimizer<double>;
template class SGD<float>;
template class SGD<double>;
template class Adam<float>;
template class Adam<double>;
template class RMSProp<float>;
template class RMSProp<double>;
template class Adagrad<float>;
template class Adagrad<double>;

}  // namespace engram
