// shift: w_i = sum_{s=-R..R} w_in[(i - s) mod N] k_s, a circular convolution of the weighting with
// a shift distribution over the offsets -R..R (Graves et al. 2014, eq. 8): location-based
// addressing, moving the focus by up to R slots either way. A refining stage; the sum of the
// weighting is kept.
//   params: shift [1 x 2R+1] softmax, entry j the weight of offset j - R
//   options: range R (default 1; 2R + 1 <= N)
#include "memory/addressing.h"

namespace engram::memory {

template <class T>
class ShiftAddressing : public AddressingStage<T> {
 public:
  ShiftAddressing(const AddressingShape& shape, const Options& opt, Rng&) {
    check_shape("addressing stage 'shift'", shape);
    range_ = opt.integer("range", 1, 0, (shape.slots - 1) / 2);
    opt.finish("addressing stage 'shift'");
  }
  std::vector<ParamSpec> params() const override { return {{"shift", 2 * range_ + 1, Activation::softmax}}; }
  bool batches() const override { return true; }
  bool refines() const override { return true; }
  // w: [1 x N]  shift: [1 x 2R+1]  -> [1 x N] (one fused node, core circular_conv)
  Var<T> apply(const Var<T>& w, const AddressContext<T>& ctx) const override {
    return circular_conv(w, ctx.param("shift"));
  }

 private:
  Index range_ = 1;
};

ENGRAM_REGISTER_ADDRESSING("shift", "circular convolution with a shift kernel over -R..R (NTM); option range",
                           ShiftAddressing);

}  // namespace engram::memory
