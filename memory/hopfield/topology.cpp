#include "memory/hopfield/topology.h"

#include "memory/hopfield/binary.h"
#include "memory/hopfield/rules.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/erdos_renyi_generator.hpp>
#include <boost/graph/small_world_generator.hpp>

#include <limits>

namespace engram::hopfield {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

// engram's Rng as a UniformRandomBitGenerator for Boost.Random's distributions. Holds a pointer:
// Boost copies generators by value, and every copy must draw from the same stream.
class BoostRng {
 public:
  using result_type = std::uint64_t;
  explicit BoostRng(Rng& rng) : rng_(&rng) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return rng_->next_u64(); }

 private:
  Rng* rng_;
};

// The 0/1 adjacency of g (parallel edges and self loops dropped) and its mean degree.
Topology from_graph(const Graph& g) {
  const Index N = Index(boost::num_vertices(g));
  Topology t{MatF::Zero(N, N), 0.0};
  double edges = 0;
  for (auto [e, end] = boost::edges(g); e != end; ++e) {
    const Index u = Index(boost::source(*e, g)), v = Index(boost::target(*e, g));
    if (u == v || t.adjacency(u, v) != 0.0f) continue;
    t.adjacency(u, v) = t.adjacency(v, u) = 1.0f;
    ++edges;
  }
  t.mean_degree = 2.0 * edges / double(N);
  return t;
}

void require_size(Index N, const char* where) {
  require(N >= 1 && N <= std::numeric_limits<int>::max(), where, "N must be >= 1, got " + std::to_string(N));
}

void require_lattice_k(Index N, Index k, Index max_k, const char* where) {
  require(k >= 2 && k % 2 == 0 && k <= max_k, where,
          "k must be even with 2 <= k <= " + std::to_string(max_k) + " for N = " + std::to_string(N) + ", got " +
              std::to_string(k));
}

// Parameters without a default must be given.
void require_key(const Options& o, const std::string& family, const std::string& key) {
  require(o.has(key), key.c_str(), "required by topology '" + family + "'");
}

ENGRAM_REGISTER(topologies(), "erdos_renyi", "G(N, p): each pair coupled with probability p", [](Index N, const Options& o, Rng& rng) {
  require_key(o, "erdos_renyi", "p");
  const double p = o.number("p", 0.0, 0.0, 1.0);
  o.finish("topology 'erdos_renyi'");
  return erdos_renyi(N, p, rng);
});
ENGRAM_REGISTER(topologies(), "watts_strogatz", "ring lattice of k neighbours, edges rewired with probability beta",
                 [](Index N, const Options& o, Rng& rng) {
                   require_key(o, "watts_strogatz", "k");
                   require_key(o, "watts_strogatz", "beta");
                   const Index k = Index(o.integer("k", 0));
                   const double beta = o.number("beta", 0.0, 0.0, 1.0);
                   o.finish("topology 'watts_strogatz'");
                   return watts_strogatz(N, k, beta, rng);
                 });
ENGRAM_REGISTER(topologies(), "ring", "ring lattice: k nearest neighbours (k / 2 per side)", [](Index N, const Options& o, Rng&) {
  require_key(o, "ring", "k");
  const Index k = Index(o.integer("k", 0));
  o.finish("topology 'ring'");
  return ring_lattice(N, k);
});

}  // namespace

Registry<TopologyFactory>& topologies() {
  static Registry<TopologyFactory> r("topology", "topologies", "sparse Hopfield connection graphs (topology: {name: small_world, ...})");
  return r;
}

Topology erdos_renyi(Index N, double p, Rng& rng) {
  require_size(N, "erdos_renyi");
  require(p >= 0.0 && p <= 1.0, "erdos_renyi", "p must be in [0, 1], got " + num_str(p));
  if (p == 1.0) {  // the geometric skipping needs p < 1
    Topology t{MatF::Ones(N, N), double(N - 1)};
    t.adjacency.diagonal().setZero();
    return t;
  }
  if (p == 0.0) return from_graph(Graph(size_t(N)));
  BoostRng gen(rng);
  using ER = boost::sorted_erdos_renyi_iterator<BoostRng, Graph>;
  return from_graph(Graph(ER(gen, size_t(N), p), ER(), size_t(N)));
}

Topology watts_strogatz(Index N, Index k, double beta, Rng& rng) {
  require_size(N, "watts_strogatz");
  require(beta >= 0.0 && beta <= 1.0, "watts_strogatz", "beta must be in [0, 1], got " + num_str(beta));
  // rewiring draws a target outside the (k + 1)-vertex window around the source: needs one
  require_lattice_k(N, k, beta > 0.0 ? N - 2 : N - 1, "watts_strogatz");
  BoostRng gen(rng);
  using SW = boost::small_world_iterator<BoostRng, Graph>;
  return from_graph(Graph(SW(gen, size_t(N), size_t(k), beta), SW(), size_t(N)));
}

Topology ring_lattice(Index N, Index k) {
  require_size(N, "ring_lattice");
  require_lattice_k(N, k, N - 1, "ring_lattice");
  Rng unused(0, "ring_lattice");  // small_world_iterator draws even when beta = 0
  return watts_strogatz(N, k, 0.0, unused);
}

Topology make_topology(Index N, const Options& options, Rng& rng) {
  const std::string name = options.string("name", "");
  if (name.empty()) {
    std::string known;
    for (const auto& n : topologies().names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("name: required, one of " + known);
  }
  TopologyFactory factory;
  try {
    factory = topologies().get(name);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("name: " + std::string(e.what()));
  }
  return factory(N, options, rng);
}

MatF diluted_hebbian(const States& patterns, const MatF& adjacency) {
  check_patterns(patterns, "diluted_hebbian");
  const Index N = patterns.cols();
  require(adjacency.rows() == N && adjacency.cols() == N, "diluted_hebbian",
          "adjacency must be [" + std::to_string(N) + " x " + std::to_string(N) + "] for patterns " +
              shape_str(patterns) + ", got " + shape_str(adjacency));
  const MatF w = mask_weights(hebbian_matrix(patterns), adjacency);  // checks the entries are 0/1
  const double K = adjacency.rowwise().sum().cast<double>().sum() / double(N);  // row sums exact in float
  require(K > 0.0, "diluted_hebbian", "the adjacency has no edges (mean degree 0)");
  return w / float(K);
}

}  // namespace engram::hopfield
