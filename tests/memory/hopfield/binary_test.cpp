// The dense binary network: energy and fields against their formulas, asynchronous descent of
// the energy, the synchronous 2-cycle, run semantics, batch determinism, the one-step error rate
// of Hebbian storage against theory, and input errors.
#include "core/parallel.h"
#include "memory/hopfield/binary.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace engram;
using namespace engram::hopfield;

namespace {

// Random symmetric weights with zero diagonal, N(0, 1) entries.
MatF random_symmetric(Index N, Rng& rng) {
  MatF w(N, N);
  for (Index i = 0; i < N; ++i) {
    w(i, i) = 0.0f;
    for (Index j = 0; j < i; ++j) w(i, j) = w(j, i) = float(rng.normal());
  }
  return w;
}

Eigen::RowVectorXf random_row(Index N, Rng& rng, double sd) {
  Eigen::RowVectorXf t(N);
  for (Index i = 0; i < N; ++i) t[i] = float(rng.normal(0.0, sd));
  return t;
}

// The two-neuron network with w = -1 (anti-ferromagnetic pair).
BinaryHopfield pair_network() {
  MatF w(2, 2);
  w << 0, -1, -1, 0;
  return BinaryHopfield(w);
}

}  // namespace

TEST_CASE("energy and fields follow their formulas", "[hopfield][binary]") {
  Rng rng(1, "formulas");
  const Index N = 9;
  const MatF w = random_symmetric(N, rng);
  const Eigen::RowVectorXf theta = random_row(N, rng, 0.5);
  const float scale = 0.25f;
  const BinaryHopfield net(w, theta, scale);
  const States s = random_patterns(4, N, rng);
  const MatF h = net.fields(s);
  const Eigen::VectorXd e = net.energy(s);
  for (Index b = 0; b < s.rows(); ++b) {
    double quad = 0, lin = 0;
    for (Index i = 0; i < N; ++i) {
      double hi = 0;
      for (Index j = 0; j < N; ++j) {
        quad += double(s(b, i)) * double(w(i, j)) * double(s(b, j));
        hi += double(scale) * double(w(i, j)) * double(s(b, j));
      }
      lin += double(theta[i]) * double(s(b, i));
      REQUIRE(h(b, i) == Approx(hi - double(theta[i])).margin(1e-5));
    }
    REQUIRE(e[b] == Approx(-0.5 * double(scale) * quad + lin).margin(1e-9));
  }
  REQUIRE(net.one_step(s) == sign(h));
  REQUIRE(net.weights() == scale * w);
}

TEST_CASE("asynchronous dynamics never increase the energy", "[hopfield][binary]") {
  // property test: random symmetric zero-diagonal weights and thresholds, energy after every flip
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    Rng rng(seed, "descent");
    const Index N = 2 + Index(rng.below(40));
    const BinaryHopfield net(random_symmetric(N, rng), random_row(N, rng, 0.3), float(rng.uniform(0.1, 2.0)));
    const Eigen::RowVectorXf probe = random_patterns(1, N, rng).row(0);
    RunOptions opt;
    opt.update = Update::asynchronous;
    opt.max_sweeps = 1000;
    opt.record_energy = true;
    opt.record_flips = true;
    const RunResult r = net.run(probe, opt, rng);
    INFO("seed " << seed << " N " << N);
    REQUIRE(r.converged);
    REQUIRE(r.energy.size() == size_t(r.sweeps) + 1);
    double last = r.energy.front();
    REQUIRE(last == Approx(net.energy(probe)[0]).margin(1e-9));
    for (const double e : r.flip_energy) {
      REQUIRE(e <= last + 1e-9);
      last = e;
    }
    for (size_t t = 1; t < r.energy.size(); ++t) REQUIRE(r.energy[t] <= r.energy[t - 1] + 1e-9);
    // the incrementally kept energy is the energy of the final state
    REQUIRE(last == Approx(net.energy(r.state)[0]).margin(1e-6));
    REQUIRE(r.energy.back() == Approx(last).margin(1e-9));
    REQUIRE(net.one_step(r.state) == States(r.state));  // a fixed point
  }
}

TEST_CASE("a sweep updates units one at a time in the given order, asymmetric weights too", "[hopfield][binary]") {
  // integer weights and thresholds: fields are exact, so the naive loop must agree exactly
  Rng rng(8, "sweep");
  for (int trial = 0; trial < 50; ++trial) {
    const Index N = 3 + Index(rng.below(12));
    MatF w(N, N);
    Eigen::RowVectorXf theta(N);
    for (Index i = 0; i < N; ++i) {
      theta[i] = float(int(rng.below(5)) - 2);
      for (Index j = 0; j < N; ++j) w(i, j) = float(int(rng.below(7)) - 3);
    }
    const BinaryHopfield net(w, theta);
    Eigen::RowVectorXf s = random_patterns(1, N, rng).row(0);
    std::vector<int> order = rng.permutation(int(N));
    order.push_back(order.front());  // a unit may be visited twice
    const Eigen::RowVectorXf swept = net.sweep(s, order);
    for (const int i : order) {
      float h = -theta[i];
      for (Index j = 0; j < N; ++j) h += w(i, j) * s[j];
      s[i] = h >= 0.0f ? 1.0f : -1.0f;
    }
    REQUIRE(swept == s);
  }
}

TEST_CASE("two neurons with w = -1: synchronous 2-cycle, asynchronous fixed point", "[hopfield][binary]") {
  const BinaryHopfield net = pair_network();
  const Eigen::RowVectorXf up = Eigen::RowVectorXf::Ones(2);
  Rng rng(2);
  RunOptions opt;
  opt.record_energy = true;
  // (+,+) -> (-,-) -> (+,+): fields -(other unit)
  const RunResult sync = net.run(up, opt, rng);
  REQUIRE(sync.two_cycle);
  REQUIRE_FALSE(sync.converged);
  REQUIRE(sync.sweeps == 2);
  REQUIRE(sync.state == up);
  REQUIRE(sync.energy == std::vector<double>{1.0, 1.0, 1.0});  // E(+,+) = E(-,-) = -1/2 (2 w) = 1

  // asynchronous: the first unit visited flips, the second then agrees: (+,-) or (-,+), E = -1
  opt.update = Update::asynchronous;
  const RunResult async = net.run(up, opt, rng);
  REQUIRE(async.converged);
  REQUIRE_FALSE(async.two_cycle);
  REQUIRE(async.sweeps == 2);
  REQUIRE(async.state[0] == -async.state[1]);
  REQUIRE(async.energy == std::vector<double>{1.0, -1.0, -1.0});
}

TEST_CASE("run semantics: fixed points take one sweep, the sweep limit is honoured", "[hopfield][binary]") {
  Rng rng(3, "semantics");
  const States x = random_patterns(3, 60, rng);
  const BinaryHopfield net = BinaryHopfield::store(x, *make_rule("hebbian"));
  for (Update u : {Update::synchronous, Update::asynchronous}) {
    RunOptions opt;
    opt.update = u;
    const RunResult r = net.run(x.row(1), opt, rng);
    REQUIRE(r.converged);
    REQUIRE(r.sweeps == 1);
    REQUIRE(r.state == x.row(1));
  }
  // the pair network oscillates forever under sync updates; with max_sweeps = 1 the run stops
  RunOptions one;
  one.max_sweeps = 1;
  one.record_energy = true;
  const RunResult r = pair_network().run(Eigen::RowVectorXf::Ones(2), one, rng);
  REQUIRE_FALSE(r.converged);
  REQUIRE_FALSE(r.two_cycle);
  REQUIRE(r.sweeps == 1);
  REQUIRE(r.state == -Eigen::RowVectorXf::Ones(2));
  REQUIRE(r.energy.size() == 2);
}

TEST_CASE("run_batch equals run per probe and does not depend on the thread count", "[hopfield][binary]") {
  Rng rng(4, "batch");
  const Index N = 80;
  const States x = random_patterns(12, N, rng);
  const States probes = flip_bits(random_patterns(70, N, rng), 0.1, rng);
  ThreadPool pool(2);
  for (const char* rule : {"hebbian", "storkey"})
    for (Update u : {Update::synchronous, Update::asynchronous}) {
      const BinaryHopfield net = BinaryHopfield::store(x, *make_rule(rule));
      RunOptions opt;
      opt.update = u;
      opt.record_energy = true;
      const Rng seed(5, "runs");
      const BatchResult a = net.run_batch(probes, opt, seed);
      const BatchResult b = net.run_batch(probes, opt, seed, &pool);
      REQUIRE(a.states == b.states);
      for (Index i = 0; i < probes.rows(); ++i) {
        REQUIRE(a.stats[size_t(i)].sweeps == b.stats[size_t(i)].sweeps);
        REQUIRE(a.stats[size_t(i)].energy == b.stats[size_t(i)].energy);
      }
      if (std::string(rule) == "hebbian") {  // exact fields: the single-probe path agrees too
        for (Index i = 0; i < probes.rows(); ++i) {
          Rng child = seed.child(std::uint64_t(i));
          const RunResult r = net.run(probes.row(i), opt, child);
          REQUIRE(r.state == a.states.row(i));
          REQUIRE(r.sweeps == a.stats[size_t(i)].sweeps);
          REQUIRE(r.two_cycle == a.stats[size_t(i)].two_cycle);
          REQUIRE(r.energy == a.stats[size_t(i)].energy);
        }
      }
    }
}

TEST_CASE("Hebbian one-step error at alpha = 0.138 matches 1/2 erfc(1/sqrt(2 alpha))", "[hopfield][binary]") {
  // Signal 1 against Gaussian crosstalk of variance alpha: a bit of a stored pattern flips in
  // one synchronous step with probability 1/2 erfc(1 / sqrt(2 alpha)) = 0.0036 at alpha = 0.138.
  // 10 pattern sets of N = 500, P = 69 give 345000 bits, ~1200 expected errors (sd ~ 35, 3%):
  // a 20% band is loose enough for the finite-N correction (sqrt((N-1)/(P-1)) instead of
  // sqrt(N/P) in the erfc: 0.0034) and still fails for any other scale of the weights.
  const Index N = 500, P = 69;
  const double alpha = double(P) / double(N);
  const double theory = 0.5 * std::erfc(1.0 / std::sqrt(2.0 * alpha));
  REQUIRE(theory == Approx(0.0036).margin(0.0001));
  double errors = 0, bits = 0;
  for (std::uint64_t trial = 0; trial < 10; ++trial) {
    Rng rng(trial, "one-step-error");
    const States x = random_patterns(P, N, rng);
    const States y = BinaryHopfield::store(x, *make_rule("hebbian")).one_step(x);
    errors += double((y.array() != x.array()).count());
    bits += double(P * N);
  }
  const double rate = errors / bits;
  INFO("measured " << rate << ", theory " << theory);
  REQUIRE(std::abs(rate - theory) < 0.2 * theory);
}

TEST_CASE("masked networks keep only the allowed couplings", "[hopfield][binary]") {
  Rng rng(6, "mask");
  const MatF w = random_symmetric(6, rng);
  MatF a = MatF::Zero(6, 6);
  a(0, 1) = a(1, 0) = a(2, 5) = a(5, 2) = 1.0f;
  const BinaryHopfield net = BinaryHopfield(w, {}, 0.5f).masked(a);
  REQUIRE(net.matrix() == w.cwiseProduct(a));
  REQUIRE(net.scale() == 0.5f);
  a(3, 3) = 0.5f;
  REQUIRE_THROWS_WITH(mask_weights(w, a), Catch::Contains("adjacency must be 0/1") && Catch::Contains("row 3, column 3"));
  REQUIRE_THROWS_WITH(mask_weights(w, MatF::Ones(5, 6)), Catch::Contains("[5 x 6]") && Catch::Contains("[6 x 6]"));
}

TEST_CASE("the binary network rejects bad input with messages naming it", "[hopfield][binary]") {
  Rng rng(7);
  const BinaryHopfield net = BinaryHopfield::store(random_patterns(2, 10, rng), *make_rule("hebbian"));
  REQUIRE_THROWS_WITH(net.run_batch(random_patterns(3, 9, rng), {}, rng),
                      Catch::Contains("BinaryHopfield::run_batch") && Catch::Contains("[B x 10]") &&
                          Catch::Contains("[3 x 9]"));
  States bad = random_patterns(3, 10, rng);
  bad(2, 4) = 0.0f;
  REQUIRE_THROWS_WITH(net.one_step(bad), Catch::Contains("must be +-1") && Catch::Contains("row 2, column 4"));
  REQUIRE_THROWS_WITH(net.run(Eigen::RowVectorXf::Constant(10, 2.0f), {}, rng), Catch::Contains("BinaryHopfield::run"));
  REQUIRE_THROWS_WITH(BinaryHopfield(MatF::Zero(3, 4)), Catch::Contains("[N x N]") && Catch::Contains("[3 x 4]"));
  REQUIRE_THROWS_WITH(BinaryHopfield(MatF::Zero(3, 3), Eigen::RowVectorXf::Zero(4)), Catch::Contains("thresholds"));
  REQUIRE_THROWS_WITH(BinaryHopfield(MatF::Zero(3, 3), {}, 0.0f), Catch::Contains("scale must be > 0"));
  REQUIRE_THROWS_WITH(net.sweep(Eigen::RowVectorXf::Ones(10), {0, 10}), Catch::Contains("unit 10"));
  RunOptions opt;
  opt.record_flips = true;  // synchronous
  REQUIRE_THROWS_WITH(net.run(Eigen::RowVectorXf::Ones(10), opt, rng), Catch::Contains("record_flips"));
}
