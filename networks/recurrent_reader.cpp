#include "networks/recurrent_reader.h"

#include "core/ops.h"

#include <string>

namespace engram::networks {

template <class T>
RecurrentReader<T>::RecurrentReader(const StoryEncoderOptions& encoder, Index answers,
                                    std::unique_ptr<Controller<T>> controller,
                                    const std::optional<memory::MemoryConfig>& memory, Rng& rng, QueryInput query)
    : encoder_(encoder, rng), query_(query) {
  require(controller != nullptr, "RecurrentReader", "needs a controller");
  require_lazy(answers >= 1, "RecurrentReader", [&] { return "needs answers >= 1, got " + std::to_string(answers); });
  this->add_module("encoder", encoder_);
  const Index in = input_size(encoder.dim, query);
  // (an LSTM's state: h and c per layer; a feed-forward controller keeps none)
  const ControllerState<T> s0 = controller->initial_state();
  for (const auto& h : s0.h) controller_state_ += h.size();
  for (const auto& c : s0.c) controller_state_ += c.size();
  if (memory) {
    mann_ = std::make_unique<MemoryAugmented<T>>(std::move(controller), *memory, in, answers, rng);
    this->add_module("net", *mann_);
  } else {
    require_lazy(controller->input_size() == in, "RecurrentReader", [&] {
      return "the controller reads " + std::to_string(controller->input_size()) + " columns, the reader feeds " + std::to_string(in);
    });
    controller_ = std::move(controller);
    out_ = std::make_unique<Linear<T>>(controller_->output_size(), answers, rng);
    this->add_module("controller", *controller_);
    this->add_module("out", *out_);
  }
}

template <class T>
MemoryReadout<T> RecurrentReader<T>::forward(std::span<const std::vector<int>> story, std::span<const int> query,
                                             Rng*) const {
  const EncodedStory<T> e = encoder_.encode(story, query);
  const Index S = static_cast<Index>(e.slots.size());
  const Index d = e.query.cols();
  Var<T> u;  // [S + 1 x input_size(d, query_)]
  if (query_ == QueryInput::end) {
    std::vector<Var<T>> rows;
    if (S > 0) rows.push_back(concat<T>({e.sentences, constant<T>(Mat<T>::Zero(S, 1))}, 1));
    rows.push_back(concat<T>({e.query, constant<T>(Mat<T>::Ones(1, 1))}, 1));
    u = rows.size() == 1 ? rows[0] : concat<T>(rows, 0);
  } else {
    Mat<T> flag = Mat<T>::Zero(S + 1, 1);
    flag(S, 0) = T(1);
    const Var<T> read = S > 0 ? concat<T>({e.sentences, constant<T>(Mat<T>::Zero(1, d))}, 0) : constant<T>(Mat<T>::Zero(1, d));
    u = concat<T>({read, gather_rows(e.query, std::vector<int>(static_cast<std::size_t>(S + 1), 0)), constant<T>(flag)}, 1);
  }
  MemoryReadout<T> r;
  r.slots = e.slots;
  if (mann_) {
    r.logits = slice_rows(mann_->forward(u), S, 1);
    return r;
  }
  ControllerState<T> s = controller_->initial_state();
  Var<T> h;
  for (Index t = 0; t <= S; ++t) std::tie(h, s) = controller_->step(slice_rows(u, t, 1), s);
  r.logits = (*out_)(h);
  return r;
}

template <class T>
Index RecurrentReader<T>::state_size(Index) const {
  if (!mann_) return controller_state_;
  const auto& m = mann_->memory();
  return controller_state_ + m.slots() * m.width() + m.read_size();
}

template class RecurrentReader<float>;
template class RecurrentReader<double>;

}  // namespace engram::networks
