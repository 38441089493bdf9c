// engram/memory/hopfield/hopfield_layers.h — differentiable modern Hopfield layers on the core
// autodiff (Ramsauer et al. 2020, "Hopfield Networks is All You Need": Hopfield, HopfieldPooling,
// HopfieldLayer), templated on the scalar (float for models, double for gradient checks).
//
// The association (hopfield_associate), shared by the three modules:
//   Q: [S x d_k] projected state patterns, K: [P x d_k] projected stored patterns, V: [P x d_v]
//   repeat update_steps - 1 times:   Q <- softmax(beta Q K^T) K       (modern Hopfield update in
//                                                                       the association space)
//   A = softmax(beta Q K^T)          [S x P]   (masked stored patterns: exactly 0)
//   Z = A V                          [S x d_v]
// update_steps = 1 (the default) is one attention step, the layer of the paper. More steps
// iterate the Hopfield dynamics on the projected query against the projected stored patterns
// (they need no d_v == d_in); without projections K = V = Y, so update_steps = t gives exactly t
// plain updates of ModernHopfield (modern.h) — the tests check this in float.
//
// HopfieldRetrieval<T>(d_in, rng, options)             ("Hopfield" in the paper)
//   forward(R [S x d_in], Y [P x d_in], mask):
//     with projections:    Q = R W_q, K = Y W_k, V = Y W_v, then the association
//     without projections: Q = R, K = V = Y (no parameters; d_k = d_v = d_in), i.e.
//                          Z = softmax(beta R Y^T) Y, the plain modern Hopfield update
//   Parameters (projections only, Xavier-uniform, no biases): w_q [d_in x d_k],
//   w_k [d_in x d_k], w_v [d_in x d_v].
//
// HopfieldPooling<T>(d_in, rng, queries = S, options)
//   A learned state pattern per output row pools a set: forward(Y [P x d_in], mask):
//     with projections:    Q = query [S x d_k] (learned directly in the association space, the
//                          product R W_q of the paper collapsed into one parameter),
//                          K = Y W_k, V = Y W_v             -> [S x d_v]
//     without projections: Q = query [S x d_in], K = V = Y  -> [S x d_in]
//   Parameters: query, then w_k, w_v (projections only).
//
// HopfieldLayer<T>(d_in, num_patterns, rng, options)
//   A lookup layer: learned stored patterns Y = "patterns" [P x d_in] (N(0, 1/d_in)); the input
//   attends to them through a HopfieldRetrieval child ("retrieval"):
//     forward(R [S x d_in], mask) = retrieval(R, patterns, mask)  -> [S x d_v]
//   With projections, keys and values are patterns W_k and patterns W_v.
//
// Options (HopfieldOptions; 0 = default): d_k (d_in), d_v (d_in), beta (1/sqrt(d_k)),
// update_steps (1), projections (true). Without projections d_k and d_v must be 0 or d_in.
//
// CONTRACT of every forward:
//   requires  S, P >= 1, widths as above; mask null, [1 x P] (the same masked stored patterns
//             for every state, e.g. padding) or [S x P]; non-zero = masked; no row masks every
//             stored pattern.
//   ensures   output [S x d_v]; weights [S x P], the final softmax, rows >= 0 summing to 1, exactly
//             0 where masked. Differentiable in every input and parameter (Jacobian-checked in
//             double). Bad shapes throw std::invalid_argument naming the module and the shapes.
//   const and thread-safe.
#pragma once

#include "core/module.h"
#include "core/ops.h"
#include "core/options.h"
#include "core/rng.h"

#include <type_traits>

namespace engram::hopfield {

template <class T>
struct HopfieldResult {
  Var<T> output;   // [S x d_v]
  Var<T> weights;  // [S x P]
};

struct HopfieldOptions {
  Index d_k = 0;           // association width; 0 -> d_in
  Index d_v = 0;           // output width; 0 -> d_in
  double beta = 0;         // inverse temperature > 0; 0 -> 1/sqrt(d_k)
  int update_steps = 1;    // >= 1
  bool projections = true;
};

// Reads d_k, d_v, beta, update_steps, projections from `o` (does not call finish(): the caller
// may read more keys first).
HopfieldOptions hopfield_options(const Options& o);

// The association above. q: [S x d_k], k: [P x d_k], v: [P x d_v]; beta > 0; update_steps >= 1;
// mask null, [1 x P] or [S x P]. `where` names the caller in errors.
template <class T>
HopfieldResult<T> hopfield_associate(const Var<T>& q, const Var<T>& k, const Var<T>& v, T beta, int update_steps,
                                     const std::type_identity_t<Mat<T>>* mask = nullptr,
                                     const char* where = "hopfield_associate");

template <class T>
class HopfieldRetrieval : public Module<T> {
 public:
  HopfieldRetrieval(Index d_in, Rng& rng, const HopfieldOptions& options = {});

  HopfieldResult<T> forward(const Var<T>& r, const Var<T>& y, const Mat<T>* mask = nullptr) const;
  HopfieldResult<T> operator()(const Var<T>& r, const Var<T>& y, const Mat<T>* mask = nullptr) const {
    return forward(r, y, mask);
  }

  Index d_in() const { return d_in_; }
  Index d_k() const { return d_k_; }
  Index d_v() const { return d_v_; }
  T beta() const { return beta_; }
  int update_steps() const { return steps_; }
  bool projections() const { return proj_; }

  Var<T> w_q, w_k, w_v;  // undefined without projections

 private:
  Index d_in_, d_k_, d_v_;
  T beta_;
  int steps_;
  bool proj_;
};

template <class T>
class HopfieldPooling : public Module<T> {
 public:
  HopfieldPooling(Index d_in, Rng& rng, Index queries = 1, const HopfieldOptions& options = {});

  HopfieldResult<T> forward(const Var<T>& y, const Mat<T>* mask = nullptr) const;
  HopfieldResult<T> operator()(const Var<T>& y, const Mat<T>* mask = nullptr) const { return forward(y, mask); }

  Index d_in() const { return d_in_; }
  Index d_k() const { return d_k_; }
  Index d_v() const { return d_v_; }
  Index queries() const { return query.rows(); }
  T beta() const { return beta_; }
  int update_steps() const { return steps_; }
  bool projections() const { return proj_; }

  Var<T> query;     // [S x d_k]
  Var<T> w_k, w_v;  // undefined without projections

 private:
  Index d_in_, d_k_, d_v_;
  T beta_;
  int steps_;
  bool proj_;
};

template <class T>
class HopfieldLayer : public Module<T> {
 public:
  HopfieldLayer(Index d_in, Index num_patterns, Rng& rng, const HopfieldOptions& options = {});

  HopfieldResult<T> forward(const Var<T>& r, const Mat<T>* mask = nullptr) const;
  HopfieldResult<T> operator()(const Var<T>& r, const Mat<T>* mask = nullptr) const { return forward(r, mask); }

  Index num_patterns() const { return patterns.rows(); }

  Var<T> patterns;                // [P x d_in]
  HopfieldRetrieval<T> retrieval;
};

}  // namespace engram::hopfield
