// lru: least-recently-used access (Santoro et al. 2016, "One-shot Learning with
// Memory-Augmented Neural Networks", eq. 7): a write head writes either where its read head
// read at the previous step, or to a slot that has not been used lately:
//   w = sigma(alpha) w^r_{t-1} + (1 - sigma(alpha)) w^lu_{t-1}
// w^r_{t-1} is the previous weighting of the read head this write head is paired with
// (ctx.pair); w^lu_{t-1} is one-hot at the least-used slot of the decayed usage w^u_{t-1}
// (the lru tracker, memory/trackers.h), write head j taking the j-th least used so that heads do not
// collide and the weighting sums to at most 1 (the paper marks the n least-used slots of all
// heads together). A source stage; the choice of the slot is a constant for the gradient. The
// paper also zeroes that slot before writing: a write head with `erase: least_used` does so.
//   params: alpha [1 x 1] sigmoid
//   options: none
#include "memory/addressing.h"
#include "memory/memory_ops.h"

namespace engram::memory {

template <class T>
class LruAddressing : public AddressingStage<T> {
 public:
  LruAddressing(const AddressingShape& shape, const Options& opt, Rng&) : lru_(lru_tracker<T>(shape)) {
    check_shape("addressing stage 'lru'", shape);
    opt.finish("addressing stage 'lru'");
  }
  std::vector<ParamSpec> params() const override { return {{"alpha", 1, Activation::sigmoid}}; }
  bool refines() const override { return false; }
  std::vector<std::shared_ptr<const Tracker<T>>> trackers() const override { return {lru_}; }
  // read_weights[pair]: [1 x N]  LRU usage: [1 x N]  alpha: [1 x 1]  -> [1 x N]
  Var<T> apply(const Var<T>&, const AddressContext<T>& ctx) const override {
    const MemoryState<T>* s = ctx.state;
    require_lazy(s && ctx.pair >= 0 && ctx.pair < static_cast<Index>(s->read_weights.size()), "addressing stage 'lru'", [&] {
      return "needs the previous weighting of read head " + std::to_string(ctx.pair);
    });
    const Var<T>& usage = this->template tracked<LruState<T>>(ctx, 0).usage;
    const Index n = usage.cols();
    require_lazy(ctx.head < n, "addressing stage 'lru'", [&] {
      return "write head " + std::to_string(ctx.head) + " needs a least-used slot of its own, but N = " + std::to_string(n);
    });
    const Index slot = least_used_slots(usage.value(), ctx.head + 1).back();
    Mat<T> lu = Mat<T>::Zero(1, n);
    lu(0, slot) = T(1);
    const Var<T>& alpha = ctx.param("alpha");
    return interpolate(s->read_weights[static_cast<size_t>(ctx.pair)], constant<T>(std::move(lu)), alpha);
  }

 private:
  std::shared_ptr<const Tracker<T>> lru_;
};

ENGRAM_REGISTER_ADDRESSING("lru", "sigma(alpha) w^r_prev + (1 - sigma(alpha)) least-used slot (Santoro et al. 2016)",
                           LruAddressing);

}  // namespace engram::memory
