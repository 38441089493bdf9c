#include "memory/hopfield/landscape.h"

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>

#include <algorithm>
#include <numeric>
#include <unordered_map>

namespace engram::hopfield {
namespace {

constexpr Index kMaxUnits = 20;
constexpr Index kChunk = 4096;  // states per synchronous GEMM

// successor[code] for every code: one synchronous update (GEMMs over chunks of states) or one
// asynchronous sweep in unit order 0..N-1.
std::vector<std::uint32_t> successors(const BinaryHopfield& net, Update update) {
  const Index N = net.size();
  const std::uint32_t total = std::uint32_t{1} << N;
  std::vector<std::uint32_t> next(total);
  if (update == Update::synchronous) {
    for (std::uint32_t first = 0; first < total; first += std::uint32_t(kChunk)) {
      const Index rows = std::min<Index>(kChunk, Index(total - first));
      States s(rows, N);
      for (Index r = 0; r < rows; ++r) s.row(r) = decode_state(first + std::uint32_t(r), N);
      const States t = net.one_step(s);  // [rows x N]
      for (Index r = 0; r < rows; ++r) next[first + std::uint32_t(r)] = encode_state(t.row(r));
    }
  } else {
    std::vector<int> order(static_cast<size_t>(N));
    std::iota(order.begin(), order.end(), 0);
    for (std::uint32_t c = 0; c < total; ++c) next[c] = encode_state(net.sweep(decode_state(c, N), order));
  }
  return next;
}

}  // namespace

const char* kind_name(AttractorKind kind) {
  switch (kind) {
    case AttractorKind::stored: return "stored";
    case AttractorKind::inverse: return "inverse";
    case AttractorKind::spurious: return "spurious";
  }
  return "?";
}

std::uint32_t encode_state(const Eigen::RowVectorXf& s) {
  require(s.size() <= 32, "encode_state", "at most 32 units, got " + std::to_string(s.size()));
  std::uint32_t code = 0;
  for (Index j = 0; j < s.size(); ++j)
    if (s[j] > 0.0f) code |= std::uint32_t{1} << j;
  return code;
}

Eigen::RowVectorXf decode_state(std::uint32_t code, Index N) {
  require(N >= 0 && N <= 32, "decode_state", "at most 32 units, got " + std::to_string(N));
  Eigen::RowVectorXf s(N);
  for (Index j = 0; j < N; ++j) s[j] = (code >> j) & 1u ? 1.0f : -1.0f;
  return s;
}

Landscape attractor_landscape(const BinaryHopfield& net, const States& stored, Update update) {
  const Index N = net.size();
  require(N <= kMaxUnits, "attractor_landscape",
          "N must be <= " + std::to_string(kMaxUnits) + " (2^N states are enumerated), got " + std::to_string(N));
  if (stored.size() > 0) check_probes(stored, N, "attractor_landscape (stored patterns)");

  Landscape L;
  L.N = N;
  L.update = update;
  L.successor = successors(net, update);
  const std::uint32_t total = std::uint32_t(L.successor.size());

  // The successor map as a Boost graph: vertex c has the one out-edge c -> successor[c]
  // (edges listed in source order, as compressed sparse rows need).
  using Graph = boost::compressed_sparse_row_graph<boost::directedS>;
  std::vector<std::pair<std::size_t, std::size_t>> edges(total);
  for (std::uint32_t c = 0; c < total; ++c) edges[c] = {c, L.successor[c]};
  const Graph g(boost::edges_are_sorted, edges.begin(), edges.end(), total);
  std::vector<std::size_t> component(total);
  const std::size_t components = boost::strong_components(
      g, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, g)));

  // Terminal components (no edge leaves them) are the attractors.
  std::vector<char> terminal(components, 1);
  for (std::uint32_t c = 0; c < total; ++c)
    if (component[L.successor[c]] != component[c]) terminal[component[c]] = 0;
  std::vector<int> attractor_of_component(components, -1);
  std::vector<Attractor> found;
  for (std::uint32_t c = 0; c < total; ++c) {  // c is the smallest code of its component when first seen
    const std::size_t k = component[c];
    if (!terminal[k] || attractor_of_component[k] >= 0) continue;
    attractor_of_component[k] = int(found.size());
    Attractor a;
    std::uint32_t s = c;
    do {
      a.states.push_back(s);
      s = L.successor[s];
    } while (s != c);
    a.is_cycle = a.states.size() > 1;
    found.push_back(std::move(a));
  }

  // Basins: follow each state's trajectory to the first state whose attractor is known, then
  // label the path. Every state is labelled once: O(2^N).
  std::vector<int> label(total, -1);
  for (std::uint32_t c = 0; c < total; ++c)
    if (terminal[component[c]]) label[c] = attractor_of_component[component[c]];
  std::vector<std::uint32_t> path;
  for (std::uint32_t c = 0; c < total; ++c) {
    path.clear();
    std::uint32_t s = c;
    while (label[s] < 0) {
      path.push_back(s);
      s = L.successor[s];
    }
    for (const std::uint32_t p : path) label[p] = label[s];
    ++found[size_t(label[c])].basin_size;
  }

  // Classification against the stored patterns and their inverses.
  std::unordered_map<std::uint32_t, int> pattern_code, inverse_code;
  for (Index mu = stored.rows() - 1; mu >= 0; --mu) {  // downwards: the lowest mu wins
    pattern_code[encode_state(stored.row(mu))] = int(mu);
    inverse_code[encode_state(-stored.row(mu))] = int(mu);
  }
  for (Attractor& a : found) {
    int best_stored = -1, best_inverse = -1;
    for (const std::uint32_t s : a.states) {
      if (auto it = pattern_code.find(s); it != pattern_code.end() && (best_stored < 0 || it->second < best_stored))
        best_stored = it->second;
      if (auto it = inverse_code.find(s); it != inverse_code.end() && (best_inverse < 0 || it->second < best_inverse))
        best_inverse = it->second;
    }
    if (best_stored >= 0) a.kind = AttractorKind::stored, a.pattern = best_stored;
    else if (best_inverse >= 0) a.kind = AttractorKind::inverse, a.pattern = best_inverse;
  }

  // Largest basin first; ties by first state code (found is in first-code order already).
  std::vector<int> order(found.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return found[size_t(a)].basin_size > found[size_t(b)].basin_size; });
  std::vector<int> rank(found.size());
  for (size_t i = 0; i < order.size(); ++i) {
    rank[size_t(order[i])] = int(i);
    L.attractors.push_back(std::move(found[size_t(order[i])]));
  }
  L.attractor_of.resize(total);
  for (std::uint32_t c = 0; c < total; ++c) L.attractor_of[c] = rank[size_t(label[c])];
  return L;
}

}  // namespace engram::hopfield
