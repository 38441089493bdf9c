// sharpen: w_i = w_in,i^gamma / sum_j w_in,j^gamma with gamma >= 1 (Graves et al. 2014, eq. 9),
// computed as softmax(gamma * log(w_in + eps)), which is the same thing, stable, and defined at
// w = 0. Undoes the blurring of a shift. A refining stage; the result sums to 1.
//   params: gamma [1 x 1] oneplus
//   options: eps (default 1e-12, the floor inside the log)
#include "memory/addressing.h"

namespace engram::memory {

template <class T>
class SharpenAddressing : public AddressingStage<T> {
 public:
  SharpenAddressing(const AddressingShape& shape, const Options& opt, Rng&) {
    check_shape("addressing stage 'sharpen'", shape);
    eps_ = static_cast<T>(opt.number("eps", 1e-12, 1e-30, 1e-3));
    opt.finish("addressing stage 'sharpen'");
  }
  std::vector<ParamSpec> params() const override { return {{"gamma", 1, Activation::oneplus}}; }
  bool batches() const override { return true; }
  bool refines() const override { return true; }
  // w: [1 x N]  gamma: [1 x 1]  -> [1 x N]
  Var<T> apply(const Var<T>& w, const AddressContext<T>& ctx) const override {
    return softmax_scaled(log(add_scalar(w, eps_)), ctx.param("gamma"));
  }

 private:
  T eps_ = T(1e-12);
};

ENGRAM_REGISTER_ADDRESSING("sharpen", "w^gamma / sum(w^gamma), gamma >= 1 (NTM)", SharpenAddressing);

}  // namespace engram::memory
