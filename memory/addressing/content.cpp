// content: w = softmax(beta * cos(M_i, key)) over the N slots (Graves et al. 2014, eq. 5-6; the
// content weighting of the DNC). A source stage.
//   params: key [1 x W] identity; beta [1 x 1] oneplus (>= 1, as in the DNC), unless the option
//           fixes it
//   options: beta (default: emitted by the controller; a number fixes the key strength, e.g.
//            beta: 1 for the plain cosine softmax of Santoro et al. 2016);
//            beta_activation: oneplus (default) | softplus (beta > 0, as in the NTM paper)
// Cost O(N W); two fused nodes (slot_cosine, softmax_scaled), no [N x W] temporaries.
#include "memory/addressing.h"

namespace engram::memory {

template <class T>
class ContentAddressing : public AddressingStage<T> {
 public:
  ContentAddressing(const AddressingShape& shape, const Options& opt, Rng&) : shape_(shape), beta_(opt) {
    check_shape("addressing stage 'content'", shape);
    opt.finish("addressing stage 'content'");
  }
  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> p{{"key", shape_.width, Activation::identity}};
    beta_.add_params(p);
    return p;
  }
  bool batches() const override { return true; }
  bool refines() const override { return false; }
  // memory: [N x W]  key: [1 x W]  beta: [1 x 1]  -> [1 x N]
  Var<T> apply(const Var<T>&, const AddressContext<T>& ctx) const override {
    return beta_.normalize(slot_cosine(ctx.memory, ctx.param("key")), ctx);
  }

 private:
  AddressingShape shape_;
  KeyStrength<T> beta_;
};

ENGRAM_REGISTER_ADDRESSING("content", "softmax(beta cos(M_i, key)) over slots (NTM/DNC); option beta fixes the strength",
                           ContentAddressing);

}  // namespace engram::memory
