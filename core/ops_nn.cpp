// layer_norm, embedding_bag, dropout, cross_entropy, bce_with_logits, mse
#include "core/ops_detail.h"
#include "core/rng.h"

#include <cmath>

namespace engram {

template <class T>
Var<T> layer_norm(const Var<T>& x, const Var<T>& gamma, const Var<T>& beta, T eps) {
  const Index c = x.cols();
  require_lazy(gamma.rows() == 1 && gamma.cols() == c && beta.rows() == 1 && beta.cols() == c,
          "layer_norm", [&] {
    return "x " + x.shape() + " needs gamma and beta of [1 x " + std::to_string(c) +
        "], got " + gamma.shape() + " and " + beta.shape();
  });
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

namespace {

// out[0, d) = sum over i in [begin, end) of w_i * E[ids_i] (w_i = 1 when weights is null):
// columns in blocks of W whose sums stay in registers over the bag's words (a sum kept in `out`
// would go through memory at every word: a store-to-load chain), then the last < W columns.
template <int W, class T>
Index bag_sum_blocks(const T* E, const int* ids, const T* weights, int begin, int end, Index d, Index k0, T* out) {
  for (; k0 + W <= d; k0 += W) {
    T acc[W] = {};
    for (int i = begin; i < end; ++i) {
      const T* e = E + Index(ids[i]) * d + k0;
      if (weights) {
        const T* w = weights + Index(i) * d + k0;
        for (int k = 0; k < W; ++k) acc[k] += w[k] * e[k];
      } else {
        for (int k = 0; k < W; ++k) acc[k] += e[k];
      }
    }
    for (int k = 0; k < W; ++k) out[k0 + k] = acc[k];
  }
  return k0;
}

template <class T>
void bag_sum(const T* E, const int* ids, const T* weights, int begin, int end, Index d, T* out) {
  constexpr int kWide = 64 / int(sizeof(T));  // one cache line of columns
  Index k0 = bag_sum_blocks<kWide>(E, ids, weights, begin, end, d, 0, out);
  k0 = bag_sum_blocks<4>(E, ids, weights, begin, end, d, k0, out);
  bag_sum_blocks<1>(E, ids, weights, begin, end, d, k0, out);
}

}  // namespace

template <class T>
Var<T> embedding_bag(const Var<T>& table, std::shared_ptr<const Bags<T>> bags) {
  // The checks build their messages only on failure: this op runs several times per example.
  const char* where = "embedding_bag";
  require(bags != nullptr, where, "no bags");
  const std::vector<int>& ids = bags->ids;
  const std::vector<int>& offsets = bags->offsets;
  const Mat<T>& weights = bags->weights;
  const Index v = table.rows(), d = table.cols(), n = static_cast<Index>(ids.size());
  detail::check_offsets(where, offsets, n, "ids");
  const bool weighted = weights.size() != 0;
  if (weighted && (weights.rows() != n || weights.cols() != d))
    require_lazy(false, where, [&] {
      return "weights " + shape_str(weights) + " must be [" + std::to_string(n) + " ids x " +
          std::to_string(d) + "] (or empty) for table " + table.shape();
    });
  for (Index i = 0; i < n; ++i)
    if (ids[static_cast<size_t>(i)] < 0 || ids[static_cast<size_t>(i)] >= v)
      require_lazy(false, where, [&] {
        return "index " + std::to_string(ids[static_cast<size_t>(i)]) + " at position " + std::to_string(i) +
            " is outside the table's rows [0, " + std::to_string(v) + ")";
      });
  const Index count = static_cast<Index>(offsets.size()) - 1;
  const Mat<T>& E = table.value();
  Mat<T> out(count, d);  // [bags x d]
  for (Index b = 0; b < count; ++b)
    bag_sum(E.data(), ids.data(), weighted ? weights.data() : nullptr, offsets[size_t(b)], offsets[size_t(b) + 1], d,
            out.data() + b * d);
  return Var<T>::make(std::move(out), {table},
      [bags = std::move(bags), weighted, d](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        // dE[ids_i] += weights_i * g_b for every word i of bag b
        T* dE = gin[0]->data();
        const std::vector<int>& offsets = bags->offsets;
        const int* ids = bags->ids.data();
        const T* weights = weighted ? bags->weights.data() : nullptr;
        for (size_t b = 0; b + 1 < offsets.size(); ++b) {
          const T* __restrict gb = g.data() + Index(b) * d;
          for (int i = offsets[b]; i < offsets[b + 1]; ++i) {
            T* __restrict de = dE + Index(ids[i]) * d;
            if (weights) {
              const T* __restrict w = weights + Index(i) * d;
              for (Index k = 0; k < d; ++k) de[k] += w[k] * gb[k];
            } else {
              for (Index k = 0; k < d; ++k) de[k] += gb[k];
            }
          }
        }
      }, "embedding_bag");
}

template <class T>
Var<T> embedding_bag(const Var<T>& table, const std::vector<int>& ids, const std::vector<int>& offsets,
                     const std::type_identity_t<Mat<T>>& weights) {
  return embedding_bag(table, std::make_shared<const Bags<T>>(Bags<T>{ids, offsets, weights}));
}

template <class T>
Var<T> dropout(const Var<T>& x, T p, bool training, Rng& rng) {
  require_lazy(p >= T(0) && p < T(1), "dropout", [&] { return "p must be in [0, 1), got " + std::to_string(p); });
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
  require_lazy(static_cast<Index>(targets.size()) == n && n > 0, "cross_entropy", [&] {
    return "logits " + logits.shape() + " need one target per row, got " + std::to_string(targets.size());
  });
  for (Index i = 0; i < n; ++i) {
    const int t = targets[static_cast<size_t>(i)];
    require_lazy(t >= 0 && t < classes, "cross_entropy", [&] {
      return "target " + std::to_string(t) + " in row " + std::to_string(i) + " is outside [0, " +
          std::to_string(classes) + ")";
    });
  }
  const Mat<T>& Z = logits.value();
  const auto m = Z.rowwise().maxCoeff().eval();
  Mat<T> P = Z.colwise() - m;
  P = P.array().exp();
  const auto s = P.rowwise().sum().eval();
  P.array().colwise() /= s.array();                                   // softmax, [n x C]
  T loss = 0;
  for (Index i = 0; i < n; ++i) loss += m(i, 0) + std::log(s(i, 0)) - Z(i, targets[static_cast<size_t>(i)]);
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
  require_lazy(logits.rows() == targets.rows() && logits.cols() == targets.cols() && logits.size() > 0,
          "bce_with_logits", [&] {
    return "logits " + logits.shape() + " and targets " + shape_str(targets) +
        " must have one non-empty shape";
  });
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
  require_lazy(pred.rows() == target.rows() && pred.cols() == target.cols() && pred.size() > 0, "mse", [&] {
    return "pred " + pred.shape() + " and target " + shape_str(target) + " must have one non-empty shape";
  });
  Mat<T> out(1, 1);
  out(0, 0) = (pred.value() - target).squaredNorm() / T(pred.size());
  return Var<T>::make(std::move(out), {pred},
      [target](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        if (gin[0]) *gin[0] += (T(2) * g(0, 0) / T(target.size())) * (self.inputs[0]->value - target);
      }, "mse");
}

#define INST(T)                                                                         \
  template Var<T> layer_norm(const Var<T>&, const Var<T>&, const Var<T>&, T);           \
  template Var<T> embedding_bag(const Var<T>&, std::shared_ptr<const Bags<T>>);                      \
  template Var<T> embedding_bag(const Var<T>&, const std::vector<int>&, const std::vector<int>&, \
                                const Mat<T>&);                                         \
  template Var<T> dropout(const Var<T>&, T, bool, Rng&);                                \
  template Var<T> cross_entropy(const Var<T>&, const std::vector<int>&);                \
  template Var<T> bce_with_logits(const Var<T>&, const Mat<T>&);                        \
  template Var<T> mse(const Var<T>&, const Mat<T>&);
ENGRAM_INSTANTIATE_FLOAT_DOUBLE(INST)
#undef INST

}  // namespace engram
