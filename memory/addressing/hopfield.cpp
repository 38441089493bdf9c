// hopfield: content addressing as retrieval in a modern (continuous) Hopfield network
// (Ramsauer et al. 2020, "Hopfield Networks is All You Need"): the slots are the stored
// patterns, the key is the state xi, and one update xi <- M^T softmax(beta M xi) is softmax
// attention with dot-product similarity. The weighting over slots is that softmax:
//   xi_0 = key;  w_s = softmax(beta M xi_s);  xi_{s+1} = w_s M;  returns w of the last step.
// Unlike `content` it compares by dot product (slot norms matter) and needs no key strength
// from the controller. A source stage.
//   params: key [1 x W] identity
//   options: beta (default 1/sqrt(W)), steps (default 1: one update; more iterate to a fixed point)
#include "memory/addressing.h"

#include <cmath>

namespace engram::memory {

template <class T>
class HopfieldAddressing : public AddressingStage<T> {
 public:
  HopfieldAddressing(const AddressingShape& shape, const Options& opt, Rng&) : shape_(shape) {
    check_shape("addressing stage 'hopfield'", shape);
    beta_ = static_cast<T>(opt.number("beta", 1.0 / std::sqrt(double(shape.width)), 0.0));
    steps_ = opt.integer("steps", 1, 1, 16);
    opt.finish("addressing stage 'hopfield'");
  }
  std::vector<ParamSpec> params() const override { return {{"key", shape_.width, Activation::identity}}; }
  bool refines() const override { return false; }
  // memory: [N x W]  key: [1 x W]  -> [1 x N]
  Var<T> apply(const Var<T>&, const AddressContext<T>& ctx) const override {
    Var<T> xi = ctx.param("key");
    Var<T> w;
    for (Index s = 0; s < steps_; ++s) {
      if (s > 0) xi = matmul(w, ctx.memory);          // [1 x N][N x W] -> [1 x W]
      w = softmax(matmul_nt(xi, ctx.memory), beta_);  // [1 x W][N x W]^T -> [1 x N]
    }
    return w;
  }

 private:
  AddressingShape shape_;
  T beta_;
  Index steps_ = 1;
};

ENGRAM_REGISTER_ADDRESSING("hopfield", "softmax(beta M key): modern-Hopfield retrieval as content addressing; options beta, steps",
                           HopfieldAddressing);

}  // namespace engram::memory
