// The composite attention forms: multi-head and self-attention, pooling, hierarchical attention,
// positional encodings, the Transformer encoder block. Each gets a double-precision Jacobian
// check (w.r.t. its inputs and every parameter), the "backward adds" checks, exact-zero masks
// and agreement with the textbook definition computed here in plain Eigen (no engram ops).
#include "attention/multi_head.h"
#include "attention/pooling.h"
#include "attention/positional.h"
#include "attention/transformer.h"
#include "core/gradcheck.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace engram;
using namespace engram::attention;

namespace {

using V = std::vector<Var<double>>;

V leaves(std::initializer_list<MatD> values) {
  V out;
  for (const auto& m : values) out.emplace_back(m, true);
  return out;
}

// inputs followed by every parameter of the module
V with_params(V inputs, const Module<double>& m) {
  for (const auto& p : m.parameters()) inputs.push_back(p);
  return inputs;
}

// Every parameter drawn anew (so that layer-norm gains, biases etc. are not 1 / 0).
void randomize(const Module<double>& m, std::uint64_t seed, double lo = -1, double hi = 1) {
  Rng rng(seed, "randomize");
  for (auto p : m.parameters()) p.mutable_value() = random_matrix(p.rows(), p.cols(), rng, lo, hi);
}


// ---- references in plain Eigen --------------------------------------------------------------

// Row-wise softmax of S; entries where mask (broadcast [1 x n] or [m x n]) is non-zero get 0.
MatD ref_softmax(const MatD& S, const MatD* mask = nullptr) {
  MatD P = MatD::Zero(S.rows(), S.cols());
  for (Index i = 0; i < S.rows(); ++i) {
    const auto masked = [&](Index j) { return mask && (*mask)(mask->rows() == 1 ? 0 : i, j) != 0; };
    double mx = -std::numeric_limits<double>::infinity();
    for (Index j = 0; j < S.cols(); ++j)
      if (!masked(j)) mx = std::max(mx, S(i, j));
    double z = 0;
    for (Index j = 0; j < S.cols(); ++j)
      if (!masked(j)) z += (P(i, j) = std::exp(S(i, j) - mx));
    P.row(i) /= z;
  }
  return P;
}

// concat_h(softmax(Q W_q^h (K W_k^h)^T / sqrt(d_k)) V W_v^h) W_o
MatD ref_mha(const MultiHeadAttention<double>& mha, const MatD& Q, const MatD& K, const MatD& Vv,
             const MatD* mask = nullptr, std::vector<MatD>* weights = nullptr) {
  const Index H = mha.heads(), dv = mha.d_v();
  MatD cat(Q.rows(), H * dv);
  for (Index h = 0; h < H; ++h) {
    const size_t i = static_cast<size_t>(h);
    const MatD Qh = Q * mha.w_q[i].value(), Kh = K * mha.w_k[i].value(), Vh = Vv * mha.w_v[i].value();
    const MatD P = ref_softmax(MatD(Qh * Kh.transpose() / std::sqrt(double(mha.d_k()))), mask);
    if (weights) weights->push_back(P);
    cat.middleCols(h * dv, dv) = P * Vh;
  }
  return cat * mha.w_o.value();
}

MatD ref_layer_norm(const MatD& X, const LayerNorm<double>& ln) {
  MatD out(X.rows(), X.cols());
  for (Index i = 0; i < X.rows(); ++i) {
    const double mu = X.row(i).mean();
    const double var = (X.row(i).array() - mu).square().mean();
    out.row(i) = ((X.row(i).array() - mu) / std::sqrt(var + 1e-5)).matrix();
    out.row(i) = out.row(i).cwiseProduct(ln.gain.value().row(0)) + ln.bias.value().row(0);
  }
  return out;
}

MatD ref_linear(const MatD& X, const Linear<double>& l) {
  MatD y = X * l.weight.value();
  y.rowwise() += l.bias.value().row(0);
  return y;
}

MatD ref_block(const TransformerEncoderBlock<double>& b, const MatD& X, const MatD* mask = nullptr) {
  const auto ffn = [&](const MatD& x) { return ref_linear(ref_linear(x, b.ff1).cwiseMax(0.0), b.ff2); };
  if (b.placement() == LayerNormPlacement::Post) {
    const MatD h = ref_layer_norm(X + ref_mha(b.attn, X, X, X, mask), b.norm1);
    return ref_layer_norm(h + ffn(h), b.norm2);
  }
  const MatD xn = ref_layer_norm(X, b.norm1);
  const MatD h = X + ref_mha(b.attn, xn, xn, xn, mask);
  return h + ffn(ref_layer_norm(h, b.norm2));
}

double max_abs_diff(const MatD& a, const MatD& b) {
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.cols() == b.cols());
  return (a - b).cwiseAbs().maxCoeff();
}

MatD row_mask(std::initializer_list<double> v) {
  MatD m(1, static_cast<Index>(v.size()));
  Index j = 0;
  for (double x : v) m(0, j++) = x;
  return m;
}

}  // namespace

// ---- multi-head attention -------------------------------------------------------------------

TEST_CASE("multi-head attention passes the Jacobian check in Q, K, V and every parameter", "[forms][gradcheck]") {
  Rng rng(1, "mha");
  MultiHeadAttention<double> mha(6, 2, 3, 2, rng);
  const V x = with_params(leaves({random_matrix(3, 6, rng), random_matrix(4, 6, rng), random_matrix(4, 6, rng)}), mha);
  REQUIRE(x.size() == 3 + 3 * 2 + 1);
  const VarFn f = [&](const V& in) { return mha(in[0], in[1], in[2]).output; };
  CHECK(check_gradient(f, x) < 1e-6);
  CHECK(check_backward_adds(f, x) < 1e-12);
  CHECK(check_graph_backward_adds(f, x) < 1e-12);

  SECTION("with a [m x n] mask, and through the returned weights") {
    MatD mask = MatD::Zero(3, 4);
    mask << 1, 0, 0, 1,  0, 1, 0, 0,  0, 0, 0, 1;
    const VarFn fm = [&](const V& in) { return mha(in[0], in[1], in[2], &mask).output; };
    CHECK(check_gradient(fm, x) < 1e-6);
    const VarFn fw = [&](const V& in) { return concat(mha(in[0], in[1], in[2], &mask).weights, 1); };
    CHECK(check_gradient(fw, x) < 1e-6);
  }
  SECTION("with attention dropout, the same mask at every evaluation") {
    MultiHeadAttention<double> drop(6, 2, 3, 2, rng, 0.3);
    const V xd = with_params({x[0], x[1], x[2]}, drop);
    const Rng base(4, "mha-dropout");
    const VarFn fd = [&](const V& in) {
      Rng r = base;
      return drop(in[0], in[1], in[2], nullptr, true, &r).output;
    };
    CHECK(check_gradient(fd, xd) < 1e-6);
    CHECK(check_graph_backward_adds(fd, xd) < 1e-12);
  }
}

TEST_CASE("multi-head attention equals concat_h(softmax(Q W_q (K W_k)^T / sqrt(d_k)) V W_v) W_o", "[forms]") {
  Rng rng(2, "mha-ref");
  for (auto [H, dk, dv] : {std::tuple<Index, Index, Index>{1, 8, 8}, {4, 3, 5}, {3, 2, 2}}) {
    INFO("heads " << H << " d_k " << dk << " d_v " << dv);
    MultiHeadAttention<double> mha(8, H, dk, dv, rng);
    const MatD Q = random_matrix(5, 8, rng, -2, 2), K = random_matrix(7, 8, rng, -2, 2),
               Vv = random_matrix(7, 8, rng, -2, 2);
    const MatD pad = row_mask({0, 1, 0, 0, 1, 0, 0});
    for (const MatD* mask : {static_cast<const MatD*>(nullptr), &pad}) {
      const auto r = mha(Var<double>(Q), Var<double>(K), Var<double>(Vv), mask);
      std::vector<MatD> ref_w;
      CHECK(max_abs_diff(r.output.value(), ref_mha(mha, Q, K, Vv, mask, &ref_w)) < 1e-12);
      REQUIRE(r.weights.size() == static_cast<size_t>(H));
      for (size_t h = 0; h < r.weights.size(); ++h) CHECK(max_abs_diff(r.weights[h].value(), ref_w[h]) < 1e-12);
    }
  }
}

TEST_CASE("multi-head attention in float agrees with double", "[forms]") {
  Rng rf(3, "mha-float"), rd(3, "mha-float");
  MultiHeadAttention<float> mf(8, 2, 4, 4, rf);
  MultiHeadAttention<double> md(8, 2, 4, 4, rd);
  Rng data(4);
  const MatD Q = random_matrix(3, 8, data), K = random_matrix(5, 8, data);
  const auto yf = mf(Var<float>(Q.cast<float>()), Var<float>(K.cast<float>()), Var<float>(K.cast<float>())).output;
  const auto yd = md(Var<double>(Q), Var<double>(K), Var<double>(K)).output;
  CHECK(max_abs_diff(yf.value().cast<double>(), yd.value()) < 1e-5);
}

TEST_CASE("masked keys get exactly zero weight in every head", "[forms][masks]") {
  Rng rng(5, "mha-mask");
  MultiHeadAttention<double> mha(6, 3, 2, 2, rng);
  const MatD Q = random_matrix(4, 6, rng), K = random_matrix(5, 6, rng), Vv = random_matrix(5, 6, rng);
  const MatD pad = row_mask({0, 1, 0, 1, 0});
  const auto r = mha(Var<double>(Q), Var<double>(K), Var<double>(Vv), &pad);
  for (const auto& w : r.weights) {
    for (Index i = 0; i < 4; ++i) {
      CHECK(w.value()(i, 1) == 0.0);
      CHECK(w.value()(i, 3) == 0.0);
      CHECK(w.value()(i, 0) > 0.0);
      CHECK(w.value().row(i).sum() == Approx(1.0).epsilon(1e-14));
    }
  }
  // padding a key is the same as removing it
  MatD K2(3, 6), V2(3, 6);
  K2 << K.row(0), K.row(2), K.row(4);
  V2 << Vv.row(0), Vv.row(2), Vv.row(4);
  const auto r2 = mha(Var<double>(Q), Var<double>(K2), Var<double>(V2));
  CHECK(max_abs_diff(r.output.value(), r2.output.value()) < 1e-12);
}

TEST_CASE("mask errors name the shapes and the fully masked row", "[forms][masks][errors]") {
  Rng rng(6, "mha-errors");
  MultiHeadAttention<double> mha(4, 2, 2, 2, rng, 0.1);
  const Var<double> q(random_matrix(2, 4, rng)), k(random_matrix(3, 4, rng));
  const MatD all = MatD::Ones(1, 3), wrong = MatD::Zero(2, 2);
  MatD row1(2, 3);
  row1 << 0, 1, 0, 1, 1, 1;
  CHECK_THROWS_WITH(mha(q, k, k, &all), Catch::Contains("masks every key"));
  CHECK_THROWS_WITH(mha(q, k, k, &row1), Catch::Contains("mask row 1"));
  CHECK_THROWS_WITH(mha(q, k, k, &wrong), Catch::Contains("[2 x 2]") && Catch::Contains("[1 x 3]"));
  CHECK_THROWS_WITH(mha(q, Var<double>(MatD::Zero(3, 5)), k), Catch::Contains("[3 x 5]"));
  CHECK_THROWS_WITH(mha(q, k, Var<double>(MatD::Zero(2, 4))), Catch::Contains("v [2 x 4]"));
  CHECK_THROWS_WITH(mha(q, k, k, nullptr, true, nullptr), Catch::Contains("needs an rng"));
  const MatD pad0 = row_mask({1, 0, 0});
  CHECK_THROWS_WITH(self_attention(mha, k, &pad0, true), Catch::Contains("mask row 0"));
  CHECK_THROWS_AS(MultiHeadAttention<double>(4, 0, 2, 2, rng), std::invalid_argument);
}

// ---- self-attention -------------------------------------------------------------------------

TEST_CASE("causal_mask is 1 strictly above the diagonal", "[forms][masks]") {
  MatD expected(3, 3);
  expected << 0, 1, 1, 0, 0, 1, 0, 0, 0;
  CHECK(causal_mask<double>(3) == expected);
  CHECK(causal_mask<float>(1) == MatF::Zero(1, 1));
}

TEST_CASE("causal self-attention puts zero weight on the future and ignores it", "[forms][masks]") {
  Rng rng(7, "causal");
  MultiHeadAttention<double> mha(6, 2, 3, 3, rng);
  const MatD X0 = random_matrix(5, 6, rng);
  MatD X = X0;
  const auto r = self_attention(mha, Var<double>(X), nullptr, true);
  const MatD causal = causal_mask<double>(5);
  CHECK(max_abs_diff(r.output.value(), ref_mha(mha, X0, X0, X0, &causal)) < 1e-12);
  REQUIRE(r.weights.size() == 2);
  for (const auto& w : r.weights)
    for (Index i = 0; i < 5; ++i)
      for (Index j = 0; j < 5; ++j) {
        if (j > i) CHECK(w.value()(i, j) == 0.0);
        else CHECK(w.value()(i, j) > 0.0);
      }
  // changing the last token changes no earlier output row
  X.row(4).setConstant(3.0);
  const auto r2 = self_attention(mha, Var<double>(X), nullptr, true);
  CHECK(r2.output.value().topRows(4) == r.output.value().topRows(4));
  CHECK(r2.output.value().row(4) != r.output.value().row(4));
}

TEST_CASE("self-attention with causal and padding masks", "[forms][masks][gradcheck]") {
  Rng rng(8, "self");
  MultiHeadAttention<double> mha(4, 2, 2, 3, rng);
  const MatD pad = row_mask({0, 0, 0, 1, 1});
  const V x = with_params(leaves({random_matrix(5, 4, rng)}), mha);
  const auto r = self_attention(mha, x[0], &pad, true);
  MatD both = causal_mask<double>(5);
  both.col(3).setOnes();
  both.col(4).setOnes();
  for (const auto& w : r.weights)
    for (Index i = 0; i < 5; ++i)
      for (Index j = 0; j < 5; ++j)
        if (both(i, j) != 0) CHECK(w.value()(i, j) == 0.0);
  CHECK(max_abs_diff(r.output.value(), ref_mha(mha, x[0].value(), x[0].value(), x[0].value(), &both)) < 1e-12);

  const VarFn f = [&](const V& in) { return self_attention(mha, in[0], &pad, true).output; };
  CHECK(check_gradient(f, x) < 1e-6);
  CHECK(check_backward_adds(f, x) < 1e-12);
  CHECK(check_graph_backward_adds(f, x) < 1e-12);
  const VarFn fp = [&](const V& in) { return self_attention(mha, in[0], &pad).output; };
  CHECK(check_gradient(fp, x) < 1e-6);
}

// ---- pooling --------------------------------------------------------------------------------

TEST_CASE("attention pooling: Jacobian, masks and the definition", "[forms][gradcheck]") {
  Rng rng(9, "pool");
  AttentionPooling<double> pool(5, rng);
  CHECK(pool.named_parameters().front().name == "query");
  const V x = with_params(leaves({random_matrix(6, 5, rng, -2, 2)}), pool);
  const VarFn f = [&](const V& in) { return pool(in[0]).output; };
  CHECK(check_gradient(f, x) < 1e-6);
  CHECK(check_backward_adds(f, x) < 1e-12);
  CHECK(check_graph_backward_adds(f, x) < 1e-12);

  const MatD mask = row_mask({1, 0, 0, 1, 0, 0});
  const VarFn fm = [&](const V& in) { return pool(in[0], &mask).output; };
  CHECK(check_gradient(fm, x) < 1e-6);

  const MatD X = x[0].value();
  const auto r = pool(x[0], &mask);
  REQUIRE(r.weights.rows() == 1);
  REQUIRE(r.weights.cols() == 6);
  CHECK(r.weights.value()(0, 0) == 0.0);
  CHECK(r.weights.value()(0, 3) == 0.0);
  const MatD a = ref_softmax(MatD(pool.query.value() * X.transpose()), &mask);
  CHECK(max_abs_diff(r.weights.value(), a) < 1e-12);
  CHECK(max_abs_diff(r.output.value(), a * X) < 1e-12);

  CHECK_THROWS_WITH(pool(Var<double>(MatD::Zero(3, 4))), Catch::Contains("[3 x 4]"));
  const MatD all = MatD::Ones(1, 6);
  CHECK_THROWS_WITH(pool(x[0], &all), Catch::Contains("masks every position"));
  CHECK_THROWS_AS(AttentionPooling<double>(5, rng, "no-such-score"), std::invalid_argument);
}

TEST_CASE("hierarchical attention: Jacobian, weights and the definition", "[forms][gradcheck]") {
  Rng rng(10, "han");
  HierarchicalAttention<double> han(5, 4, rng);
  randomize(han, 11);
  const V x = with_params(leaves({random_matrix(2, 5, rng), random_matrix(4, 5, rng), random_matrix(3, 5, rng)}), han);
  const VarFn f = [&](const V& in) { return han({in[0], in[1], in[2]}).document; };
  CHECK(check_gradient(f, x) < 1e-6);
  CHECK(check_backward_adds(f, x) < 1e-12);
  CHECK(check_graph_backward_adds(f, x) < 1e-12);
  const VarFn f1 = [&](const V& in) { return han({in[1]}).document; };
  CHECK(check_gradient(f1, x) < 1e-6);

  const auto r = han({x[0], x[1], x[2]});
  REQUIRE(r.word_weights.size() == 3);
  MatD S(3, 4);
  for (size_t i = 0; i < 3; ++i) {
    const MatD U = ref_linear(x[i].value(), han.word_proj).array().tanh().matrix();
    const MatD a = ref_softmax(MatD(han.word_pool.query.value() * U.transpose()));
    CHECK(max_abs_diff(r.word_weights[i].value(), a) < 1e-12);
    S.row(static_cast<Index>(i)) = a * U;
  }
  const MatD b = ref_softmax(MatD(han.sentence_pool.query.value() * S.transpose()));
  CHECK(max_abs_diff(r.sentence_weights.value(), b) < 1e-12);
  CHECK(max_abs_diff(r.document.value(), b * S) < 1e-12);

  CHECK_THROWS_WITH(han({x[0], Var<double>(MatD::Zero(0, 5))}), Catch::Contains("sentence 1"));
  CHECK_THROWS_AS(han({}), std::invalid_argument);
}

// ---- positional encodings -------------------------------------------------------------------

TEST_CASE("sinusoidal encoding matches PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos", "[forms]") {
  for (Index d : {8, 5}) {
    const MatD pe = sinusoidal_encoding<double>(60, d);
    REQUIRE(pe.rows() == 60);
    REQUIRE(pe.cols() == d);
    for (Index pos : {0, 1, 7, 59})
      for (Index i = 0; 2 * i < d; ++i) {
        const double angle = double(pos) / std::pow(10000.0, double(2 * i) / double(d));
        CHECK(std::abs(pe(pos, 2 * i) - std::sin(angle)) < 1e-15);
        if (2 * i + 1 < d) CHECK(std::abs(pe(pos, 2 * i + 1) - std::cos(angle)) < 1e-15);
      }
    CHECK(pe(0, 0) == 0.0);
    CHECK(pe(0, 1) == 1.0);
    CHECK(pe(1, 0) == std::sin(1.0));
  }
  CHECK(max_abs_diff(sinusoidal_encoding<float>(10, 6).cast<double>(), sinusoidal_encoding<double>(10, 6)) < 1e-6);
  CHECK_THROWS_AS(sinusoidal_encoding<double>(3, 0), std::invalid_argument);
}

TEST_CASE("learned positional encoding: Jacobian and max_len", "[forms][gradcheck]") {
  Rng rng(12, "learned-pe");
  LearnedPositionalEncoding<double> pe(6, 3, rng);
  CHECK(pe.named_parameters().front().name == "positions.table");
  const V x = with_params(leaves({random_matrix(4, 3, rng)}), pe);
  const VarFn f = [&](const V& in) { return add(in[0], pe(4)); };
  CHECK(check_gradient(f, x) < 1e-6);
  CHECK(check_graph_backward_adds(f, x) < 1e-12);
  CHECK(pe(6).value() == pe.positions.table.value());
  // only rows 0 .. n-1 receive a gradient
  Var<double> table = pe.positions.table;
  table.zero_grad();
  backward(sum(pe(4)));
  CHECK(table.grad().topRows(4) == MatD::Ones(4, 3));
  CHECK(table.grad().bottomRows(2) == MatD::Zero(2, 3));
  CHECK_THROWS_WITH(pe(7), Catch::Contains("n=7") && Catch::Contains("max_len=6"));
  CHECK_THROWS_AS(pe(0), std::invalid_argument);
}

// ---- Transformer encoder block --------------------------------------------------------------

TEST_CASE("Transformer encoder block passes the Jacobian check in both placements", "[forms][gradcheck]") {
  for (auto placement : {LayerNormPlacement::Post, LayerNormPlacement::Pre}) {
    INFO((placement == LayerNormPlacement::Post ? "post-LN" : "pre-LN"));
    Rng rng(13, "block");
    TransformerEncoderBlock<double> block(4, 2, 6, 0.0, placement, rng);
    randomize(block, 14);
    const V x = with_params(leaves({random_matrix(5, 4, rng)}), block);
    const VarFn f = [&](const V& in) { return block(in[0]).output; };
    CHECK(check_gradient(f, x) < 1e-6);
    CHECK(check_backward_adds(f, x) < 1e-12);
    CHECK(check_graph_backward_adds(f, x) < 1e-12);

    const MatD pad = row_mask({0, 0, 0, 1, 1});
    const VarFn fp = [&](const V& in) { return block(in[0], &pad).output; };
    CHECK(check_gradient(fp, x) < 1e-6);

    TransformerEncoderBlock<double> drop(4, 2, 6, 0.25, placement, rng);
    randomize(drop, 15);
    const V xd = with_params({x[0]}, drop);
    const Rng base(16, "block-dropout");
    const VarFn fd = [&](const V& in) {
      Rng r = base;  // the same dropout masks at every evaluation
      return drop(in[0], &pad, true, &r).output;
    };
    CHECK(check_gradient(fd, xd) < 1e-6);
    CHECK(check_graph_backward_adds(fd, xd) < 1e-12);
    Rng r1 = base;
    CHECK(drop(x[0], &pad, true, &r1).output.value() != drop(x[0], &pad).output.value());  // dropout did act
  }
}

TEST_CASE("Transformer encoder block equals the direct computation of the layer", "[forms]") {
  for (auto placement : {LayerNormPlacement::Post, LayerNormPlacement::Pre}) {
    INFO((placement == LayerNormPlacement::Post ? "post-LN" : "pre-LN"));
    Rng rng(17, "block-ref");
    TransformerEncoderBlock<double> block(8, 4, 16, 0.1, placement, rng);
    randomize(block, 18, -0.5, 0.5);
    const MatD X = random_matrix(6, 8, rng, -2, 2);
    const MatD pad = row_mask({0, 0, 1, 0, 0, 1});
    const MatD causal = causal_mask<double>(6);
    for (const MatD* mask : {static_cast<const MatD*>(nullptr), &pad, &causal}) {
      const auto r = block(Var<double>(X), mask);  // evaluation: no dropout
      CHECK(max_abs_diff(r.output.value(), ref_block(block, X, mask)) < 1e-12);
      REQUIRE(r.weights.size() == 4);
      if (mask == &pad)
        for (const auto& w : r.weights) {
          CHECK(w.value().col(2).isZero(0.0));
          CHECK(w.value().col(5).isZero(0.0));
        }
    }
  }
  Rng rng(19);
  CHECK_THROWS_WITH(TransformerEncoderBlock<double>(6, 4, 8, 0.0, LayerNormPlacement::Post, rng),
                    Catch::Contains("d_model=6") && Catch::Contains("heads=4"));
  TransformerEncoderBlock<double> block(4, 2, 8, 0.1, LayerNormPlacement::Pre, rng);
  CHECK_THROWS_WITH(block(Var<double>(MatD::Zero(3, 5))), Catch::Contains("[3 x 5]"));
  CHECK_THROWS_WITH(block(Var<double>(MatD::Zero(3, 4)), nullptr, true), Catch::Contains("needs an rng"));
}

TEST_CASE("Transformer encoder block in float agrees with double", "[forms]") {
  Rng rf(20, "block-float"), rd(20, "block-float");
  TransformerEncoderBlock<float> bf(8, 2, 16, 0.0, LayerNormPlacement::Post, rf);
  TransformerEncoderBlock<double> bd(8, 2, 16, 0.0, LayerNormPlacement::Post, rd);
  Rng data(21);
  const MatD X = random_matrix(5, 8, data);
  CHECK(max_abs_diff(bf(Var<float>(X.cast<float>())).output.value().cast<double>(), bd(Var<double>(X)).output.value()) <
        1e-4);
}
