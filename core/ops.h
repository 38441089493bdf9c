// engram/core/ops.h — differentiable ops. Each is a free function: it computes its value,
// captures only what its backward needs and returns a new Var (see core/variable.h for the
// backward contract). Definitions live in ops_*.cpp, each op's backward beside its forward,
// instantiated for float and double.
//
// Shapes: values are 2-D. "Rows" are examples/slots/time steps, "cols" are features. Axis 0
// reduces over rows (result [1 x c]); axis 1 reduces over cols (result [r x 1]).
// Elementwise binary ops broadcast numpy-style in 2-D: each dimension must match or be 1.
#pragma once

#include "core/variable.h"

#include <memory>
#include <vector>

namespace engram {

class Rng;

// ---- linear algebra ------------------------------------------------------------------------
// a: [n x k]  b: [k x m]  -> [n x m]
template <class T> Var<T> matmul(const Var<T>& a, const Var<T>& b);
// a: [n x k]  b: [m x k]  -> a b^T: [n x m]  (saves a transpose in attention scores)
template <class T> Var<T> matmul_nt(const Var<T>& a, const Var<T>& b);
// u, v: vectors (any orientation) of n and m elements -> u v^T: [n x m]
template <class T> Var<T> outer(const Var<T>& u, const Var<T>& v);
// x: [r x c] -> [c x r]
template <class T> Var<T> transpose(const Var<T>& x);

// ---- elementwise, broadcasting -------------------------------------------------------------
template <class T> Var<T> add(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> sub(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> mul(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> div(const Var<T>& a, const Var<T>& b);
// with a scalar constant
template <class T> Var<T> add_scalar(const Var<T>& x, T s);
template <class T> Var<T> scale(const Var<T>& x, T s);
// s - x (e.g. 1 - gate)
template <class T> Var<T> rsub_scalar(const Var<T>& x, T s);

template <class T> Var<T> operator+(const Var<T>& a, const Var<T>& b) { return add(a, b); }
template <class T> Var<T> operator-(const Var<T>& a, const Var<T>& b) { return sub(a, b); }
template <class T> Var<T> operator*(const Var<T>& a, const Var<T>& b) { return mul(a, b); }
template <class T> Var<T> operator/(const Var<T>& a, const Var<T>& b) { return div(a, b); }
template <class T> Var<T> operator+(const Var<T>& x, T s) { return add_scalar(x, s); }
template <class T> Var<T> operator*(const Var<T>& x, T s) { return scale(x, s); }
template <class T> Var<T> operator*(T s, const Var<T>& x) { return scale(x, s); }
template <class T> Var<T> operator-(T s, const Var<T>& x) { return rsub_scalar(x, s); }

// ---- elementwise, unary --------------------------------------------------------------------
template <class T> Var<T> neg(const Var<T>& x);
template <class T> Var<T> operator-(const Var<T>& x) { return neg(x); }
template <class T> Var<T> exp(const Var<T>& x);
template <class T> Var<T> log(const Var<T>& x);            // x > 0
template <class T> Var<T> sqrt(const Var<T>& x);           // x > 0 for a finite gradient
template <class T> Var<T> pow(const Var<T>& x, T p);       // x^p; x > 0 unless p is an integer
template <class T> Var<T> abs(const Var<T>& x);            // gradient sign(x), 0 at 0
template <class T> Var<T> tanh(const Var<T>& x);
template <class T> Var<T> sigmoid(const Var<T>& x);
template <class T> Var<T> relu(const Var<T>& x);           // gradient 0 at 0
template <class T> Var<T> softplus(const Var<T>& x);       // log(1 + e^x), stable
// oneplus(x) = 1 + softplus(x) (NTM/DNC key strengths and sharpening)
template <class T> Var<T> oneplus(const Var<T>& x);

// ---- reductions ----------------------------------------------------------------------------
template <class T> Var<T> sum(const Var<T>& x);                 // -> [1 x 1]
template <class T> Var<T> sum(const Var<T>& x, int axis);       // axis 0 -> [1 x c]; 1 -> [r x 1]
template <class T> Var<T> mean(const Var<T>& x);
template <class T> Var<T> mean(const Var<T>& x, int axis);
// max along an axis; the gradient is routed to the first arg-max of each row/col.
template <class T> Var<T> max(const Var<T>& x, int axis);

// ---- normalizers over each row, with inverse temperature beta ------------------------------
// softmax(beta * x) per row: [r x c] -> [r x c]
template <class T> Var<T> softmax(const Var<T>& x, T beta = T(1));
// log softmax(beta * x) per row
template <class T> Var<T> log_softmax(const Var<T>& x, T beta = T(1));
// (1/beta) log sum_j exp(beta * x_ij) per row: [r x c] -> [r x 1]
template <class T> Var<T> logsumexp(const Var<T>& x, T beta = T(1));

// sparsemax per row (Martins & Astudillo 2016): the Euclidean projection of each row onto the
// probability simplex; sparse weights that sum to 1. Entries of -inf get weight 0.
template <class T> Var<T> sparsemax(const Var<T>& x);
// x with `value` where mask != 0 (no gradient there). mask: x's shape, [1 x c] (same mask for
// every row, e.g. padding) or [r x 1]. masked_fill(scores, mask, -inf) before softmax gives
// masked positions exactly zero weight.
template <class T> Var<T> masked_fill(const Var<T>& x, const std::type_identity_t<Mat<T>>& mask, T value);
// Attention weights in one op: softmax(beta * q k^T) per row, q [m x d], k [n x d] -> [m x n];
// mask null or [1|m x n] (non-zero = masked: weight exactly 0; no row may mask every key). The
// same values as softmax(masked_fill(matmul_nt(q, k), *mask, -inf), beta), computed a block of
// query rows at a time so that the scores are normalised while in cache: no [m x n] scores
// matrix, and its gradient is not materialised in the backward pass either.
template <class T>
Var<T> dot_softmax(const Var<T>& q, const Var<T>& k, T beta = T(1), const std::type_identity_t<Mat<T>>* mask = nullptr);

// ---- shape ---------------------------------------------------------------------------------
// axis 0 stacks rows (all must share cols), axis 1 stacks cols (all must share rows)
template <class T> Var<T> concat(const std::vector<Var<T>>& xs, int axis);
template <class T> Var<T> slice_rows(const Var<T>& x, Index start, Index count);
template <class T> Var<T> slice_cols(const Var<T>& x, Index start, Index count);
// same elements, row-major order kept: [r x c] -> [rows x cols], r*c == rows*cols
template <class T> Var<T> reshape(const Var<T>& x, Index rows, Index cols);
// table: [V x d], idx: n ids in [0, V) -> [n x d]. The backward scatter-adds into the n
// selected rows only (a sparse gradient: cost O(n d), not O(V d)).
template <class T> Var<T> gather_rows(const Var<T>& table, const std::vector<int>& idx);

// ---- ragged batches: attention over sets of different sizes --------------------------------
// A ragged batch stacks the rows of S sets in one matrix: set s owns rows offsets[s] ..
// offsets[s+1] (offsets: S + 1 positions, 0 = offsets[0] <= ... <= offsets[S] = R; empty sets
// allowed). One graph then holds a batch of stories of different lengths with no padding and
// no masks: MemN2N's hops over a batch are segment_dot, segment_softmax, segment_weighted_sum.
// u: [S x d], m: [R x d] -> [R x 1], row r of set s = u_s . m_r   (each set's query scores its rows)
template <class T> Var<T> segment_dot(const Var<T>& u, const Var<T>& m, const std::vector<int>& offsets);
// x: [R x 1] -> [R x 1], softmax(beta * x) within each set
template <class T> Var<T> segment_softmax(const Var<T>& x, const std::vector<int>& offsets, T beta = T(1));
// The same with sink[s] >= 0 more members of set s whose score is 0 and which are not returned:
// row r of set s = exp(beta x_r) / (sum_{q in set} exp(beta x_q) + sink[s]). The rows of a set
// then sum to less than 1; the rest is the sinks' share (MemN2N's empty memory slots).
// sink: one entry per set.
template <class T>
Var<T> segment_softmax(const Var<T>& x, const std::vector<int>& offsets, T beta, const std::vector<T>& sink);
// p: [R x 1], c: [R x d] -> [S x d], row s = sum_{r in set s} p_r c_r   (an empty set gives zeros)
template <class T> Var<T> segment_weighted_sum(const Var<T>& p, const Var<T>& c, const std::vector<int>& offsets);

// ---- similarity and location ---------------------------------------------------------------
// a: [r x c], b: [r x c] or [1 x c] (broadcast to every row) -> [r x 1]
//   cos_i = a_i . b_i / (max(|a_i|, eps) * max(|b_i|, eps))
template <class T> Var<T> cosine_similarity(const Var<T>& a, const Var<T>& b, T eps = T(1e-8));
// Circular 1-D convolution for location-based shifts (NTM):
// w: [1 x N] weighting, s: [1 x K] shift distribution over offsets -(K-1)/2 .. (K-1)/2
// (K odd, K <= N) -> [1 x N], out_i = sum_j w_{(i - j + (K-1)/2) mod N} s_j
template <class T> Var<T> circular_conv(const Var<T>& w, const Var<T>& s);

// ---- layers --------------------------------------------------------------------------------
// Per-row normalization: (x - mean) / sqrt(var + eps) * gamma + beta,
// x: [r x c], gamma, beta: [1 x c]
template <class T>
Var<T> layer_norm(const Var<T>& x, const Var<T>& gamma, const Var<T>& beta, T eps = T(1e-5));
// Weighted embedding bag: a fused gather and weighted sum per bag (bag-of-words and position
// encodings of sentences, as in MemN2N), one node instead of a gather, a product and a sum per bag.
//   table: [V x d]  ids: n ids in [0, V)
//   offsets: bags + 1 positions, 0 = offsets[0] <= offsets[1] <= ... <= offsets[bags] = n;
//            bag b holds ids[offsets[b] .. offsets[b+1])
//   weights: [n x d] per-word, per-dimension constants, or empty ([0 x 0]) for all ones
//   -> [bags x d], row b = sum_{i in bag b} weights_i * table[ids_i]  (elementwise; an empty bag
//      gives a zero row)
// No gradient for the weights. The backward scatter-adds into the used rows only: O(n d).
template <class T>
Var<T> embedding_bag(const Var<T>& table, const std::vector<int>& ids, const std::vector<int>& offsets,
                     const std::type_identity_t<Mat<T>>& weights);
// The same over bags held by shared pointer: the nodes of several tables reading the same
// sentences (MemN2N's K + 1 embeddings) share one copy instead of each capturing its own.
template <class T>
struct Bags {
  std::vector<int> ids;      // n ids
  std::vector<int> offsets;  // bags + 1 positions
  Mat<T> weights;            // [n x d], or [0 x 0] for all ones
};
template <class T> Var<T> embedding_bag(const Var<T>& table, std::shared_ptr<const Bags<T>> bags);
// Inverted dropout: in training, zero each element with probability p and scale the rest by
// 1/(1-p); in evaluation, the identity. The mask comes from `rng`.
template <class T> Var<T> dropout(const Var<T>& x, T p, bool training, Rng& rng);

// ---- recurrent cells -----------------------------------------------------------------------
// The LSTM cell update from the gate pre-activations, one node instead of thirteen (four slices,
// three sigmoids, two tanh, three products and a sum; see networks/controller.h; the cost of
// both is measured by bench/networks/bench_controller):
//   z: [n x 4H] pre-activations, gate blocks in the order i, f, o, g;  c: [n x H] previous cell
//   i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);  g = tanh(z_g)
//   c' = f * c + i * g;  h' = o * tanh(c')
//   -> [n x 2H] = [h' | c']  (take them with slice_cols(out, 0, H) and slice_cols(out, H, H))
template <class T> Var<T> lstm_cell(const Var<T>& z, const Var<T>& c);
// The GRU cell update (Cho et al. 2014, the form with the reset gate applied after the hidden
// product, as cuDNN and PyTorch compute it), one node:
//   xz = x W_x + b_x, hz = h W_h + b_h: [n x 3H] pre-activations, blocks in the order r, z, n;
//   h: [n x H] the previous state
//   r = sigmoid(xz_r + hz_r);  z = sigmoid(xz_z + hz_z);  m = tanh(xz_n + r * hz_n)
//   -> h' = (1 - z) * m + z * h  [n x H]
template <class T> Var<T> gru_cell(const Var<T>& xz, const Var<T>& hz, const Var<T>& h);

// ---- losses (each -> [1 x 1], the mean over rows/elements) --------------------------------
// logits: [n x C], targets: n class ids in [0, C)
template <class T> Var<T> cross_entropy(const Var<T>& logits, const std::vector<int>& targets);
// logits, targets: same shape, targets in [0, 1]
template <class T> Var<T> bce_with_logits(const Var<T>& logits, const std::type_identity_t<Mat<T>>& targets);
// pred, target: same shape
template <class T> Var<T> mse(const Var<T>& pred, const std::type_identity_t<Mat<T>>& target);

// A constant (no gradient) leaf.
template <class T> Var<T> constant(std::type_identity_t<Mat<T>> value) { return Var<T>(std::move(value), false); }

}  // namespace engram
