// layer_norm, embedding_bag, dropout, cross_entropy, bce_with_logits, mse
#include "core/ops_detail.h"
#include "core/rng.h"

#include <cmath>

namespace engram {

template <class T>
Var<T> layer_norm(const Var<T>& x, const Var<T>& gamma, const Var<T>& beta, T eps) {
  const Index c = x.cols();
  require(gamma.rows() == 1 && gamma.cols() == c && beta.rows() == 1 && beta.cols() == c,
          "layer_norm", "x " + x.shape() + " needs gamma and beta of [1 x " + std::to_string(c) +
                            "], got " + gamma.shape() + " and " + beta.shape());
  const Mat<T>& X = x.value();
  const auto mu = X.rowwise().mean().eval();                               // [r x 1]
  Mat<T> xhat = X.colwise() - mu;
  const auto inv = ((xhat.array().square().rowwise().sum() / T(c)) + eps).rsqrt().eval();  // [r x 1]
  xhat.array().colwise() *= inv;
  Mat<T> out = (xhat.array().rowwise() * gamma.value().row(0).array()).matrix();
  out.rowwise() += beta.value().row(0);
  return Var<T>::make(std::move(out), {x, gamma, beta},
      [xhat = std::move(xhat), inv](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& G = self.inputs[1]->value;
        if (gin[1]) *gin[1] += (g.array() * xhat.array()).colwise().sum().matrix();
        if (gin[2]) *gin[2] += g.colwise().sum();
        if (gin[0]) {
          // gx = inv * (gh - mean(gh) - xhat * mean(gh * xhat)), gh = g * gamma, per row
          const Mat<T> gh = (g.array().rowwise() * G.row(0).array()).matrix();
          const auto m1 = gh.rowwise().mean().eval();
          const auto m2 = (gh.array() * xhat.array()).rowwise().mean().eval();
          Mat<T> gx = gh.colwise() - m1;
          gx.array() -= xhat.array().colwise() * m2;
          gx.array().colwise() *= inv;
          *gin[0] += gx;
        }
      }, "layer_norm");
}

template <class T>
Var<T> embedding_bag(const Var<T>& table, const std::vector<int>& ids, const std::vector<int>& offsets,
                     const std::type_identity_t<Mat<T>>& weights) {
  // The checks build their messages only on failure: this op runs several times per example.
  const char* where = "embedding_bag";
  const Index v = table.rows(), d = table.cols(), n = static_cast<Index>(ids.size());
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != n)
    require(false, where, std::to_string(n) + " ids need offsets from 0 to " + std::to_string(n) + ", got " +
                              std::to_string(offsets.size()) + " offsets" +
                              (offsets.empty() ? std::string()
                                               : " from " + std::to_string(offsets.front()) + " to " +
                                                     std::to_string(offsets.back())));
  for (size_t b = 1; b < offsets.size(); ++b)
    if (offsets[b] < offsets[b - 1])
      require(false, where, "offsets must not decrease, got " + std::to_string(offsets[b - 1]) + " then " +
                                std::to_string(offsets[b]) + " at position " + std::to_string(b));
  const bool weighted = weights.size() != 0;
  if (weighted && (weights.rows() != n || weights.cols() != d))
    require(false, where, "weights " + shape_str(weights) + " must be [" + std::to_string(n) + " ids x " +
                              std::to_string(d) + "] (or empty) for table " + table.shape());
  for (Index i = 0; i < n; ++i)
    if (ids[static_cast<size_t>(i)] < 0 || ids[static_cast<size_t>(i)] >= v)
      require(false, where, "index " + std::to_string(ids[static_cast<size_t>(i)]) + " at position " + std::to_string(i) +
                                " is outside the table's rows [0, " + std::to_string(v) + ")");
  const Index bags = static_cast<Index>(offsets.size()) - 1;
  const Mat<T>& E = table.value();
  Mat<T> out = Mat<T>::Zero(bags, d);                     // [bags x d]
  for (Index b = 0; b < bags; ++b)
    for (int i = offsets[static_cast<size_t>(b)]; i < offsets[static_cast<size_t>(b) + 1]; ++i) {
      if (weighted) out.row(b).array() += weights.row(i).array() * E.row(ids[static_cast<size_t>(i)]).array();
      else out.row(b) += E.row(ids[static_cast<size_t>(i)]);
    }
  return Var<T>::make(std::move(out), {table},
      [ids, offsets, weights, weighted](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        // dE[ids_i] += weights_i * g_b for every word i of bag b
        Mat<T>& dE = *gin[0];
        for (size_t b = 0; b + 1 < offsets.size(); ++b) {
          const auto gb = g.row(static_cast<Index>(b));
          for (int i = offsets[b]; i < offsets[b + 1]; ++i) {
            if (weighted) dE.row(ids[static_cast<size_t>(i)]).array() += weights.row(i).array() * gb.array();
            else dE.row(ids[static_cast<size_t>(i)]) += gb;
          }
        }
      }, "embedding_bag");
}

template <class T>
Var<T> dropout(const Var<T>& x, T p, bool training, Rng& rng) {
  require(p >= T(0) && p < T(1), "dropout", "p must be in [0, 1), got " + std::to_string(p));
  if (!training || p == T(0)) return x;
  Mat<T> mask(x.rows(), x.cols());
  const T keep = T(1) / (T(1) - p);
  for (Index i = 0; i < mask.size(); ++i) mask.data()[i] = rng.bernoulli(double(p)) ? T(0) : keep;
  Mat<T> out = (x.value().array() * mask.array()).matrix();
  return Var<T>::make(std::move(out), {x},
      [mask = std::move(mask)](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (gin[0]) gin[0]->array() += g.array() * mask.array();
      }, "dropout");
}

template <class T>
Var<T> cross_entropy(const Var<T>& logits, const std::vector<int>& targets) {
  const Index n = logits.rows(), classes = logits.cols();
  require(static_cast<Index>(targets.size()) == n && n > 0, "cross_entropy",
          "logits " + logits.shape() + " need one target per row, got " + std::to_string(targets.size()));
  const Mat<T>& Z = logits.value();
  const auto m = Z.rowwise().maxCoeff().eval();
  Mat<T> P = Z.colwise() - m;
  P = P.array().exp();
  const auto s = P.rowwise().sum().eval();
  P.array().colwise() /= s.array();                                   // softmax, [n x C]
  T loss = 0;
  for (Index i = 0; i < n; ++i) {
    const int t = targets[static_cast<size_t>(i)];
    require(t >= 0 && t < classes, "cross_entropy",
            "target " + std::to_string(t) + " in row " + std::to_string(i) + " is outside [0, " +
                std::to_string(classes) + ")");
    loss += m(i, 0) + std::log(s(i, 0)) - Z(i, t);
  }
  Mat<T> out(1, 1);
  out(0, 0) = loss / T(n);
  return Var<T>::make(std::move(out), {logits},
      [P = std::move(P), targets](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        const T k = g(0, 0) / T(P.rows());
        *gin[0] += k * P;
        for (Index i = 0; i < P.rows(); ++i) (*gin[0])(i, targets[static_cast<size_t>(i)]) -= k;
      }, "cross_entropy");
}

template <class T>
Var<T> bce_with_logits(const Var<T>& logits, const std::type_identity_t<Mat<T>>& targets) {
  require(logits.rows() == targets.rows() && logits.cols() == targets.cols() && logits.size() > 0,
          "bce_with_logits", "logits " + logits.shape() + " and targets " + shape_str(targets) +
                                 " must have one non-empty shape");
  const auto Z = logits.value().array();
  const auto Y = targets.array();
  // max(z, 0) - z y + log(1 + e^-|z|), stable for any z
  const T loss = (Z.max(T(0)) - Z * Y + (-Z.abs()).exp().log1p()).sum() / T(logits.size());
  Mat<T> out(1, 1);
  out(0, 0) = loss;
  return Var<T>::make(std::move(out), {logits},
      [targets](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        const auto Zi = self.inputs[0]->value.array();
        const T k = g(0, 0) / T(Zi.size());
        gin[0]->array() += k * (T(0.5) * ((Zi * T(0.5)).tanh() + T(1)) - targets.array());
      }, "bce_with_logits");
}

template <class T>
Var<T> mse(const Var<T>& pred, const std::type_identity_t<Mat<T>>& target) {
  require(pred.rows() == target.rows() && pred.cols() == target.cols() && pred.size() > 0, "mse",
          "pred " + pred.shape() + " and target " + shape_str(target) + " must have one non-empty shape");
  Mat<T> out(1, 1);
  out(0, 0) = (pred.value() - target).squaredNorm() / T(pred.size());
  return Var<T>::make(std::move(out), {pred},
      [target](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        if (gin[0]) *gin[0] += (T(2) * g(0, 0) / T(target.size())) * (self.inputs[0]->value - target);
      }, "mse");
}

#define INST(T)                                                                         \
  template Var<T> layer_norm(const Var<T>&, const Var<T>&, const Var<T>&, T);           \
  template Var<T> embedding_bag(const Var<T>&, const std::vector<int>&, const std::vector<int>&, \
                                const Mat<T>&);                                         \
  template Var<T> dropout(const Var<T>&, T, bool, Rng&);                                \
  template Var<T> cross_entropy(const Var<T>&, const std::vector<int>&);                \
  template Var<T> bce_with_logits(const Var<T>&, const Mat<T>&);                        \
  template Var<T> mse(const Var<T>&, const Mat<T>&);
ENGRAM_INSTANTIATE_FLOAT_DOUBLE(INST)
#undef INST

}  // namespace engram
