#include "networks/cnn.h"

#include "core/init.h"

#include <algorithm>

namespace engram::networks {

template <class T>
Cnn<T>::Cnn(const CnnOptions& o, Rng& rng) : o_(o) {
  require(!o.channels.empty() && o.classes >= 2, "Cnn", "needs at least one stage and two classes");
  ImageShape in = o.input;
  Conv2dOptions conv;
  conv.padding = 1;
  for (size_t s = 0; s < o.channels.size(); ++s) {
    require(o.channels[s] >= 1, "Cnn", "channels must be >= 1");
    const ImageShape out = conv2d_shape(in, o.channels[s], conv);
    const Index fan_in = in.channels * 9;
    weights_.push_back(this->add_parameter("conv" + std::to_string(s) + ".weight",
                                           init::normal<T>(o.channels[s], fan_in, 0.0, std::sqrt(2.0 / fan_in), rng)));  // He
    biases_.push_back(this->add_parameter("conv" + std::to_string(s) + ".bias", Mat<T>::Zero(1, o.channels[s])));
    if (o.norm_groups > 0) {
      const Index g = std::min(o.norm_groups, o.channels[s]);
      require(o.channels[s] % g == 0, "Cnn", "norm_groups (" + std::to_string(g) + ") must divide stage " + std::to_string(s) +
                                                 "'s " + std::to_string(o.channels[s]) + " channels");
      gains_.push_back(this->add_parameter("norm" + std::to_string(s) + ".gain", Mat<T>::Ones(1, o.channels[s])));
      shifts_.push_back(this->add_parameter("norm" + std::to_string(s) + ".bias", Mat<T>::Zero(1, o.channels[s])));
    }
    if (!o.block.empty()) {
      blocks_.push_back(attention::make_block<T>(o.block, attention::BlockShape{out}, o.block_options, rng));
      this->add_module("block" + std::to_string(s), *blocks_.back());
    }
    in_shapes_.push_back(in);
    shapes_.push_back(out);
    in = pool2d_shape(out, Pool2dOptions{2, 2, 0});
  }
  head_ = std::make_unique<Linear<T>>(o.flatten_head ? in.size() : in.channels, o.classes, rng);
  this->add_module("head", *head_);
}

template <class T>
Var<T> Cnn<T>::stage(Index s, const Var<T>& x, bool attention_only) const {
  Conv2dOptions conv;
  conv.padding = 1;
  const auto i = static_cast<size_t>(s);
  Var<T> h = conv2d(x, in_shapes_[i], weights_[i], biases_[i], conv);
  if (!gains_.empty()) h = group_norm(h, shapes_[i], std::min(o_.norm_groups, shapes_[i].channels), gains_[i], shifts_[i]);
  h = relu(h);
  if (!blocks_.empty()) {
    if (attention_only) return blocks_[i]->attention(h);
    h = blocks_[i]->forward(h);
  }
  return max_pool2d(h, shapes_[i], Pool2dOptions{2, 2, 0});
}

template <class T>
Var<T> Cnn<T>::logits(const Var<T>& x) const {
  Var<T> h = x;
  for (Index s = 0; s < static_cast<Index>(shapes_.size()); ++s) h = stage(s, h, false);
  const ImageShape last = pool2d_shape(shapes_.back(), Pool2dOptions{2, 2, 0});
  return (*head_)(o_.flatten_head ? h : global_avg_pool(h, last));  // (the maps of a row are already one vector)
}

template <class T>
Var<T> Cnn<T>::first_attention(const Var<T>& x) const {
  return blocks_.empty() ? Var<T>() : stage(0, x, true);
}

template class Cnn<float>;
template class Cnn<double>;

}  // namespace engram::networks
