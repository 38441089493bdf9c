#include "memory/hopfield/hopfield_layers.h"

#include "core/init.h"

#include <cmath>
#include <limits>
#include <string>

namespace engram::hopfield {

namespace {

// The options with their defaults filled in, validated against d_in.
struct Resolved {
  Index d_k, d_v;
  double beta;
  int steps;
  bool proj;
};

Resolved resolve(const char* where, Index d_in, const HopfieldOptions& o) {
  require(d_in > 0, where, "d_in must be > 0, got " + std::to_string(d_in));
  require(o.d_k >= 0 && o.d_v >= 0, where,
          "d_k and d_v must be >= 0 (0 = d_in), got d_k=" + std::to_string(o.d_k) + " d_v=" + std::to_string(o.d_v));
  require(o.beta >= 0 && std::isfinite(o.beta), where, "beta must be > 0 (0 = 1/sqrt(d_k)), got " + num_str(o.beta));
  require(o.update_steps >= 1, where, "update_steps must be >= 1, got " + std::to_string(o.update_steps));
  Resolved r;
  r.d_k = o.d_k ? o.d_k : d_in;
  r.d_v = o.d_v ? o.d_v : d_in;
  if (!o.projections)
    require(r.d_k == d_in && r.d_v == d_in, where,
            "without projections d_k and d_v are d_in = " + std::to_string(d_in) + ", got d_k=" +
                std::to_string(o.d_k) + " d_v=" + std::to_string(o.d_v));
  r.beta = o.beta > 0 ? o.beta : 1.0 / std::sqrt(double(r.d_k));
  r.steps = o.update_steps;
  r.proj = o.projections;
  return r;
}

// mask must be [1 x P] or [S x P] and leave every row at least one stored pattern.
template <class T>
void check_mask(const char* where, const Mat<T>& mask, Index S, Index P) {
  require((mask.rows() == 1 || mask.rows() == S) && mask.cols() == P, where,
          "mask " + shape_str(mask) + " must be [1 x " + std::to_string(P) + "] or " + shape_str(S, P));
  for (Index i = 0; i < mask.rows(); ++i)
    require((mask.row(i).array() == T(0)).any(), where,
            "mask row " + std::to_string(i) + " of " + shape_str(mask) + " masks every stored pattern");
}

}  // namespace

HopfieldOptions hopfield_options(const Options& o) {
  HopfieldOptions h;
  h.d_k = static_cast<Index>(o.integer("d_k", 0, 0));
  h.d_v = static_cast<Index>(o.integer("d_v", 0, 0));
  h.beta = o.number("beta", 0.0, 0.0);
  h.update_steps = static_cast<int>(o.integer("update_steps", 1, 1, 1000));
  h.projections = o.boolean("projections", true);
  return h;
}

template <class T>
HopfieldResult<T> hopfield_associate(const Var<T>& q, const Var<T>& k, const Var<T>& v, T beta, int update_steps,
                                     const std::type_identity_t<Mat<T>>* mask, const char* where) {
  const Index S = q.rows(), P = k.rows();
  require(S >= 1 && P >= 1 && q.cols() >= 1 && q.cols() == k.cols() && v.rows() == P && v.cols() >= 1, where,
          "q " + q.shape() + ", k " + k.shape() + ", v " + v.shape() +
              " do not fit [S x d_k], [P x d_k], [P x d_v] with S, P >= 1");
  require(beta > T(0) && std::isfinite(double(beta)), where, "beta must be > 0, got " + num_str(double(beta)));
  require(update_steps >= 1, where, "update_steps must be >= 1, got " + std::to_string(update_steps));
  if (mask) check_mask(where, *mask, S, P);
  Var<T> query = q;                                      // [S x d_k]
  for (int t = 1;; ++t) {
    Var<T> s = matmul_nt(query, k);                      // [S x d_k][P x d_k]^T -> [S x P]
    if (mask) s = masked_fill(s, *mask, -std::numeric_limits<T>::infinity());  // mask [1|S x P]
    const Var<T> a = softmax(s, beta);                   // softmax(beta s) per row: [S x P]
    if (t == update_steps) return {matmul(a, v), a};     // [S x P][P x d_v] -> [S x d_v]
    query = matmul(a, k);                                // Hopfield update: [S x P][P x d_k] -> [S x d_k]
  }
}

// ---- HopfieldRetrieval ---------------------------------------------------------------------

template <class T>
HopfieldRetrieval<T>::HopfieldRetrieval(Index d_in, Rng& rng, const HopfieldOptions& options) {
  const Resolved r = resolve("HopfieldRetrieval", d_in, options);
  d_in_ = d_in;
  d_k_ = r.d_k;
  d_v_ = r.d_v;
  beta_ = T(r.beta);
  steps_ = r.steps;
  proj_ = r.proj;
  if (proj_) {
    w_q = this->add_parameter("w_q", init::xavier_uniform<T>(d_in, d_k_, rng));  // [d_in x d_k]
    w_k = this->add_parameter("w_k", init::xavier_uniform<T>(d_in, d_k_, rng));  // [d_in x d_k]
    w_v = this->add_parameter("w_v", init::xavier_uniform<T>(d_in, d_v_, rng));  // [d_in x d_v]
  }
}

template <class T>
HopfieldResult<T> HopfieldRetrieval<T>::forward(const Var<T>& r, const Var<T>& y, const Mat<T>* mask) const {
  const char* where = "HopfieldRetrieval";
  require(r.rows() >= 1 && y.rows() >= 1 && r.cols() == d_in_ && y.cols() == d_in_, where,
          "state patterns " + r.shape() + " and stored patterns " + y.shape() + " do not fit [S x " +
              std::to_string(d_in_) + "] and [P x " + std::to_string(d_in_) + "], S, P >= 1");
  if (!proj_) return hopfield_associate(r, y, y, beta_, steps_, mask, where);  // K = V = Y
  const Var<T> q = matmul(r, w_q);                       // [S x d_in][d_in x d_k] -> [S x d_k]
  const Var<T> k = matmul(y, w_k);                       // [P x d_in][d_in x d_k] -> [P x d_k]
  const Var<T> v = matmul(y, w_v);                       // [P x d_in][d_in x d_v] -> [P x d_v]
  return hopfield_associate(q, k, v, beta_, steps_, mask, where);
}

// ---- HopfieldPooling -----------------------------------------------------------------------

template <class T>
HopfieldPooling<T>::HopfieldPooling(Index d_in, Rng& rng, Index queries, const HopfieldOptions& options) {
  const char* where = "HopfieldPooling";
  const Resolved r = resolve(where, d_in, options);
  require(queries >= 1, where, "queries must be >= 1, got " + std::to_string(queries));
  d_in_ = d_in;
  d_k_ = r.d_k;
  d_v_ = r.d_v;
  beta_ = T(r.beta);
  steps_ = r.steps;
  proj_ = r.proj;
  query = this->add_parameter("query", init::xavier_uniform<T>(queries, d_k_, rng));  // [S x d_k]
  if (proj_) {
    w_k = this->add_parameter("w_k", init::xavier_uniform<T>(d_in, d_k_, rng));        // [d_in x d_k]
    w_v = this->add_parameter("w_v", init::xavier_uniform<T>(d_in, d_v_, rng));        // [d_in x d_v]
  }
}

template <class T>
HopfieldResult<T> HopfieldPooling<T>::forward(const Var<T>& y, const Mat<T>* mask) const {
  const char* where = "HopfieldPooling";
  require(y.rows() >= 1 && y.cols() == d_in_, where,
          "stored patterns " + y.shape() + " do not fit [P x " + std::to_string(d_in_) + "], P >= 1");
  if (!proj_) return hopfield_associate(query, y, y, beta_, steps_, mask, where);  // K = V = Y
  const Var<T> k = matmul(y, w_k);                       // [P x d_in][d_in x d_k] -> [P x d_k]
  const Var<T> v = matmul(y, w_v);                       // [P x d_in][d_in x d_v] -> [P x d_v]
  return hopfield_associate(query, k, v, beta_, steps_, mask, where);
}

// ---- HopfieldLayer -------------------------------------------------------------------------

template <class T>
HopfieldLayer<T>::HopfieldLayer(Index d_in, Index num_patterns, Rng& rng, const HopfieldOptions& options)
    : retrieval(d_in, rng, options) {
  require(num_patterns >= 1, "HopfieldLayer", "num_patterns must be >= 1, got " + std::to_string(num_patterns));
  patterns = this->add_parameter("patterns",
                                 init::normal<T>(num_patterns, d_in, 0.0, 1.0 / std::sqrt(double(d_in)), rng));
  this->add_module("retrieval", retrieval);
}

template <class T>
HopfieldResult<T> HopfieldLayer<T>::forward(const Var<T>& r, const Mat<T>* mask) const {
  require(r.rows() >= 1 && r.cols() == retrieval.d_in(), "HopfieldLayer",
          "state patterns " + r.shape() + " do not fit [S x " + std::to_string(retrieval.d_in()) + "], S >= 1");
  return retrieval(r, patterns, mask);  // [S x d_in] against [P x d_in] -> [S x d_v]
}

template HopfieldResult<float> hopfield_associate(const Var<float>&, const Var<float>&, const Var<float>&, float,
                                                  int, const MatF*, const char*);
template HopfieldResult<double> hopfield_associate(const Var<double>&, const Var<double>&, const Var<double>&,
                                                   double, int, const MatD*, const char*);
template class HopfieldRetrieval<float>;
template class HopfieldRetrieval<double>;
template class HopfieldPooling<float>;
template class HopfieldPooling<double>;
template class HopfieldLayer<float>;
template class HopfieldLayer<double>;

}  // namespace engram::hopfield
