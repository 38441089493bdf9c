// Graph topologies from Boost.Graph generators: structure, density, reproducibility, the
// config-facing construction and its errors, and Hebbian weights on a diluted graph.
#include "memory/hopfield/binary.h"
#include "memory/hopfield/rules.h"
#include "memory/hopfield/topology.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace engram;
using namespace engram::hopfield;

namespace {

// symmetric, entries 0/1, zero diagonal, mean degree = entries / N
void require_simple_graph(const Topology& t) {
  const Index N = t.adjacency.rows();
  REQUIRE(t.adjacency.cols() == N);
  REQUIRE(t.adjacency == t.adjacency.transpose());
  REQUIRE(t.adjacency.diagonal().isZero(0.0));
  REQUIRE((t.adjacency.array() * (t.adjacency.array() - 1.0f)).isZero(0.0));  // 0 or 1
  REQUIRE(t.mean_degree == Approx(double(t.adjacency.sum()) / double(N)));
}

Index circular_distance(Index i, Index j, Index N) {
  const Index d = std::abs(i - j);
  return std::min(d, N - d);
}

}  // namespace

TEST_CASE("ring lattice: exactly the k nearest neighbours", "[hopfield][topology]") {
  for (const auto& [N, k] : {std::pair<Index, Index>{10, 4}, {7, 6}, {30, 2}}) {
    const Topology t = ring_lattice(N, k);
    require_simple_graph(t);
    REQUIRE(t.mean_degree == double(k));
    for (Index i = 0; i < N; ++i)
      for (Index j = 0; j < N; ++j) {
        const Index d = circular_distance(i, j, N);
        REQUIRE(t.adjacency(i, j) == (d >= 1 && d <= k / 2 ? 1.0f : 0.0f));
      }
  }
}

TEST_CASE("Erdos-Renyi: edge density near p, reproducible from the Rng", "[hopfield][topology]") {
  const Index N = 400;
  for (double p : {0.02, 0.1, 0.5}) {
    Rng rng(1, "er");
    const Topology t = erdos_renyi(N, p, rng);
    require_simple_graph(t);
    // edges ~ Binomial(N (N - 1) / 2, p): sd of the density < 0.0045 here; allow 4 sd
    const double density = t.mean_degree / double(N - 1);
    REQUIRE(std::abs(density - p) < 4.0 * std::sqrt(p * (1 - p) / (double(N) * double(N - 1) / 2.0)));
    Rng again(1, "er");
    REQUIRE(erdos_renyi(N, p, again).adjacency == t.adjacency);
  }
  Rng rng(2);
  REQUIRE(erdos_renyi(50, 0.0, rng).mean_degree == 0.0);
  REQUIRE(erdos_renyi(50, 1.0, rng).mean_degree == 49.0);
}

TEST_CASE("Watts-Strogatz: the ring with a fraction beta of its edges rewired", "[hopfield][topology]") {
  const Index N = 300, k = 6;
  const Topology ring = ring_lattice(N, k);
  Rng rng(3, "ws");
  REQUIRE(watts_strogatz(N, k, 0.0, rng).adjacency == ring.adjacency);
  const Topology t = watts_strogatz(N, k, 0.2, rng);
  require_simple_graph(t);
  // rewiring moves edges (rarely onto an existing one): the degree stays ~k on average
  REQUIRE(t.mean_degree <= double(k));
  REQUIRE(t.mean_degree > double(k) - 0.1);
  // ~80% of the N k / 2 lattice edges survive (each rewired with probability 0.2)
  const double kept = double(t.adjacency.cwiseProduct(ring.adjacency).sum()) / double(ring.adjacency.sum());
  REQUIRE(kept == Approx(0.8).margin(0.05));
  Rng other(4, "ws");
  REQUIRE(watts_strogatz(N, k, 0.2, other).adjacency != t.adjacency);
}

TEST_CASE("topologies by name from options, with errors naming what is wrong", "[hopfield][topology]") {
  Rng rng(5, "config");
  const Topology ws = make_topology(100, Options().set("name", "watts_strogatz").set("k", 20).set("beta", 0.1), rng);
  require_simple_graph(ws);
  REQUIRE(ws.mean_degree > 19.0);
  REQUIRE(make_topology(12, Options().set("name", "ring").set("k", 4), rng).adjacency == ring_lattice(12, 4).adjacency);
  REQUIRE(make_topology(50, Options().set("name", "erdos_renyi").set("p", 0.2), rng).mean_degree > 0.0);

  REQUIRE_THROWS_WITH(make_topology(10, Options().set("name", "small_world"), rng),
                      Catch::Contains("name: unknown topology 'small_world'") && Catch::Contains("watts_strogatz"));
  REQUIRE_THROWS_WITH(make_topology(10, Options().set("name", "watts_strogaz"), rng),
                      Catch::Contains("did you mean 'watts_strogatz'"));
  REQUIRE_THROWS_WITH(make_topology(10, Options(), rng), Catch::Contains("name: required"));
  REQUIRE_THROWS_WITH(make_topology(10, Options().set("name", "ring"), rng),
                      Catch::Contains("k: required by topology 'ring'"));
  REQUIRE_THROWS_WITH(make_topology(10, Options().set("name", "ring").set("k", 4).set("beta", 0.1), rng),
                      Catch::Contains("beta: unknown option of topology 'ring'"));
  REQUIRE_THROWS_WITH(make_topology(10, Options().set("name", "ring").set("k", 3), rng),
                      Catch::Contains("k must be even"));
  REQUIRE_THROWS_WITH(make_topology(10, Options().set("name", "erdos_renyi").set("p", 1.5), rng),
                      Catch::Contains("p: must be in [0, 1]"));
  REQUIRE_THROWS_WITH(watts_strogatz(10, 10, 0.5, rng), Catch::Contains("2 <= k <= 8"));
}

TEST_CASE("diluted Hebbian weights: masked, normalised by the mean degree", "[hopfield][topology]") {
  Rng rng(6, "diluted");
  const Index N = 200;
  const States x = random_patterns(3, N, rng);
  const Topology t = erdos_renyi(N, 0.5, rng);
  const MatF w = diluted_hebbian(x, t.adjacency);
  for (Index i = 0; i < N; i += 7)
    for (Index j = 0; j < N; j += 3) {
      double sum = 0;
      for (Index mu = 0; mu < x.rows(); ++mu) sum += double(x(mu, i)) * double(x(mu, j));
      const double expect = i == j ? 0.0 : double(t.adjacency(i, j)) * sum / t.mean_degree;
      REQUIRE(w(i, j) == Approx(expect).margin(1e-6));
    }
  // low load on the diluted graph (alpha = P / K = 0.03): the patterns are fixed points
  REQUIRE(BinaryHopfield(w).one_step(x) == x);
  // the complete graph gives the Hebbian rule times N / (N - 1)
  Topology full = erdos_renyi(N, 1.0, rng);
  const MatF hebb = make_rule("hebbian")->weights(x);
  REQUIRE((diluted_hebbian(x, full.adjacency) - hebb * float(N) / float(N - 1)).cwiseAbs().maxCoeff() < 1e-6);
  REQUIRE_THROWS_WITH(diluted_hebbian(x, MatF::Zero(N, N)), Catch::Contains("no edges"));
  REQUIRE_THROWS_WITH(diluted_hebbian(x, MatF::Ones(N - 1, N - 1)), Catch::Contains("adjacency must be [200 x 200]"));
}
