// engram/memory/hopfield/landscape.h — the whole attractor landscape of a small binary network.
//
// For N <= 20 every one of the 2^N states is enumerated with its successor under one
// synchronous update (or, with Update::asynchronous, one deterministic asynchronous sweep over
// units 0, 1, ..., N-1 in that order). The successor map is a directed graph (Boost.Graph,
// compressed sparse rows, one out-edge per state); its strongly connected components
// (boost::strong_components) that no edge leaves are the attractors: a fixed point is a
// one-state component with a self loop, a limit cycle a larger one (synchronous dynamics of a
// symmetric network have fixed points and 2-cycles only). Every state flows into exactly one
// attractor; an attractor's basin is the set of states that reach it, its own states included,
// so the basin sizes add up to 2^N. Cost O(2^N N^2) time, O(2^N) memory.
//
// State codes: bit j of the code is set where unit j is +1 (encode_state / decode_state).
// Classification against stored patterns X ([P x N], optional): an attractor is `stored` if one
// of its states equals a pattern, else `inverse` if one equals a negated pattern (-x_mu, an
// attractor whenever x_mu is, for zero thresholds), else `spurious` (mixtures and other states
// the rule did not store); `pattern` is the lowest such mu, or -1.
#pragma once

#include "memory/hopfield/binary.h"

#include <cstdint>
#include <vector>

namespace engram::hopfield {

enum class AttractorKind { stored, inverse, spurious };
const char* kind_name(AttractorKind kind);  // "stored", "inverse", "spurious"

struct Attractor {
  // Its states in the order the dynamics visit them, starting from the smallest code; one state
  // for a fixed point.
  std::vector<std::uint32_t> states;
  bool is_cycle = false;         // states.size() > 1
  std::uint64_t basin_size = 0;  // number of states whose trajectory ends here
  AttractorKind kind = AttractorKind::spurious;
  int pattern = -1;  // the stored pattern (kind stored or inverse), else -1
};

struct Landscape {
  Index N = 0;
  Update update = Update::synchronous;
  std::vector<std::uint32_t> successor;  // [2^N] code -> code of the next state
  std::vector<int> attractor_of;         // [2^N] code -> index into attractors
  // Largest basin first (ties: smaller first state code first).
  std::vector<Attractor> attractors;
};

// s: [1 x N] +-1, N <= 32 -> code (bit j set where s_j = +1).
std::uint32_t encode_state(const Eigen::RowVectorXf& s);
// code -> [1 x N] +-1.
Eigen::RowVectorXf decode_state(std::uint32_t code, Index N);

// The landscape of `net` (N <= 20, else std::invalid_argument). stored: [P x N] +-1 patterns to
// classify against, or empty.
Landscape attractor_landscape(const BinaryHopfield& net, const States& stored = States(),
                              Update update = Update::synchronous);

}  // namespace engram::hopfield
