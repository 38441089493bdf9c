#include "attention/multi_head.h"

#include "core/init.h"

#include <cmath>
#include <limits>
#include <string>

namespace engram::attention {

namespace {

// Throws unless mask is [1 x n] or [m x n] and every row leaves at least one key unmasked.
template <class T>
void check_mask(const char* where, const Mat<T>& mask, Index m, Index n) {
  require_lazy((mask.rows() == 1 || mask.rows() == m) && mask.cols() == n, where, [&] {
    return "mask " + shape_str(mask) + " must be [1 x " + std::to_string(n) + "] (padding) or " + shape_str(m, n);
  });
  for (Index i = 0; i < mask.rows(); ++i)
    require_lazy((mask.row(i).array() == T(0)).any(), where, [&] {
      return "mask row " + std::to_string(i) + " of " + shape_str(mask) + " masks every key";
    });
}

}  // namespace

template <class T>
MultiHeadAttention<T>::MultiHeadAttention(Index d_model, Index heads, Index d_k, Index d_v, Rng& rng,
                                          double dropout)
    : d_model_(d_model), heads_(heads), d_k_(d_k), d_v_(d_v), dropout_(dropout) {
  require_lazy(d_model > 0 && heads > 0 && d_k > 0 && d_v > 0, "MultiHeadAttention", [&] {
    return "sizes must be > 0, got d_model=" + std::to_string(d_model) + " heads=" + std::to_string(heads) +
        " d_k=" + std::to_string(d_k) + " d_v=" + std::to_string(d_v);
  });
  require_lazy(dropout >= 0 && dropout < 1, "MultiHeadAttention", [&] {
    return "dropout must be in [0, 1), got " + num_str(dropout);
  });
  for (Index h = 0; h < heads; ++h) {
    const std::string p = "head" + std::to_string(h) + ".";
    w_q.push_back(this->add_parameter(p + "w_q", init::xavier_uniform<T>(d_model, d_k, rng)));  // [d_model x d_k]
    w_k.push_back(this->add_parameter(p + "w_k", init::xavier_uniform<T>(d_model, d_k, rng)));  // [d_model x d_k]
    w_v.push_back(this->add_parameter(p + "w_v", init::xavier_uniform<T>(d_model, d_v, rng)));  // [d_model x d_v]
  }
  w_o = this->add_parameter("w_o", init::xavier_uniform<T>(heads * d_v, d_model, rng));        // [heads*d_v x d_model]
}

template <class T>
MultiHeadResult<T> MultiHeadAttention<T>::forward(const Var<T>& q, const Var<T>& k, const Var<T>& v,
                                                  const Mat<T>* mask, bool training, Rng* rng) const {
  const char* where = "MultiHeadAttention";
  const Index m = q.rows(), n = k.rows();
  require_lazy(m >= 1 && n >= 1 && q.cols() == d_model_ && k.cols() == d_model_ && v.cols() == d_model_ &&
              v.rows() == n,
          where, [&] {
    return "q " + q.shape() + ", k " + k.shape() + ", v " + v.shape() + " do not fit [m x " + std::to_string(d_model_) +
        "], [n x " + std::to_string(d_model_) + "], [n x " + std::to_string(d_model_) + "]";
  });
  if (mask) check_mask(where, *mask, m, n);
  const bool drop = training && dropout_ > 0;
  require_lazy(!drop || rng, where, [&] { return "training with dropout " + num_str(dropout_) + " needs an rng"; });

  const T beta = T(1) / std::sqrt(T(d_k_));  // the 1/sqrt(d_k) scale, folded into the softmax
  MultiHeadResult<T> r;
  r.weights.reserve(static_cast<size_t>(heads_));
  std::vector<Var<T>> heads;
  heads.reserve(static_cast<size_t>(heads_));
  for (Index h = 0; h < heads_; ++h) {
    const size_t i = static_cast<size_t>(h);
    const Var<T> qh = matmul(q, w_q[i]);                  // [m x d_model][d_model x d_k] -> [m x d_k]
    const Var<T> kh = matmul(k, w_k[i]);                  // [n x d_model][d_model x d_k] -> [n x d_k]
    const Var<T> vh = matmul(v, w_v[i]);                  // [n x d_model][d_model x d_v] -> [n x d_v]
    Var<T> a = dot_softmax(qh, kh, beta, mask);           // softmax(q_h k_h^T / sqrt(d_k)) per row, masked: [m x n]
    r.weights.push_back(a);
    if (drop) a = engram::dropout(a, T(dropout_), true, *rng);  // [m x n]
    heads.push_back(matmul(a, vh));                       // [m x n][n x d_v] -> [m x d_v]
  }
  const Var<T> cat = heads_ == 1 ? heads[0] : concat(heads, 1);  // [m x heads*d_v]
  r.output = matmul(cat, w_o);                            // [m x heads*d_v][heads*d_v x d_model] -> [m x d_model]
  return r;
}

template <class T>
Mat<T> causal_mask(Index n) {
  require_lazy(n >= 1, "causal_mask", [&] { return "n must be >= 1, got " + std::to_string(n); });
  Mat<T> m = Mat<T>::Zero(n, n);  // [n x n]
  for (Index i = 0; i < n; ++i) m.row(i).tail(n - 1 - i).setOnes();
  return m;
}

template <class T>
MultiHeadResult<T> self_attention(const MultiHeadAttention<T>& mha, const Var<T>& x,
                                  const std::type_identity_t<Mat<T>>* padding,
                                  bool causal, bool training, Rng* rng) {
  const Index n = x.rows();
  if (padding)
    require_lazy(padding->rows() == 1 && padding->cols() == n, "self_attention", [&] {
      return "padding mask " + shape_str(*padding) + " must be [1 x " + std::to_string(n) + "] for x " + x.shape();
    });
  if (!causal) return mha.forward(x, x, x, padding, training, rng);
  Mat<T> mask = causal_mask<T>(n);                        // [n x n]
  if (padding)
    for (Index i = 0; i < n; ++i)                         // row i: causal OR padded key
      mask.row(i) = (mask.row(i).array() != T(0) || padding->row(0).array() != T(0)).template cast<T>();
  return mha.forward(x, x, x, &mask, training, rng);
}

template class MultiHeadAttention<float>;
template class MultiHeadAttention<double>;
template Mat<float> causal_mask<float>(Index);
template Mat<double> causal_mask<double>(Index);
template MultiHeadResult<float> self_attention(const MultiHeadAttention<float>&, const Var<float>&, const Mat<float>*,
                                               bool, bool, Rng*);
template MultiHeadResult<double> self_attention(const MultiHeadAttention<double>&, const Var<double>&,
                                                const Mat<double>*, bool, bool, Rng*);

}  // namespace engram::attention
