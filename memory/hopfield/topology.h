// engram/memory/hopfield/topology.h — diluted connectivity: which pairs of units are coupled,
// as an undirected graph built with Boost.Graph generators.
//
// A Topology is the symmetric 0/1 adjacency of the graph ([N x N] float, zero diagonal; parallel
// edges collapse to 1) and its mean degree K = 2 |E| / N. Families, by name (Options keys):
//   "erdos_renyi"     p       every pair is an edge with probability p (G(N, p); Boost's
//                             sorted_erdos_renyi_iterator, geometric skipping: O(N + |E|))
//   "watts_strogatz"  k, beta the ring lattice below, each edge rewired with probability beta
//                             to a uniform vertex outside the k-neighbourhood (Boost's
//                             small_world_iterator); k even, 2 <= k <= N - 2 when beta > 0
//   "ring"            k       ring lattice: unit i coupled to its k nearest neighbours (k / 2 on
//                             each side); k even, 2 <= k <= N - 1. Watts-Strogatz with beta = 0.
// Random families draw from the engram Rng passed in (wrapped as a UniformRandomBitGenerator),
// so a topology is reproducible from the run's seed and stream name.
//
// A config names a family and its parameters in one map, e.g.
//   topology: {name: watts_strogatz, k: 20, beta: 0.1}
// which the config layer turns into Options for make_topology; an unknown name or parameter is
// an std::invalid_argument naming it.
#pragma once

#include "core/options.h"
#include "core/registry.h"
#include "memory/hopfield/patterns.h"

#include <functional>

namespace engram::hopfield {

struct Topology {
  MatF adjacency;           // [N x N] symmetric, entries 0/1, zero diagonal
  double mean_degree = 0;   // 2 |E| / N
};

Topology erdos_renyi(Index N, double p, Rng& rng);
Topology watts_strogatz(Index N, Index k, double beta, Rng& rng);
Topology ring_lattice(Index N, Index k);

// The registry of families (kind "topology"): factory(N, options, rng) reads the family's
// parameters from options and calls finish().
using TopologyFactory = std::function<Topology(Index N, const Options& options, Rng& rng)>;
Registry<TopologyFactory>& topologies();

// Config-facing construction: options hold `name` (a registered family) and its parameters.
Topology make_topology(Index N, const Options& options, Rng& rng);

// Hebbian weights on a diluted graph: W = (X^T X - P I) .* A / K, where A is the adjacency
// ([N x N] 0/1) and K its mean degree (> 0). patterns: [P x N] +-1 -> [N x N].
// Normalising by K (rather than N) keeps the field of a stored pattern at signal k_i / K ~ 1
// with crosstalk variance ~ P / K: a diluted network of mean degree K behaves like a fully
// connected one of K units (load alpha = P / K); with the complete graph, K = N - 1 and W is
// the Hebbian rule times N / (N - 1) (same signs, same dynamics).
// For exact integer fields (see binary.h) build the network as
//   BinaryHopfield(mask_weights(hebbian_matrix(X), A), {}, 1.0f / float(K)).
MatF diluted_hebbian(const States& patterns, const MatF& adjacency);

}  // namespace engram::hopfield
