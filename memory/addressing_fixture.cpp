#include "memory/addressing_fixture.h"

#include "core/init.h"

#include <cmath>

namespace engram::memory {

namespace {

// A strictly positive [1 x n] weighting summing to `total`.
template <class T>
Mat<T> weighting(Index n, Rng& rng, double total) {
  Mat<T> w = init::uniform<T>(1, n, 0.05, 1.0, rng);
  return w * static_cast<T>(total / double(w.sum()));
}

}  // namespace

template <class T>
AddressingFixture<T>::AddressingFixture(const AddressingStage<T>& stage, const AddressingShape& s, Rng& rng,
                                        bool requires_grad)
    : shape(s), specs(stage.params()) {
  check_shape("addressing fixture", s);
  const Index n = s.slots;
  const auto leaf = [&](Mat<T> m) { return Var<T>(std::move(m), requires_grad); };
  interface = leaf(init::uniform<T>(1, interface_size(specs), -1, 1, rng));
  memory = leaf(init::uniform<T>(n, s.width, -1, 1, rng));
  previous = leaf(weighting<T>(n, rng, 0.9));
  incoming = leaf(weighting<T>(n, rng, 1.0));

  state.memory = memory;
  for (Index j = 0; j < s.write_heads; ++j) state.write_weights.push_back(leaf(weighting<T>(n, rng, 0.9)));
  for (Index i = 0; i < s.read_heads; ++i) state.read_weights.push_back(leaf(weighting<T>(n, rng, 0.9)));
  // the stage's trackers, at positions 0.. in its order (an unbound stage reads them there)
  trackers = stage.trackers();
  for (const auto& t : trackers) {
    state.tracked.push_back(t->random_value(rng, requires_grad));
    state.tracked_keys.push_back(t->key());
  }
}

template <class T>
Var<T> AddressingFixture<T>::run(const AddressingStage<T>& stage) const {
  const HeadParams<T> params = split_interface(interface, specs, "fixture head");
  AddressContext<T> ctx;
  ctx.memory = memory;
  ctx.previous = previous;
  ctx.params = &params;
  ctx.state = &state;
  ctx.kind = HeadKind::write;
  ctx.head = 0;
  ctx.pair = 0;
  return stage.apply(stage.refines() ? incoming : Var<T>(), ctx);
}

template <class T>
std::vector<Var<T>> AddressingFixture<T>::leaves() const {
  std::vector<Var<T>> out{interface, memory, previous, incoming};
  for (size_t k = 0; k < trackers.size(); ++k)
    for (const auto& v : trackers[k]->leaves(state.tracked[k])) out.push_back(v);
  for (const auto& w : state.read_weights) out.push_back(w);
  return out;
}

template class AddressingFixture<float>;
template class AddressingFixture<double>;

}  // namespace engram::memory
