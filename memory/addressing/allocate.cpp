// allocate: the DNC write weighting (Graves et al. 2016, "Hybrid computing using a neural network
// with dynamic external memory", Methods: dynamic memory allocation, write weighting):
//   w = g^w (g^a a + (1 - g^a) w_in),  a = allocation_weighting(u)   (memory/memory_ops.h)
// where w_in is the content weighting of the stage before, u the usage this write head sees,
// a puts weight on the least-used slots, g^a chooses allocation over content and g^w whether to
// write at all. A refining stage; reads the usage tracker (memory/trackers.h: the memory then
// also gives every read head a free gate). The sort inside `a` is a constant for the gradient, as in the paper.
//   params: allocation_gate [1 x 1] sigmoid; write_gate [1 x 1] sigmoid
//   options: none
#include "memory/addressing.h"
#include "memory/memory_ops.h"

namespace engram::memory {

template <class T>
class AllocateAddressing : public AddressingStage<T> {
 public:
  AllocateAddressing(const AddressingShape& shape, const Options& opt, Rng&) : usage_(usage_tracker<T>(shape)) {
    check_shape("addressing stage 'allocate'", shape);
    opt.finish("addressing stage 'allocate'");
  }
  std::vector<ParamSpec> params() const override {
    return {{"allocation_gate", 1, Activation::sigmoid}, {"write_gate", 1, Activation::sigmoid}};
  }
  bool batches() const override { return true; }
  bool refines() const override { return true; }
  std::vector<std::shared_ptr<const Tracker<T>>> trackers() const override { return {usage_}; }
  // w: [1 x N]  usage seen: [1 x N]  gates: [1 x 1]  -> [1 x N]
  Var<T> apply(const Var<T>& w, const AddressContext<T>& ctx) const override {
    const Var<T> a = allocation_weighting(this->template tracked<UsageState<T>>(ctx, 0).seen);
    return scale_by(interpolate(a, w, ctx.param("allocation_gate")), ctx.param("write_gate"));
  }

 private:
  std::shared_ptr<const Tracker<T>> usage_;
};

ENGRAM_REGISTER_ADDRESSING("allocate", "g^w (g^a alloc(usage) + (1 - g^a) w): DNC dynamic allocation for write heads",
                           AllocateAddressing);

}  // namespace engram::memory
