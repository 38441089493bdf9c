// Pattern completion from a key (memory/hopfield/completion.h): the value of a single stored pair
// comes back exactly; the Hebbian one-step bit error matches Phi(-sqrt(K / (P - 1))) by Monte
// Carlo, the modern memory's its Gaussian approximation; the dense memory with F = x^2 makes the
// Hebbian network's decisions and with F = exp the modern memory's (beta = 1); argument errors.
#include "memory/hopfield/completion.h"
#include "memory/hopfield/rules.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace engram;
using namespace engram::hopfield;

namespace {

struct Store {
  States patterns;  // [P x (K + V)]
  States cues;      // [P x K]: every stored key
};

Store random_store(Index P, Index K, Index V, Rng& rng) {
  Store s{random_patterns(P, K + V, rng), {}};
  s.cues = s.patterns.leftCols(K);
  return s;
}

// Share of wrong value bits over `trials` random stores, every key cued.
template <class Complete>
double measured_bit_error(Index P, Index K, Index V, int trials, std::uint64_t seed, Complete complete) {
  Rng rng(seed, "completion-test");
  double wrong = 0, total = 0;
  for (int t = 0; t < trials; ++t) {
    const Store s = random_store(P, K, V, rng);
    const States values = complete(s);
    wrong += (values.array() != s.patterns.rightCols(V).array()).cast<double>().sum();
    total += double(values.size());
  }
  return wrong / total;
}

}  // namespace

TEST_CASE("one stored pair: every memory returns its value from its key", "[hopfield][completion]") {
  Rng rng(1, "one-pair");
  const Store s = random_store(1, 12, 5, rng);
  const States value = s.patterns.rightCols(5);
  CHECK(complete_classical(make_rule("hebbian")->weights(s.patterns), s.cues) == value);
  CHECK(complete_classical(make_rule("pseudo_inverse")->weights(s.patterns), s.cues, 5) == value);
  CHECK(complete_dense(s.patterns, Interaction::polynomial(3), s.cues) == value);
  CHECK(complete_dense(s.patterns, Interaction::exponential(), s.cues) == value);
  CHECK(complete_modern(s.patterns, 0.5, s.cues, 3) == value);
  CHECK(hebbian_cue_bit_error(12, 1) == 0.0);
  CHECK(modern_cue_bit_error(0.5, 12, 1) == 0.0);
}

TEST_CASE("the Hebbian one-step bit error from a key follows Phi(-sqrt(K / (P - 1)))", "[hopfield][completion]") {
  const Index K = 64, V = 16;
  for (const Index P : {9, 17, 33}) {
    const double measured = measured_bit_error(P, K, V, 1600 / int(P), 7, [](const Store& s) {
      return complete_classical(make_rule("hebbian")->weights(s.patterns), s.cues);
    });
    const double theory = hebbian_cue_bit_error(double(K), double(P));
    INFO("P " << P << " measured " << measured << " theory " << theory);
    CHECK(measured == Approx(theory).epsilon(0.25));
  }
  // the load that matters is P against K: doubling the key halves the effective load
  CHECK(hebbian_cue_bit_error(128, 33) == Approx(hebbian_cue_bit_error(64, 17)));
  CHECK(recall_probability(0.1, 3) == Approx(0.729));
}

TEST_CASE("the modern memory's bit error from a key follows its Gaussian approximation", "[hopfield][completion]") {
  const Index K = 16, V = 8, P = 128;
  const double beta = 0.25;
  const double measured = measured_bit_error(P, K, V, 40, 11, [&](const Store& s) { return complete_modern(s.patterns, beta, s.cues); });
  const double theory = modern_cue_bit_error(beta, double(K), double(P));
  INFO("measured " << measured << " theory " << theory);
  CHECK(measured == Approx(theory).epsilon(0.3));
  // exponential capacity: at a fixed bit error the admissible P grows by 1/r per key bit
  const double r = (1 + std::exp(-4 * beta)) / 2;
  CHECK(modern_cue_bit_error(beta, 17, 1 + (P - 1) / r) == Approx(theory).epsilon(1e-9));
  // dense polynomials: n = 2 is the Hebbian curve, and n = 3 holds more
  CHECK(dense_cue_bit_error(2, 64, 17) == Approx(hebbian_cue_bit_error(64, 17)));
  CHECK(dense_cue_bit_error(3, 64, 17) < hebbian_cue_bit_error(64, 17));
}

TEST_CASE("dense F = x^2 decides as the Hebbian network, F = exp as the modern memory at beta 1", "[hopfield][completion]") {
  Rng rng(5, "dense-vs");
  for (int t = 0; t < 10; ++t) {
    const Store s = random_store(12, 10, 6, rng);
    const MatF W = make_rule("hebbian")->weights(s.patterns);
    for (int steps : {1, 4})
      CHECK(complete_dense(s.patterns, Interaction::polynomial(2), s.cues, steps) == complete_classical(W, s.cues, steps));
    CHECK(complete_dense(s.patterns, Interaction::exponential(), s.cues) == complete_modern(s.patterns, 1.0, s.cues));
  }
}

TEST_CASE("completion rejects bad cues, weights and steps", "[hopfield][completion]") {
  Rng rng(2, "bad");
  const Store s = random_store(3, 4, 2, rng);
  const MatF W = make_rule("hebbian")->weights(s.patterns);
  CHECK_THROWS_WITH(complete_classical(W, s.patterns), Catch::Contains("1 .. N - 1"));
  CHECK_THROWS_WITH(complete_classical(W, s.cues, 0), Catch::Contains("steps"));
  States half = s.cues;
  half(0, 0) = 0.5f;
  CHECK_THROWS_AS(complete_dense(s.patterns, Interaction::polynomial(3), half), std::invalid_argument);
  CHECK_THROWS_AS(complete_modern(s.patterns, -1.0, s.cues), std::invalid_argument);
  CHECK_THROWS_AS(complete_classical(MatF::Zero(3, 4), s.cues), std::invalid_argument);
  CHECK_THROWS_AS(hebbian_cue_bit_error(0, 3), std::invalid_argument);
}
