// The values of core/ops.h: textbook values, masks, dropout, zero-size results, shape errors. The
// Jacobian, backward-adds, float-vs-double and zero-size checks of every op run from the op
// table (core/op_table.h, tests/ops/).
#include "core/gradcheck.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace engram;

TEST_CASE("ops compute the textbook values", "[ops]") {
  MatD a(2, 3);
  a << 1, 2, 3, -1, 0, 1;
  Var<double> x(a);
  SECTION("softmax rows sum to one and follow exp ratios") {
    MatD s = softmax(x).value();
    CHECK(s.row(0).sum() == Approx(1.0));
    CHECK(s(0, 2) / s(0, 1) == Approx(std::exp(1.0)));
    MatD s2 = softmax(x, 2.0).value();
    CHECK(s2(1, 2) / s2(1, 1) == Approx(std::exp(2.0)));
  }
  SECTION("logsumexp with beta") {
    MatD l = logsumexp(x, 2.0).value();
    CHECK(l(0, 0) == Approx(0.5 * std::log(std::exp(2.0) + std::exp(4.0) + std::exp(6.0))));
  }
  SECTION("logsumexp is stable for large inputs") {
    MatD big = MatD::Constant(1, 3, 1000.0);
    CHECK(logsumexp(Var<double>(big)).value()(0, 0) == Approx(1000.0 + std::log(3.0)));
    CHECK(std::isfinite(softmax(Var<double>(big)).value()(0, 0)));
  }
  SECTION("circular shift moves mass by the offset") {
    MatD w = MatD::Zero(1, 5);
    w(0, 1) = 1;
    MatD s(1, 3);
    s << 0, 0, 1;  // offsets -1, 0, +1: all mass on +1
    MatD out = circular_conv(Var<double>(w), Var<double>(s)).value();
    CHECK(out(0, 2) == Approx(1.0));
    w.setZero();
    w(0, 0) = 1;
    s << 1, 0, 0;  // -1 from slot 0 wraps to slot 4
    CHECK(circular_conv(Var<double>(w), Var<double>(s)).value()(0, 4) == Approx(1.0));
  }
  SECTION("cross entropy equals -log softmax of the target") {
    const double ce = cross_entropy(x, {2, 0}).item();
    const MatD ls = log_softmax(x).value();
    CHECK(ce == Approx(-(ls(0, 2) + ls(1, 0)) / 2));
  }
  SECTION("bce with logits is stable at extreme logits") {
    MatD z(1, 2);
    z << 800, -800;
    MatD t(1, 2);
    t << 1, 0;
    CHECK(bce_with_logits(Var<double>(z), t).item() == Approx(0.0).margin(1e-12));
  }
  SECTION("layer norm rows have zero mean and unit variance") {
    MatD y = layer_norm(x, Var<double>(MatD::Ones(1, 3)), Var<double>(MatD::Zero(1, 3)), 0.0).value();
    CHECK(y.row(0).mean() == Approx(0.0).margin(1e-12));
    CHECK(y.row(0).squaredNorm() / 3 == Approx(1.0));
  }
  SECTION("cosine similarity of parallel rows is one") {
    MatD b = 3 * a;
    MatD c = cosine_similarity(x, Var<double>(b)).value();
    CHECK(c(0, 0) == Approx(1.0));
    CHECK(c(1, 0) == Approx(1.0));
  }
  SECTION("max routes the gradient to the first arg-max") {
    MatD t(1, 3);
    t << 2, 5, 5;
    Var<double> v(t, true);
    backward(max(v, 1));
    CHECK(v.grad()(0, 0) == 0.0);
    CHECK(v.grad()(0, 1) == 1.0);
    CHECK(v.grad()(0, 2) == 0.0);
  }
  SECTION("embedding bag sums the weighted rows of each bag") {
    MatD e(3, 2);
    e << 1, 2, 3, 4, 5, 6;
    MatD w(3, 2);
    w << 1, 0.5, 2, -1, 0.25, 4;
    // bag 0: rows 2 and 0 weighted; bag 1: empty; bag 2: row 1
    const MatD out = embedding_bag(Var<double>(e), {2, 0, 1}, {0, 2, 2, 3}, w).value();
    CHECK(out(0, 0) == Approx(1 * 5 + 2 * 1));
    CHECK(out(0, 1) == Approx(0.5 * 6 - 1 * 2));
    CHECK(out.row(1).isZero());
    CHECK(out(2, 0) == Approx(0.25 * 3));
    CHECK(out(2, 1) == Approx(4 * 4));
    const MatD plain = embedding_bag(Var<double>(e), {2, 0, 1}, {0, 2, 2, 3}, MatD()).value();
    CHECK(plain.row(0) == (e.row(2) + e.row(0)));
    CHECK(plain.row(2) == e.row(1));
  }
  SECTION("segment ops are per-set attention: softmax(u_s M_s^T) M_s") {
    Rng rng(5, "segment-values");
    const std::vector<int> offsets{0, 3, 3, 7};
    const Var<double> u(random_matrix(3, 4, rng)), m(random_matrix(7, 4, rng)), c(random_matrix(7, 2, rng));
    const MatD scores = segment_dot(u, m, offsets).value();
    const MatD p = segment_softmax(Var<double>(scores), offsets, 1.5).value();
    const MatD o = segment_weighted_sum(Var<double>(p), c, offsets).value();
    CHECK(o.row(1).isZero());  // the empty set reads nothing
    for (Index s : {0, 2}) {
      const Index lo = offsets[s], n = offsets[s + 1] - lo;
      const MatD want_scores = u.value().row(s) * m.value().middleRows(lo, n).transpose();    // [1 x n]
      const MatD want_p = softmax(Var<double>(want_scores), 1.5).value();
      const MatD want_o = want_p * c.value().middleRows(lo, n);
      CHECK((scores.middleRows(lo, n).transpose() - want_scores).cwiseAbs().maxCoeff() < 1e-14);
      CHECK((p.middleRows(lo, n).transpose() - want_p).cwiseAbs().maxCoeff() < 1e-14);
      CHECK((o.row(s) - want_o).cwiseAbs().maxCoeff() < 1e-14);
    }
  }
  SECTION("segment_softmax with sinks is the softmax over the set plus that many zero scores") {
    const MatD x = (MatD(5, 1) << 0.3, -1.2, 2.0, 0.7, -0.4).finished();
    const std::vector<int> offsets{0, 3, 3, 5};
    const MatD p = segment_softmax(Var<double>(x), offsets, 1.5, std::vector<double>{2, 4, 0}).value();
    MatD padded(1, 5);  // set 0 with its two sinks appended
    padded << 0.3, -1.2, 2.0, 0, 0;
    const MatD want = softmax(Var<double>(padded), 1.5).value();
    for (Index r = 0; r < 3; ++r) CHECK(p(r, 0) == Approx(want(0, r)).epsilon(1e-14));
    CHECK(p.col(0).head(3).sum() == Approx(1 - 2 * want(0, 3)));
    const MatD plain = segment_softmax(Var<double>(x), offsets, 1.5).value();
    CHECK(p.middleRows(3, 2) == plain.middleRows(3, 2));  // no sinks: the plain softmax
    // very negative scores: the sinks take everything, no overflow or NaN
    const MatD low = segment_softmax(Var<double>(MatD::Constant(2, 1, -800)), {0, 2}, 1.0, std::vector<double>{1}).value();
    CHECK(low.allFinite());
    CHECK(low.sum() < 1e-300);
    CHECK_THROWS_WITH(segment_softmax(Var<double>(x), offsets, 1.0, std::vector<double>{1, 1}), Catch::Contains("one entry per set"));
    CHECK_THROWS_WITH(segment_softmax(Var<double>(x), offsets, 1.0, std::vector<double>{1, -1, 0}), Catch::Contains("sink[1]"));
  }
  SECTION("lstm_cell is the gate equations of the elementwise ops") {
    Rng rng(6, "lstm-cell-values");
    const Var<double> z(random_matrix(2, 8, rng, -2, 2)), c(random_matrix(2, 2, rng));
    const auto gate = [&](Index k) { return slice_cols(z, 2 * k, 2); };
    const Var<double> c1 = add(mul(sigmoid(gate(1)), c), mul(sigmoid(gate(0)), tanh(gate(3))));
    const Var<double> h1 = mul(sigmoid(gate(2)), tanh(c1));
    const MatD out = lstm_cell(z, c).value();
    CHECK((out.leftCols(2) - h1.value()).cwiseAbs().maxCoeff() < 1e-14);
    CHECK((out.rightCols(2) - c1.value()).cwiseAbs().maxCoeff() < 1e-14);
  }
  SECTION("gru_cell is the gate equations of the elementwise ops") {
    Rng rng(7, "gru-cell-values");
    const Var<double> xz(random_matrix(2, 6, rng, -2, 2)), hz(random_matrix(2, 6, rng, -2, 2)), h(random_matrix(2, 2, rng));
    const auto block = [](const Var<double>& v, Index k) { return slice_cols(v, 2 * k, 2); };
    const Var<double> r = sigmoid(add(block(xz, 0), block(hz, 0))), z = sigmoid(add(block(xz, 1), block(hz, 1)));
    const Var<double> m = tanh(add(block(xz, 2), mul(r, block(hz, 2))));
    const Var<double> h1 = add(mul(sub(constant<double>(MatD::Ones(2, 2)), z), m), mul(z, h));
    CHECK((gru_cell(xz, hz, h).value() - h1.value()).cwiseAbs().maxCoeff() < 1e-14);
  }
  SECTION("abs and relu have zero gradient at zero") {
    Var<double> z(MatD::Zero(1, 2), true);
    backward(add(sum(abs(z)), sum(relu(z))));
    CHECK(z.grad().cwiseAbs().maxCoeff() == 0.0);
  }
}

TEST_CASE("sparsemax projects rows onto the simplex, sparsely", "[ops]") {
  MatD z(3, 4);
  z << 0.1, 0.2, 0.3, 0.4,   // close values: dense
      3.0, 0.0, 0.1, -1.0,   // one dominant entry: one-hot
      1.0, 1.0, -2.0, -std::numeric_limits<double>::infinity();
  const MatD p = sparsemax(Var<double>(z)).value();
  for (Index r = 0; r < 3; ++r) CHECK(p.row(r).sum() == Approx(1.0));
  CHECK((p.array() >= 0).all());
  CHECK(p(0, 0) == Approx(0.1));  // tau = 0.15: p = z - tau
  CHECK(p(1, 0) == 1.0);
  CHECK(p(1, 1) == 0.0);
  CHECK(p(2, 0) == Approx(0.5));
  CHECK(p(2, 3) == 0.0);
}

TEST_CASE("masked positions get exactly zero softmax weight and no gradient", "[ops]") {
  Rng rng(8, "masked-fill");
  Var<double> s(random_matrix(2, 5, rng), true);
  MatD mask = MatD::Zero(1, 5);
  mask(0, 1) = mask(0, 4) = 1;
  Var<double> w = softmax(masked_fill(s, mask, -std::numeric_limits<double>::infinity()));
  CHECK(w.value()(0, 1) == 0.0);
  CHECK(w.value()(1, 4) == 0.0);
  CHECK(w.value().row(0).sum() == Approx(1.0));
  backward(sum(mul(w, constant<double>(random_matrix(2, 5, rng)))));
  CHECK(s.grad()(0, 1) == 0.0);
  CHECK(s.grad()(1, 4) == 0.0);
  CHECK(s.grad()(0, 0) != 0.0);
}

TEST_CASE("dot_softmax equals softmax of masked q k^T, over many blocks of rows", "[ops]") {
  // 300 keys: blocks of 54 query rows in double, so 130 queries span 3 blocks (the last partial)
  Rng rng(9, "dot-softmax");
  const MatD Q = random_matrix(130, 8, rng, -2, 2), K = random_matrix(300, 8, rng, -2, 2), G = random_matrix(130, 300, rng);
  MatD mask = MatD::Zero(130, 300);
  for (Index i = 0; i < 130; ++i) mask(i, (7 * i) % 300) = mask(i, (11 * i + 3) % 300) = 1;
  for (const MatD* m : std::vector<const MatD*>{nullptr, &mask}) {
    Var<double> q1(Q, true), k1(K, true), q2(Q, true), k2(K, true);
    const Var<double> fused = dot_softmax(q1, k1, 0.6, m);
    Var<double> s = matmul_nt(q2, k2);
    if (m) s = masked_fill(s, *m, -std::numeric_limits<double>::infinity());
    const Var<double> plain = softmax(s, 0.6);
    CHECK((fused.value() - plain.value()).cwiseAbs().maxCoeff() < 1e-15);
    if (m) CHECK(fused.value().cwiseProduct(*m).maxCoeff() == 0.0);  // masked: exactly 0
    backward(sum(mul(fused, constant<double>(G))));
    backward(sum(mul(plain, constant<double>(G))));
    CHECK((q1.grad() - q2.grad()).cwiseAbs().maxCoeff() < 1e-13);
    CHECK((k1.grad() - k2.grad()).cwiseAbs().maxCoeff() < 1e-13);
  }
  // float: the same blocks as attention at T 1024 (32 rows), against the composed ops
  Rng frng(10, "dot-softmax-f");
  const MatF Qf = random_matrix(100, 16, frng).cast<float>(), Kf = random_matrix(1024, 16, frng).cast<float>();
  const Var<float> a = dot_softmax(Var<float>(Qf), Var<float>(Kf), 0.25f);
  const Var<float> b = softmax(matmul_nt(Var<float>(Qf), Var<float>(Kf)), 0.25f);
  CHECK((a.value() - b.value()).cwiseAbs().maxCoeff() < 1e-7f);
  CHECK_THROWS_WITH(dot_softmax(Var<double>(Q), Var<double>(MatD::Zero(3, 5))), Catch::Contains("column counts differ"));
  const MatD two_rows = MatD::Zero(2, 300);
  CHECK_THROWS_WITH(dot_softmax(Var<double>(Q), Var<double>(K), 1.0, &two_rows), Catch::Contains("does not broadcast"));
}

TEST_CASE("dropout keeps the expectation and is the identity in evaluation", "[ops]") {
  Rng rng(9, "dropout");
  Var<double> x(MatD::Ones(200, 50));
  const MatD y = dropout(x, 0.4, true, rng).value();
  const double zero_share = (y.array() == 0).cast<double>().mean();
  CHECK(zero_share == Approx(0.4).margin(0.02));
  CHECK(y.mean() == Approx(1.0).margin(0.03));
  CHECK(dropout(x, 0.4, false, rng).value() == x.value());
}

TEST_CASE("ops reject bad shapes with messages naming the shapes", "[ops][errors]") {
  Var<double> a(MatD::Zero(2, 3)), b(MatD::Zero(4, 5));
  CHECK_THROWS_WITH(matmul(a, b), Catch::Contains("[2 x 3]") && Catch::Contains("[4 x 5]"));
  CHECK_THROWS_WITH(add(a, b), Catch::Contains("cannot broadcast"));
  CHECK_THROWS_WITH(gather_rows(a, {0, 2}), Catch::Contains("index 2"));
  CHECK_THROWS_WITH(cross_entropy(a, {0, 3}), Catch::Contains("target 3"));
  CHECK_THROWS_WITH(circular_conv(Var<double>(MatD::Zero(1, 4)), Var<double>(MatD::Zero(1, 2))),
                    Catch::Contains("odd"));
  CHECK_THROWS_WITH(reshape(a, 4, 2), Catch::Contains("[4 x 2]"));
  CHECK_THROWS_WITH(embedding_bag(a, {0, 2}, {0, 2}, MatD()), Catch::Contains("index 2"));
  CHECK_THROWS_WITH(embedding_bag(a, {0, 1}, {0, 1}, MatD()), Catch::Contains("offsets from 0 to 2"));
  CHECK_THROWS_WITH(embedding_bag(a, {0, 1}, {0, 2, 1, 2}, MatD()), Catch::Contains("must not decrease"));
  CHECK_THROWS_WITH(embedding_bag(a, {0, 1}, {0, 2}, MatD::Zero(2, 2)), Catch::Contains("[2 x 2]"));
  CHECK_THROWS_WITH(segment_dot(a, b, {0, 4}), Catch::Contains("[2 x 3]") && Catch::Contains("[4 x 5]"));
  CHECK_THROWS_WITH(segment_dot(a, Var<double>(MatD::Zero(4, 3)), {0, 4}), Catch::Contains("offsets need 3"));
  CHECK_THROWS_WITH(segment_dot(a, Var<double>(MatD::Zero(4, 3)), {0, 1, 3}), Catch::Contains("offsets from 0 to 4"));
  CHECK_THROWS_WITH(segment_softmax(a, {0, 2}), Catch::Contains("[R x 1]"));
  CHECK_THROWS_WITH(segment_softmax(Var<double>(MatD::Zero(3, 1)), {0, 2, 1, 3}), Catch::Contains("must not decrease"));
  CHECK_THROWS_WITH(segment_weighted_sum(Var<double>(MatD::Zero(3, 1)), b, {0, 4}), Catch::Contains("[3 x 1]"));
  CHECK_THROWS_WITH(lstm_cell(Var<double>(MatD::Zero(1, 7)), Var<double>(MatD::Zero(1, 2))),
                    Catch::Contains("[1 x 7]") && Catch::Contains("[n x 4H]"));
  CHECK_THROWS_WITH(gru_cell(Var<double>(MatD::Zero(1, 6)), Var<double>(MatD::Zero(1, 5)), Var<double>(MatD::Zero(1, 2))),
                    Catch::Contains("[1 x 5]") && Catch::Contains("[n x 3H]"));
  CHECK_THROWS_AS(sum(a, 2), std::invalid_argument);
}

// ---- zero-size values ------------------------------------------------------------------------
// Every op either returns a result (with numpy's value where numpy defines one) whose backward
// runs and gives each input a gradient of its shape, or throws std::invalid_argument (Python's
// ValueError) naming the op and the shapes. Never a crash.

TEST_CASE("zero-size values follow numpy where numpy defines the result", "[ops][empty]") {
  const Var<double> e20(MatD::Zero(2, 0), true), e03(MatD::Zero(0, 3), true);
  SECTION("an empty sum is 0, per axis too") {
    const Var<double> s = sum(e20);
    REQUIRE(s.rows() == 1);
    CHECK(s.item() == 0.0);
    CHECK(sum(e03, 0).value() == MatD::Zero(1, 3));
    CHECK(sum(e03, 1).rows() == 0);
    CHECK(sum(e20, 1).value() == MatD::Zero(2, 1));
    backward(s);
    CHECK(e20.grad().rows() == 2);
    CHECK(e20.grad().cols() == 0);
  }
  SECTION("[2 x 0] @ [0 x 3] is zeros, and its gradients are empty") {
    const Var<double> p = matmul(e20, e03);
    CHECK(p.value() == MatD::Zero(2, 3));
    backward(sum(p));
    CHECK(e03.grad().rows() == 0);
    CHECK(e03.grad().cols() == 3);
  }
  SECTION("logsumexp of nothing is -inf; softmax of nothing is nothing") {
    const MatD l = logsumexp(e20, 2.0).value();
    REQUIRE(l.rows() == 2);
    REQUIRE(l.cols() == 1);
    CHECK(l(0, 0) == -std::numeric_limits<double>::infinity());
    CHECK(softmax(e20).value().size() == 0);
    CHECK(log_softmax(e20).value().size() == 0);
    CHECK(softmax(e03).rows() == 0);
  }
  SECTION("elementwise ops and broadcasts keep numpy's shapes") {
    CHECK(add(Var<double>(MatD::Zero(1, 0)), Var<double>(MatD::Zero(0, 0))).rows() == 0);
    CHECK(mul(e20, Var<double>(MatD::Ones(1, 1))).cols() == 0);
    CHECK(div(e03, Var<double>(MatD::Ones(1, 3))).rows() == 0);
    CHECK_THROWS_AS(add(e20, Var<double>(MatD::Zero(3, 0))), std::invalid_argument);
  }
  SECTION("what numpy leaves undefined is refused, naming the op and the shape") {
    CHECK_THROWS_WITH(mean(e20), Catch::Contains("mean") && Catch::Contains("[2 x 0]"));
    CHECK_THROWS_WITH(max(e20, 1), Catch::Contains("max") && Catch::Contains("[2 x 0]"));
    CHECK_THROWS_WITH(cross_entropy(Var<double>(MatD::Zero(0, 4)), {}), Catch::Contains("cross_entropy"));
    CHECK_THROWS_WITH(cross_entropy(e20, {0, 0}), Catch::Contains("cross_entropy"));
  }
}
