#include "core/layers.h"

#include "core/init.h"

namespace engram {

template <class T>
Linear<T>::Linear(Index in, Index out, Rng& rng, bool with_bias) {
  require(in > 0 && out > 0, "Linear", "sizes must be > 0, got in=" + std::to_string(in) +
                                           " out=" + std::to_string(out));
  weight = this->add_parameter("weight", init::xavier_uniform<T>(in, out, rng));
  if (with_bias) bias = this->add_parameter("bias", Mat<T>::Zero(1, out));
}

template <class T>
Var<T> Linear<T>::operator()(const Var<T>& x) const {
  require(x.cols() == weight.rows(), "Linear", "input " + x.shape() + " does not match weight " +
                                                   weight.shape() + " (expects [n x " +
                                                   std::to_string(weight.rows()) + "])");
  Var<T> y = matmul(x, weight);
  return bias.defined() ? add(y, bias) : y;
}

template <class T>
Embedding<T>::Embedding(Index vocab, Index dim, Rng& rng, double stddev) {
  require(vocab > 0 && dim > 0, "Embedding", "sizes must be > 0, got vocab=" + std::to_string(vocab) +
                                                 " dim=" + std::to_string(dim));
  table = this->add_parameter("table", init::normal<T>(vocab, dim, 0.0, stddev, rng));
}

template <class T>
LayerNorm<T>::LayerNorm(Index dim, T eps) : eps_(eps) {
  gain = this->add_parameter("gain", Mat<T>::Ones(1, dim));
  bias = this->add_parameter("bias", Mat<T>::Zero(1, dim));
}

template class Linear<float>;
template class Linear<double>;
template class Embedding<float>;
template class Embedding<double>;
template class LayerNorm<float>;
template class LayerNorm<double>;

}  // namespace engram
