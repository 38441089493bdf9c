#include "networks/memory_augmented.h"

#include <algorithm>
#include <string>

namespace engram::networks {

namespace {

Index read_size(const memory::MemoryConfig& mc) {
  Index reads = 0;
  for (const auto& h : mc.heads) reads += h.kind == memory::HeadKind::read ? 1 : 0;
  return reads * mc.width;
}

template <class T>
const Controller<T>& checked(const std::unique_ptr<Controller<T>>& c, const memory::MemoryConfig& mc, Index input,
                             Index output) {
  require(c != nullptr, "MemoryAugmented", "needs a controller");
  require_lazy(input >= 1 && output >= 1, "MemoryAugmented", [&] {
    return "input and output sizes must be >= 1, got " + std::to_string(input) + " and " + std::to_string(output);
  });
  const Index want = input + read_size(mc);
  require_lazy(c->input_size() == want, "MemoryAugmented", [&] {
    return "the controller reads [x_t, r_{t-1}]: its input must be " + std::to_string(input) + " + " +
        std::to_string(read_size(mc)) + " = " + std::to_string(want) + ", got " +
        std::to_string(c->input_size());
  });
  return *c;
}

}  // namespace

template <class T>
Index MemoryAugmented<T>::controller_input(const memory::MemoryConfig& memory, Index input) {
  return input + read_size(memory);
}

template <class T>
MemoryAugmented<T>::MemoryAugmented(std::unique_ptr<Controller<T>> controller, const memory::MemoryConfig& memory,
                                    Index input, Index output, Rng& rng)
    : input_(input),
      controller_(std::move(controller)),
      memory_(memory, rng),
      to_interface_(checked(controller_, memory, input, output).output_size(), memory_.interface_size(), rng),
      out_(controller_->output_size() + memory_.read_size(), output, rng) {
  this->add_module("controller", *controller_);
  this->add_module("memory", memory_);
  this->add_module("interface", to_interface_);
  this->add_module("out", out_);
}

template <class T>
MemoryAugmentedState<T> MemoryAugmented<T>::initial_state(Index batch) const {
  return {controller_->initial_state(batch), memory_.initial_state(batch), memory_.initial_reads(batch)};
}

template <class T>
Var<T> MemoryAugmented<T>::step(const Var<T>& x, MemoryAugmentedState<T>& s) const {
  require_lazy(x.rows() == s.memory.batch && x.cols() == input_, "MemoryAugmented", [&] {
    return "step input " + x.shape() + " must be [" + std::to_string(s.memory.batch) + " x " + std::to_string(input_) +
        "] (a row per sequence of the state)";
  });
  auto [h, next] = controller_->step(concat<T>({x, s.reads}, 1), s.controller);  // [1 x (in + RW)] -> [1 x H]
  s.controller = std::move(next);
  s.reads = memory_.step(s.memory, to_interface_(h));  // interface [1 x I] -> reads [1 x RW]
  return concat<T>({h, s.reads}, 1);                   // [1 x (H + RW)]
}

template <class T>
Var<T> MemoryAugmented<T>::forward(const Var<T>& input, MemoryTrace<T>* trace) const {
  require_lazy(input.rows() >= 1 && input.cols() == input_, "MemoryAugmented", [&] {
    return "input " + input.shape() + " must be [T x " + std::to_string(input_) + "], T >= 1";
  });
  const Index steps = input.rows(), n = memory_.slots();
  if (trace) {
    trace->read_weights.assign(static_cast<size_t>(memory_.read_heads()), Mat<T>::Zero(steps, n));
    trace->write_weights.assign(static_cast<size_t>(memory_.write_heads()), Mat<T>::Zero(steps, n));
    trace->tracked.clear();
  }
  MemoryAugmentedState<T> s = initial_state();
  std::vector<Var<T>> features;
  features.reserve(static_cast<size_t>(steps));
  for (Index t = 0; t < steps; ++t) {
    features.push_back(step(slice_rows(input, t, 1), s));  // x_t: [1 x in]
    if (!trace) continue;
    for (size_t i = 0; i < s.memory.read_weights.size(); ++i) trace->read_weights[i].row(t) = s.memory.read_weights[i].value();
    for (size_t j = 0; j < s.memory.write_weights.size(); ++j) trace->write_weights[j].row(t) = s.memory.write_weights[j].value();
    for (size_t k = 0; k < memory_.trackers().size(); ++k)
      for (const auto& [name, m] : memory_.trackers()[k]->inspect(s.memory.tracked[k])) {
        Mat<T>& rows = trace->tracked[name];
        if (rows.size() == 0) rows = Mat<T>::Zero(steps, m.size());
        rows.row(t) = Eigen::Map<const Mat<T>>(m.data(), 1, m.size());
      }
  }
  return out_(concat(features, 0));  // [T x (H + RW)] -> [T x output]
}

template <class T>
std::vector<Var<T>> MemoryAugmented<T>::logits_batch(const std::vector<const Mat<T>*>& inputs) const {
  const Index batch = static_cast<Index>(inputs.size());
  require(batch >= 1, "MemoryAugmented", "logits_batch needs at least one sequence");
  Index steps = 0;
  for (Index b = 0; b < batch; ++b) {
    const Mat<T>* in = inputs[static_cast<size_t>(b)];
    require_lazy(in != nullptr && in->rows() >= 1 && in->cols() == input_, "MemoryAugmented", [&] {
      return "sequence " + std::to_string(b) + " of the batch: input " + (in ? shape_str(*in) : std::string("null")) +
          " must be [T x " + std::to_string(input_) + "], T >= 1";
    });
    steps = std::max(steps, in->rows());
  }
  MemoryAugmentedState<T> s = initial_state(batch);
  std::vector<Var<T>> features;
  features.reserve(static_cast<size_t>(steps));
  for (Index t = 0; t < steps; ++t) {
    Mat<T> x = Mat<T>::Zero(batch, input_);  // row b: x_t of sequence b (zeros after its end)
    for (Index b = 0; b < batch; ++b)
      if (t < inputs[static_cast<size_t>(b)]->rows()) x.row(b) = inputs[static_cast<size_t>(b)]->row(t);
    features.push_back(step(constant<T>(std::move(x)), s));  // [B x (H + RW)]
  }
  const Var<T> all = out_(concat(features, 0));  // [steps B x output], step t of sequence b at row t B + b
  std::vector<Var<T>> out;
  out.reserve(inputs.size());
  for (Index b = 0; b < batch; ++b) {
    std::vector<int> rows;
    for (Index t = 0; t < inputs[static_cast<size_t>(b)]->rows(); ++t) rows.push_back(static_cast<int>(t * batch + b));
    out.push_back(gather_rows(all, rows));
  }
  return out;
}

template class MemoryAugmented<float>;
template class MemoryAugmented<double>;

}  // namespace engram::networks
