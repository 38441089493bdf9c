// interpolate: w = g w_in + (1 - g) w_{t-1}, with the head's own weighting of the previous step
// (Graves et al. 2014, eq. 7). A refining stage; g = 1 keeps the incoming weighting, g = 0 the
// previous one. With weightings that sum to at most 1 the result does too.
//   params: gate [1 x 1] sigmoid
//   options: none
#include "memory/addressing.h"

namespace engram::memory {

template <class T>
class InterpolateAddressing : public AddressingStage<T> {
 public:
  InterpolateAddressing(const AddressingShape& shape, const Options& opt, Rng&) {
    check_shape("addressing stage 'interpolate'", shape);
    opt.finish("addressing stage 'interpolate'");
  }
  std::vector<ParamSpec> params() const override { return {{"gate", 1, Activation::sigmoid}}; }
  bool batches() const override { return true; }
  bool refines() const override { return true; }
  // w, previous: [1 x N]  gate: [1 x 1]  -> [1 x N]
  Var<T> apply(const Var<T>& w, const AddressContext<T>& ctx) const override {
    return interpolate(w, ctx.previous, ctx.param("gate"));  // one fused node
  }
};

ENGRAM_REGISTER_ADDRESSING("interpolate", "g w + (1 - g) w_prev, gate with the previous weighting (NTM)",
                           InterpolateAddressing);

}  // namespace engram::memory
