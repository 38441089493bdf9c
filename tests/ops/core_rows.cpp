// The op table's rows for core/ops.h (core/op_table.h). Smooth ops must reach a relative
// Jacobian error below 1e-6. Non-smooth ops (abs, relu, max) are checked away from their kinks,
// where they are smooth: inputs are drawn so that no element lies within 1e-3 of 0.
#include "core/op_table.h"

#include <limits>

namespace engram {

namespace {

template <class T>
Mat<T> mat(Index r, Index c, std::initializer_list<double> v) {
  Mat<T> m(r, c);
  Index i = 0;
  for (double x : v) m.data()[i++] = T(x);
  return m;
}

// A fixed [r x c] matrix with entries in [-1, 1) (the same for float and double).
template <class T>
Mat<T> fixed(Index r, Index c, std::uint64_t seed) {
  Rng rng(seed, "op-table-constant");
  return random_matrix(r, c, rng).cast<T>();
}

const bool core_rows = add_op_cases({
    op_case("matmul", "matmul", {{3, 4}, {4, 2}}, ENGRAM_OP_EXPR(matmul(x[0], x[1]))),
    op_case("matmul_nt", "matmul_nt", {{3, 4}, {5, 4}}, ENGRAM_OP_EXPR(matmul_nt(x[0], x[1]))),
    op_case("outer (row, col)", "outer", {{1, 3}, {4, 1}}, ENGRAM_OP_EXPR(outer(x[0], x[1]))),
    op_case("transpose", "transpose", {{2, 5}}, ENGRAM_OP_EXPR(transpose(x[0]))),
    op_case("add", "add", {{3, 4}, {3, 4}}, ENGRAM_OP_EXPR(add(x[0], x[1]))),
    op_case("add row broadcast", "add", {{3, 4}, {1, 4}}, ENGRAM_OP_EXPR(add(x[0], x[1]))),
    op_case("add col broadcast", "add", {{3, 1}, {3, 4}}, ENGRAM_OP_EXPR(add(x[0], x[1]))),
    op_case("add scalar broadcast", "add", {{3, 4}, {1, 1}}, ENGRAM_OP_EXPR(add(x[0], x[1]))),
    op_case("add outer broadcast", "add", {{3, 1}, {1, 4}}, ENGRAM_OP_EXPR(add(x[0], x[1]))),
    op_case("sub", "sub", {{3, 4}, {1, 4}}, ENGRAM_OP_EXPR(sub(x[0], x[1]))),
    op_case("mul", "mul", {{3, 4}, {3, 4}}, ENGRAM_OP_EXPR(mul(x[0], x[1]))),
    op_case("mul col broadcast", "mul", {{3, 4}, {3, 1}}, ENGRAM_OP_EXPR(mul(x[0], x[1]))),
    op_case("div", "div", {{3, 4}, {3, 4}}, ENGRAM_OP_EXPR(div(x[0], x[1])), 0.5, 2),
    op_case("div row broadcast", "div", {{3, 4}, {1, 4}}, ENGRAM_OP_EXPR(div(x[0], x[1])), 0.5, 2),
    op_case("add_scalar", "add_scalar", {{2, 3}}, ENGRAM_OP_EXPR(add_scalar(x[0], T(1.5)))),
    op_case("scale", "scale", {{2, 3}}, ENGRAM_OP_EXPR(scale(x[0], T(-2.5)))),
    op_case("rsub_scalar", "rsub_scalar", {{2, 3}}, ENGRAM_OP_EXPR(rsub_scalar(x[0], T(1)))),
    op_case("neg", "neg", {{2, 3}}, ENGRAM_OP_EXPR(neg(x[0]))),
    op_case("exp", "exp", {{2, 3}}, ENGRAM_OP_EXPR(exp(x[0]))),
    op_case("log", "log", {{2, 3}}, ENGRAM_OP_EXPR(log(x[0])), 0.2, 3),
    op_case("sqrt", "sqrt", {{2, 3}}, ENGRAM_OP_EXPR(sqrt(x[0])), 0.2, 3),
    op_case("pow 2.5", "pow", {{2, 3}}, ENGRAM_OP_EXPR(pow(x[0], T(2.5))), 0.2, 3),
    op_case("pow 3 (negative base)", "pow", {{2, 3}}, ENGRAM_OP_EXPR(pow(x[0], T(3)))),
    op_case("abs (off the kink)", "abs", {{2, 3}}, ENGRAM_OP_EXPR(abs(x[0]))),
    op_case("tanh", "tanh", {{2, 3}}, ENGRAM_OP_EXPR(tanh(x[0])), -3, 3),
    op_case("sigmoid", "sigmoid", {{2, 3}}, ENGRAM_OP_EXPR(sigmoid(x[0])), -4, 4),
    op_case("relu (off the kink)", "relu", {{2, 3}}, ENGRAM_OP_EXPR(relu(x[0]))),
    op_case("softplus", "softplus", {{2, 3}}, ENGRAM_OP_EXPR(softplus(x[0])), -5, 5),
    op_case("oneplus", "oneplus", {{2, 3}}, ENGRAM_OP_EXPR(oneplus(x[0])), -5, 5),
    op_case("sum", "sum", {{3, 4}}, ENGRAM_OP_EXPR(sum(x[0]))),
    op_case("sum axis 0", "sum", {{3, 4}}, ENGRAM_OP_EXPR(sum(x[0], 0))),
    op_case("sum axis 1", "sum", {{3, 4}}, ENGRAM_OP_EXPR(sum(x[0], 1))),
    op_case("mean", "mean", {{3, 4}}, ENGRAM_OP_EXPR(mean(x[0]))),
    op_case("mean axis 0", "mean", {{3, 4}}, ENGRAM_OP_EXPR(mean(x[0], 0))),
    op_case("mean axis 1", "mean", {{3, 4}}, ENGRAM_OP_EXPR(mean(x[0], 1))),
    op_case("max axis 0 (distinct values)", "max", {{3, 4}}, ENGRAM_OP_EXPR(max(x[0], 0))),
    op_case("max axis 1 (distinct values)", "max", {{3, 4}}, ENGRAM_OP_EXPR(max(x[0], 1))),
    op_case("softmax", "softmax", {{3, 5}}, ENGRAM_OP_EXPR(softmax(x[0]))),
    op_case("softmax beta 3", "softmax", {{3, 5}}, ENGRAM_OP_EXPR(softmax(x[0], T(3)))),
    op_case("log_softmax beta 0.5", "log_softmax", {{3, 5}}, ENGRAM_OP_EXPR(log_softmax(x[0], T(0.5)))),
    op_case("logsumexp beta 2", "logsumexp", {{3, 5}}, ENGRAM_OP_EXPR(logsumexp(x[0], T(2)))),
    op_case("sparsemax (several in the support)", "sparsemax", {{3, 5}}, ENGRAM_OP_EXPR(sparsemax(x[0])), -0.3, 0.3),
    op_case("sparsemax (sparse rows)", "sparsemax", {{3, 5}}, ENGRAM_OP_EXPR(sparsemax(scale(x[0], T(3))))),
    op_case("masked_fill row mask", "masked_fill", {{3, 4}},
            ENGRAM_OP_EXPR(masked_fill(x[0], mat<T>(1, 4, {0, 1, 0, 1}), T(-5)))),
    op_case("masked_fill then softmax", "masked_fill", {{2, 4}},
            ENGRAM_OP_EXPR(softmax(masked_fill(x[0], mat<T>(2, 4, {1, 0, 0, 0, 0, 0, 1, 1}),
                                               -std::numeric_limits<T>::infinity())))),
    op_case("dot_softmax", "dot_softmax", {{3, 4}, {5, 4}}, ENGRAM_OP_EXPR(dot_softmax(x[0], x[1], T(0.7)))),
    op_case("dot_softmax with a [m x n] mask", "dot_softmax", {{2, 3}, {4, 3}}, ENGRAM_OP_EXPR(([&] {
              const Mat<T> m = mat<T>(2, 4, {1, 0, 0, 0, 0, 0, 1, 1});
              return dot_softmax(x[0], x[1], T(1.3), &m);
            })())),
    op_case("dot_softmax with a [1 x n] mask", "dot_softmax", {{3, 2}, {4, 2}}, ENGRAM_OP_EXPR(([&] {
              const Mat<T> m = mat<T>(1, 4, {0, 1, 0, 0});
              return dot_softmax(x[0], x[1], T(1), &m);
            })())),
    op_case("concat rows", "concat", {{2, 3}, {1, 3}, {3, 3}}, ENGRAM_OP_EXPR(concat(x, 0))),
    op_case("concat cols", "concat", {{2, 3}, {2, 1}}, ENGRAM_OP_EXPR(concat(x, 1))),
    op_case("slice_rows", "slice_rows", {{5, 3}}, ENGRAM_OP_EXPR(slice_rows(x[0], 1, 3))),
    op_case("slice_cols", "slice_cols", {{3, 5}}, ENGRAM_OP_EXPR(slice_cols(x[0], 2, 2))),
    op_case("reshape", "reshape", {{3, 4}}, ENGRAM_OP_EXPR(reshape(x[0], 2, 6))),
    op_case("gather_rows (repeated ids)", "gather_rows", {{5, 3}}, ENGRAM_OP_EXPR(gather_rows(x[0], {4, 0, 4, 2}))),
    op_case("embedding_bag (plain sums, repeated ids, an empty bag)", "embedding_bag", {{5, 3}},
            ENGRAM_OP_EXPR(embedding_bag(x[0], {4, 0, 4, 2, 1}, {0, 3, 3, 5}, Mat<T>()))),
    op_case("embedding_bag (per-word, per-dim weights)", "embedding_bag", {{5, 3}},
            ENGRAM_OP_EXPR(embedding_bag(x[0], {1, 3, 1, 0}, {0, 1, 4}, fixed<T>(4, 3, 4)))),
    op_case("segment_dot (an empty set)", "segment_dot", {{3, 4}, {5, 4}}, ENGRAM_OP_EXPR(segment_dot(x[0], x[1], {0, 2, 2, 5}))),
    op_case("segment_softmax (an empty set)", "segment_softmax", {{5, 1}}, ENGRAM_OP_EXPR(segment_softmax(x[0], {0, 3, 3, 5}))),
    op_case("segment_softmax beta 2.5", "segment_softmax", {{4, 1}}, ENGRAM_OP_EXPR(segment_softmax(x[0], {0, 1, 4}, T(2.5)))),
    op_case("segment_softmax with sinks (an empty set, a set without)", "segment_softmax", {{5, 1}},
            ENGRAM_OP_EXPR(segment_softmax(x[0], {0, 3, 3, 5}, T(1.5), std::vector<T>{T(2), T(1), T(0)}))),
    op_case("segment_weighted_sum (an empty set)", "segment_weighted_sum", {{5, 1}, {5, 3}},
            ENGRAM_OP_EXPR(segment_weighted_sum(x[0], x[1], {0, 2, 2, 5}))),
    op_case("cosine_similarity", "cosine_similarity", {{4, 3}, {4, 3}}, ENGRAM_OP_EXPR(cosine_similarity(x[0], x[1]))),
    op_case("cosine_similarity broadcast key", "cosine_similarity", {{5, 3}, {1, 3}},
            ENGRAM_OP_EXPR(cosine_similarity(x[0], x[1]))),
    op_case("circular_conv K=3", "circular_conv", {{1, 6}, {1, 3}}, ENGRAM_OP_EXPR(circular_conv(x[0], x[1]))),
    op_case("circular_conv K=5", "circular_conv", {{1, 5}, {1, 5}}, ENGRAM_OP_EXPR(circular_conv(x[0], x[1]))),
    op_case("circular_conv (three rows, a kernel each)", "circular_conv", {{3, 6}, {3, 3}}, ENGRAM_OP_EXPR(circular_conv(x[0], x[1]))),
    op_case("layer_norm", "layer_norm", {{3, 5}, {1, 5}, {1, 5}}, ENGRAM_OP_EXPR(layer_norm(x[0], x[1], x[2]))),
    op_case("dropout (fixed mask)", "dropout", {{3, 4}}, ENGRAM_OP_EXPR([&] {
              Rng r(3, "dropout-cases");  // the same mask at every evaluation
              return dropout(x[0], T(0.3), true, r);
            }())),
    op_case("lstm_cell", "lstm_cell", {{2, 12}, {2, 3}}, ENGRAM_OP_EXPR(lstm_cell(x[0], x[1])), -2, 2),
    op_case("gru_cell", "gru_cell", {{2, 9}, {2, 9}, {2, 3}}, ENGRAM_OP_EXPR(gru_cell(x[0], x[1], x[2])), -2, 2),
    op_case("cross_entropy", "cross_entropy", {{4, 5}}, ENGRAM_OP_EXPR(cross_entropy(x[0], {0, 4, 2, 2}))),
    op_case("bce_with_logits", "bce_with_logits", {{3, 4}},
            ENGRAM_OP_EXPR(bce_with_logits(x[0], mat<T>(3, 4, {0, 1, 0.5, 1, 1, 0, 0, 0.2, 0.9, 1, 0, 1}))), -3, 3),
    op_case("mse", "mse", {{3, 4}}, ENGRAM_OP_EXPR(mse(x[0], Mat<T>(Mat<T>::Constant(3, 4, T(0.3)))))),
});

}  // namespace

}  // namespace engram
