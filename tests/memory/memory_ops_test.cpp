// The memory ops (memory/memory_ops.h): their textbook values and the DNC invariants: allocation
// weights >= 0 summing to at most 1, usage in [0, 1], link matrices with a zero diagonal and row
// and column sums <= 1, precedence summing to at most 1. The Jacobian, backward-adds,
// float-vs-double and zero-size checks of every memory op run from the op table (tests/ops/).
#include "core/gradcheck.h"
#include "memory/interface.h"
#include "memory/memory_ops.h"
#include "tests/memory/memory_test_util.h"

#include <catch2/catch.hpp>

#include <limits>

using namespace engram;
using namespace engram::memory;
using test::row;
using test::weighting;

TEST_CASE("erase_add erases, then adds, along the write weighting", "[memory_ops]") {
  MatD m(3, 2);
  m << 1, 2, 3, 4, 5, 6;
  const MatD out =
      erase_add(Var<double>(m), Var<double>(row({0, 1, 0.5})), Var<double>(row({1, 0.5})), Var<double>(row({7, 8})))
          .value();
  CHECK(out.row(0) == m.row(0));                    // weight 0: untouched
  CHECK(out(1, 0) == Approx(7.0));                  // fully erased, then 7 added
  CHECK(out(1, 1) == Approx(4 * 0.5 + 8));
  CHECK(out(2, 0) == Approx(5 * 0.5 + 3.5));
  CHECK(out(2, 1) == Approx(6 * 0.75 + 4));
  CHECK_THROWS_WITH(erase_add(Var<double>(m), Var<double>(row({1, 0})), Var<double>(row({1, 0})), Var<double>(row({1, 0}))),
                    Catch::Contains("[1 x 3]") && Catch::Contains("[1 x 2]"));
}

TEST_CASE("the fused building blocks equal their composed forms", "[memory_ops]") {
  Rng rng(12);
  const MatD m = random_matrix(7, 4, rng), k = random_matrix(1, 4, rng);
  const MatD cos = cosine_similarity(Var<double>(m), Var<double>(k)).value().transpose();
  CHECK((slot_cosine(Var<double>(m), Var<double>(k)).value() - cos).cwiseAbs().maxCoeff() < 1e-14);
  // a zero slot: cosine 0 and the same (finite) gradients as core's cosine_similarity
  MatD mz = m;
  mz.row(2).setZero();
  Var<double> m1(mz, true), k1(k, true), m2(mz, true), k2(k, true);
  const MatD gs = random_matrix(1, 7, rng);
  backward(slot_cosine(m1, k1), gs);
  backward(cosine_similarity(m2, k2), MatD(gs.transpose()));
  CHECK(slot_cosine(m1, k1).value()(0, 2) == 0.0);
  CHECK((m1.grad() - m2.grad()).cwiseAbs().maxCoeff() <= 1e-14 * m2.grad().cwiseAbs().maxCoeff());  // ~1/eps there
  CHECK((k1.grad() - k2.grad()).cwiseAbs().maxCoeff() < 1e-14);
  const MatD beta = row({2.5});
  CHECK((softmax_scaled(Var<double>(cos), Var<double>(beta)).value() - softmax(Var<double>(cos), 2.5).value())
            .cwiseAbs()
            .maxCoeff() < 1e-14);
  const MatD a = weighting(7, rng), b = weighting(7, rng);
  CHECK((interpolate(Var<double>(a), Var<double>(b), Var<double>(row({0.3}))).value() - (0.3 * a + 0.7 * b))
            .cwiseAbs()
            .maxCoeff() < 1e-15);
  MatD L = random_matrix(7, 7, rng, 0, 0.1);
  const MatD pi = row({0.2, 0.3, 0.5});
  const MatD expect = 0.2 * (a * L) + 0.3 * b + 0.5 * (L * a.transpose()).transpose();
  CHECK((temporal_weighting(Var<double>(L), Var<double>(a), Var<double>(b), Var<double>(pi)).value() - expect)
            .cwiseAbs()
            .maxCoeff() < 1e-15);
}

TEST_CASE("split_interface applies each spec's activation to its own columns", "[memory_ops][interface]") {
  MatD raw(1, 7);
  raw << 0.5, -1, 2, 0, 1, 2, 3;
  const std::vector<ParamSpec> specs{{"key", 2, Activation::identity}, {"gate", 1, Activation::sigmoid},
                                     {"beta", 1, Activation::oneplus}, {"shift", 3, Activation::softmax}};
  const HeadParams<double> p = split_interface(Var<double>(raw), specs, "head");
  CHECK(p["key"].value() == raw.leftCols(2));
  CHECK(p["gate"].value()(0, 0) == Approx(1 / (1 + std::exp(-2.0))));
  CHECK(p["beta"].value()(0, 0) == Approx(1 + std::log(2.0)));
  CHECK((p["shift"].value() - softmax(Var<double>(MatD(raw.rightCols(3)))).value()).cwiseAbs().maxCoeff() < 1e-15);
  CHECK(interface_size(specs) == 7);
  CHECK_THROWS_WITH(p["gamma"], Catch::Contains("head: no parameter 'gamma'") && Catch::Contains("key, gate, beta, shift"));
  CHECK_THROWS_WITH(split_interface(Var<double>(MatD::Zero(1, 6)), specs), Catch::Contains("[B x 7]") && Catch::Contains("got [1 x 6]"));
  CHECK_THROWS_WITH(check_specs({{"key", 2}, {"key", 1}}, "head"), Catch::Contains("'key' is declared twice"));
  CHECK(parse_activation("oneplus") == Activation::oneplus);
  CHECK_THROWS_WITH(parse_activation("sigmod"), Catch::Contains("did you mean 'sigmoid'"));
}

TEST_CASE("read_memory puts the heads' read vectors side by side", "[memory_ops]") {
  MatD m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  const MatD r = read_memory<double>({Var<double>(row({1, 0})), Var<double>(row({0.5, 0.5}))}, Var<double>(m)).value();
  REQUIRE(r.cols() == 6);
  CHECK(r(0, 2) == 3.0);
  CHECK(r(0, 3) == Approx(2.5));
  CHECK(r(0, 5) == Approx(4.5));
}

TEST_CASE("allocation: textbook values, weights >= 0 summing to 1 - prod(u)", "[memory_ops][dnc]") {
  const MatD a = allocation_weighting(Var<double>(row({0.5, 0.1, 0.9}))).value();
  CHECK(a(0, 1) == Approx(0.9));
  CHECK(a(0, 0) == Approx(0.5 * 0.1));
  CHECK(a(0, 2) == Approx(0.1 * 0.1 * 0.5));
  // an unused memory allocates its first slot; a full one allocates nothing
  CHECK(allocation_weighting(Var<double>(MatD::Zero(1, 4))).value() == row({1, 0, 0, 0}));
  CHECK(allocation_weighting(Var<double>(MatD::Ones(1, 4))).value().isZero());
  Rng rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    const MatD u = random_matrix(1, 20, rng, 0, 1);
    const MatD w = allocation_weighting(Var<double>(u)).value();
    CHECK(w.minCoeff() >= 0.0);
    CHECK(w.sum() == Approx(1 - u.prod()));
    CHECK(w.sum() <= 1.0);
    // the least used slot gets the most weight
    Index least = 0;
    u.row(0).minCoeff(&least);
    CHECK(w(0, least) == w.maxCoeff());
  }
}

TEST_CASE("DNC state over a random run: usage in [0, 1], links with zero diagonal and sums <= 1", "[memory_ops][dnc]") {
  const Index n = 12;
  Rng rng(9);
  Var<double> usage(MatD::Zero(1, n)), link(MatD::Zero(n, n)), prec(MatD::Zero(1, n));
  Var<double> last_write(MatD::Zero(1, n)), last_read(MatD::Zero(1, n));
  for (int t = 0; t < 40; ++t) {
    const Var<double> gate(random_matrix(1, 1, rng, 0, 1));
    usage = update_usage<double>(usage, {last_write}, {gate}, {last_read});
    // write weightings of every kind: spread out, peaked, and allocation-driven
    MatD w = t % 3 == 0 ? weighting(n, rng, rng.uniform()) : MatD::Zero(1, n);
    if (t % 3 == 1) w(0, static_cast<Index>(rng.below(n))) = 1.0;
    if (t % 3 == 2) w = allocation_weighting(usage).value() * rng.uniform();
    const Var<double> wv(w);
    link = update_link(link, prec, wv);
    prec = update_precedence(prec, wv);
    last_write = wv;
    last_read = Var<double>(weighting(n, rng, 1.0));

    INFO("step " << t);
    const MatD& u = usage.value();
    CHECK(u.minCoeff() >= 0.0);
    CHECK(u.maxCoeff() <= 1.0);
    const MatD& L = link.value();
    CHECK(L.minCoeff() >= 0.0);
    CHECK(L.diagonal().cwiseAbs().maxCoeff() == 0.0);
    CHECK(L.rowwise().sum().maxCoeff() <= 1.0 + 1e-12);
    CHECK(L.colwise().sum().maxCoeff() <= 1.0 + 1e-12);
    CHECK(prec.value().minCoeff() >= 0.0);
    CHECK(prec.value().sum() <= 1.0 + 1e-12);
  }
}

TEST_CASE("links record the order of one-hot writes", "[memory_ops][dnc]") {
  const Index n = 4;
  Var<double> link(MatD::Zero(n, n)), prec(MatD::Zero(1, n));
  for (Index slot : {2, 0, 3}) {
    MatD w = MatD::Zero(1, n);
    w(0, slot) = 1;
    link = update_link(link, prec, Var<double>(w));
    prec = update_precedence(prec, Var<double>(w));
  }
  const MatD& L = link.value();
  CHECK(L(0, 2) == 1.0);  // 0 written after 2
  CHECK(L(3, 0) == 1.0);  // 3 written after 0
  CHECK(L.sum() == 2.0);
  CHECK(prec.value() == row({0, 0, 0, 1}));
}

TEST_CASE("least_used_slots ranks by usage, ties by index", "[memory_ops][lru]") {
  CHECK(least_used_slots<double>(row({0.5, 0.1, 0.1, 0.0}), 3) == std::vector<Index>{3, 1, 2});
  CHECK(least_used_slots<double>(MatD::Zero(1, 5), 2) == std::vector<Index>{0, 1});
  CHECK_THROWS_AS(least_used_slots<double>(MatD::Zero(1, 2), 3), std::invalid_argument);
}
