// Attractor landscapes of tiny networks against hand enumeration, and structural properties of
// larger ones.
#include "memory/hopfield/landscape.h"

#include <catch2/catch.hpp>

using namespace engram;
using namespace engram::hopfield;

namespace {

// The attractors as (states, basin size, kind, pattern) for comparison.
struct Summary {
  std::vector<std::uint32_t> states;
  std::uint64_t basin;
  AttractorKind kind;
  int pattern;
  bool operator==(const Summary&) const = default;
};

std::vector<Summary> summary(const Landscape& L) {
  std::vector<Summary> out;
  for (const Attractor& a : L.attractors) {
    REQUIRE(a.is_cycle == (a.states.size() > 1));
    out.push_back({a.states, a.basin_size, a.kind, a.pattern});
  }
  return out;
}

States row_states(std::initializer_list<std::initializer_list<float>> rows) {
  States s(Index(rows.size()), Index(rows.begin()->size()));
  Index r = 0;
  for (const auto& row : rows) {
    Index c = 0;
    for (float v : row) s(r, c++) = v;
    ++r;
  }
  return s;
}

}  // namespace

TEST_CASE("state codes: bit j is unit j being +1", "[hopfield][landscape]") {
  Eigen::RowVectorXf s(4);
  s << 1, -1, 1, 1;
  REQUIRE(encode_state(s) == 0b1101u);
  REQUIRE(decode_state(0b1101u, 4) == s);
}

TEST_CASE("landscape of N = 4 storing one pattern, worked by hand", "[hopfield][landscape]") {
  // xi = (+,+,-,-), code 0b0011 = 3; -xi code 12. Hebbian W = (xi xi^T - I) / 4, so with
  // u_i = xi_i s_i the field is h_i = xi_i a_i / 4, a_i = sum_{j != i} u_j, a sum of three +-1:
  // odd, never 0 (no sign(0) ties). Synchronous: u_i <- sign(a_i). By k = #{u_i = +1}:
  //   k = 4 (s = xi) and k = 0 (s = -xi) are fixed points;
  //   k = 3 -> xi (a_i >= 1 everywhere): codes 3 ^ {1, 2, 4, 8} = 2, 1, 7, 11;
  //   k = 1 -> -xi: codes 12 ^ {1, 2, 4, 8} = 13, 14, 8, 4;
  //   k = 2: a_i = -1 where u_i = +1 and +1 where u_i = -1, so u -> -u: three 2-cycles
  //          {s, -s}: {0, 15}, {5, 10}, {6, 9}, spurious.
  // Basins 5, 5, 2, 2, 2 (= 16).
  const States xi = row_states({{1, 1, -1, -1}});
  const BinaryHopfield net = BinaryHopfield::store(xi, *make_rule("hebbian"));
  const Landscape sync = attractor_landscape(net, xi);
  REQUIRE(sync.N == 4);
  REQUIRE(summary(sync) == std::vector<Summary>{{{3}, 5, AttractorKind::stored, 0},
                                                {{12}, 5, AttractorKind::inverse, 0},
                                                {{0, 15}, 2, AttractorKind::spurious, -1},
                                                {{5, 10}, 2, AttractorKind::spurious, -1},
                                                {{6, 9}, 2, AttractorKind::spurious, -1}});
  for (std::uint32_t c : {1u, 2u, 7u, 11u}) REQUIRE(sync.attractor_of[c] == 0);
  for (std::uint32_t c : {4u, 8u, 13u, 14u}) REQUIRE(sync.attractor_of[c] == 1);
  REQUIRE(sync.successor[0] == 15);
  REQUIRE(sync.successor[15] == 0);

  // Asynchronous sweep in unit order 0..3: k = 3 and k = 1 states go as before. A k = 2 state
  // is decided by unit 0 (xi_0 = +1, so u_0 = s_0): if u_0 = +1, a_0 = -1 flips it and every
  // later unit sees a majority of -1: -> -xi; if u_0 = -1, a_0 = +1 flips it to k = 3: -> xi.
  // So codes 0, 6, 10 (s_0 = -1) join xi and 5, 9, 15 join -xi: basins 8 and 8, no cycles.
  const Landscape async = attractor_landscape(net, xi, Update::asynchronous);
  REQUIRE(summary(async) ==
          std::vector<Summary>{{{3}, 8, AttractorKind::stored, 0}, {{12}, 8, AttractorKind::inverse, 0}});
  for (std::uint32_t c : {0u, 6u, 10u}) REQUIRE(async.attractor_of[c] == 0);
  for (std::uint32_t c : {5u, 9u, 15u}) REQUIRE(async.attractor_of[c] == 1);
}

TEST_CASE("landscape of N = 3 storing (+,+,+): sign(0) = +1 breaks the symmetry", "[hopfield][landscape]") {
  // W = (J - I) / 3: h_i = (s_j + s_k) / 3 over the other two units. A state with one -1 has
  // fields 2/3 at the -1 and 0 at the others: -> (+,+,+). A state with two -1s has field 0 at
  // both -1s (-> +1) and -2/3 at the +1 (-> -1): one step to a one--1 state, then (+,+,+).
  // (-,-,-) has fields -2/3: fixed. Basins 7 and 1.
  const States p = row_states({{1, 1, 1}});
  const Landscape L = attractor_landscape(BinaryHopfield::store(p, *make_rule("hebbian")), p);
  REQUIRE(summary(L) == std::vector<Summary>{{{7}, 7, AttractorKind::stored, 0}, {{0}, 1, AttractorKind::inverse, 0}});
  REQUIRE(L.successor[0b100] == 0b011);  // (-,-,+) -> (+,+,-)
}

TEST_CASE("landscape of the w = -1 pair: two fixed points and a 2-cycle", "[hopfield][landscape]") {
  MatF w(2, 2);
  w << 0, -1, -1, 0;
  const Landscape L = attractor_landscape(BinaryHopfield(w));
  REQUIRE(summary(L) == std::vector<Summary>{{{0, 3}, 2, AttractorKind::spurious, -1},
                                             {{1}, 1, AttractorKind::spurious, -1},
                                             {{2}, 1, AttractorKind::spurious, -1}});
}

TEST_CASE("landscapes of random networks are consistent", "[hopfield][landscape]") {
  Rng rng(1, "landscape");
  for (int trial = 0; trial < 4; ++trial) {
    const Index N = 10 + trial;
    const States x = random_patterns(2, N, rng);
    const BinaryHopfield net = BinaryHopfield::store(x, *make_rule(trial % 2 ? "storkey" : "hebbian"));
    for (Update u : {Update::synchronous, Update::asynchronous}) {
      const Landscape L = attractor_landscape(net, x, u);
      std::uint64_t total = 0;
      for (size_t a = 0; a < L.attractors.size(); ++a) {
        const Attractor& at = L.attractors[a];
        total += at.basin_size;
        if (a > 0) REQUIRE(at.basin_size <= L.attractors[a - 1].basin_size);
        // symmetric weights: fixed points and 2-cycles (sync), fixed points only (async)
        REQUIRE(at.states.size() <= (u == Update::synchronous ? 2u : 1u));
        for (size_t k = 0; k < at.states.size(); ++k) {
          REQUIRE(L.successor[at.states[k]] == at.states[(k + 1) % at.states.size()]);
          REQUIRE(L.attractor_of[at.states[k]] == int(a));
        }
      }
      REQUIRE(total == (std::uint64_t{1} << N));
      // every state's successor lies in the same basin
      for (std::uint32_t c = 0; c < (std::uint32_t{1} << N); ++c)
        REQUIRE(L.attractor_of[L.successor[c]] == L.attractor_of[c]);
      // the stored patterns (low load) are fixed points classified as such
      for (Index mu = 0; mu < x.rows(); ++mu) {
        const Attractor& at = L.attractors[size_t(L.attractor_of[encode_state(x.row(mu))])];
        REQUIRE(at.states == std::vector<std::uint32_t>{encode_state(x.row(mu))});
        REQUIRE(at.kind == AttractorKind::stored);
      }
      // the successor map is the network's own update
      const std::uint32_t c = std::uint32_t(rng.below(std::uint64_t{1} << N));
      std::vector<int> order(static_cast<size_t>(N));
      for (Index i = 0; i < N; ++i) order[size_t(i)] = int(i);
      const Eigen::RowVectorXf next = u == Update::synchronous
                                          ? Eigen::RowVectorXf(net.one_step(decode_state(c, N)))
                                          : net.sweep(decode_state(c, N), order);
      REQUIRE(L.successor[c] == encode_state(next));
    }
  }
}

TEST_CASE("landscape rejects networks above 20 units and mismatched patterns", "[hopfield][landscape]") {
  REQUIRE_THROWS_WITH(attractor_landscape(BinaryHopfield(MatF::Zero(21, 21))),
                      Catch::Contains("attractor_landscape") && Catch::Contains("N must be <= 20") &&
                          Catch::Contains("got 21"));
  REQUIRE_THROWS_WITH(attractor_landscape(BinaryHopfield(MatF::Zero(5, 5)), States::Ones(2, 4)),
                      Catch::Contains("[B x 5]") && Catch::Contains("[2 x 4]"));
  REQUIRE(kind_name(AttractorKind::inverse) == std::string("inverse"));
}
