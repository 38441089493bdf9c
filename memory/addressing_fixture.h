// engram/memory/addressing_fixture.h — one random, valid setting in which any addressing stage can
// run: the memory, an interface row for the stage's params(), an incoming weighting, the head's
// previous weighting, the previous read and write weightings, and a random valid value of every
// tracker the stage reads (Tracker::random_value). The registry-driven test Jacobian-checks every stage in it, the benchmark times
// every stage in it, and a researcher can try a new stage in it:
//
//   Rng rng(1);
//   auto stage = make_stage<double>("content", {10, 4}, {}, rng);
//   AddressingFixture<double> fx(*stage, {10, 4}, rng, /*requires_grad=*/true);
//   Var<double> w = fx.run(*stage);                   // [1 x 10]
//   check_gradient([&](auto&) { return fx.run(*stage); }, fx.leaves());
//
// Everything satisfies the stage contract's assumptions (addressing.h): weightings >= 0 summing
// to at most 1 (the incoming and previous ones strictly positive); the trackers' values are what
// each tracker promises (usage in (0, 1) with distinct values, link matrices >= 0 with a zero
// diagonal and row/column sums < 1, ...).
#pragma once

#include "memory/addressing.h"

#include <vector>

namespace engram::memory {

template <class T>
class AddressingFixture {
 public:
  // Draws everything for `stage` (its params() size the interface) from `rng`. With
  // requires_grad, every differentiable input is a leaf that requires a gradient.
  AddressingFixture(const AddressingStage<T>& stage, const AddressingShape& shape, Rng& rng, bool requires_grad);

  // Splits the interface, builds the context and applies the stage (the incoming weighting is
  // passed to refining stages only): -> [1 x N]
  Var<T> run(const AddressingStage<T>& stage) const;

  // The leaves, in a fixed order: interface, memory, previous, incoming, then each tracker's
  // leaves (Tracker::leaves: usage; per write head link and precedence; the LRU usage is a
  // constant, as in the memory), then per read head its previous weighting.
  std::vector<Var<T>> leaves() const;

  AddressingShape shape;
  std::vector<ParamSpec> specs;
  Var<T> interface;  // [1 x interface_size(specs)], raw (pre-activation) values in [-1, 1]
  Var<T> memory;     // [N x W] in [-1, 1]
  Var<T> previous;   // [1 x N]
  Var<T> incoming;   // [1 x N]
  std::vector<std::shared_ptr<const Tracker<T>>> trackers;  // the stage's
  MemoryState<T> state;
};

}  // namespace engram::memory
