// topk: sparse content addressing: softmax(beta * cos(M_i, key)) over the k slots most similar
// to the key, exactly 0 on the others (the sparse reads of Rae et al. 2016, "Scaling
// Memory-Augmented Neural Networks with Sparse Reads and Writes"). A source stage.
//   params: key [1 x W] identity; beta [1 x 1] oneplus (unless the option fixes it)
//   options: k (default 8, 1 <= k <= N), beta and beta_activation (as for content)
// The choice of the k slots is a constant for the gradient (ties broken by slot index); within
// them the weighting is smooth, and the other slots get no gradient.
#include "memory/addressing.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace engram::memory {

template <class T>
class TopKAddressing : public AddressingStage<T> {
 public:
  TopKAddressing(const AddressingShape& shape, const Options& opt, Rng&) : shape_(shape), beta_(opt) {
    check_shape("addressing stage 'topk'", shape);
    k_ = opt.integer("k", std::min<Index>(8, shape.slots), 1, shape.slots);
    opt.finish("addressing stage 'topk'");
  }
  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> p{{"key", shape_.width, Activation::identity}};
    beta_.add_params(p);
    return p;
  }
  bool refines() const override { return false; }
  // memory: [N x W]  key: [1 x W]  beta: [1 x 1]  -> [1 x N], k entries non-zero
  Var<T> apply(const Var<T>&, const AddressContext<T>& ctx) const override {
    const Var<T> cos = slot_cosine(ctx.memory, ctx.param("key"));
    const Index n = cos.cols();
    const auto normalize = [&](const Var<T>& s) { return beta_.normalize(s, ctx); };
    if (k_ >= n) return normalize(cos);
    // beta > 0, so the k largest scores are the k largest cosines
    const Mat<T>& c = cos.value();
    std::vector<Index> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    std::nth_element(order.begin(), order.begin() + (k_ - 1), order.end(), [&c](Index a, Index b) {
      return c(0, a) > c(0, b) || (c(0, a) == c(0, b) && a < b);
    });
    Mat<T> mask = Mat<T>::Ones(1, n);  // non-zero = masked
    for (Index i = 0; i < k_; ++i) mask(0, order[static_cast<size_t>(i)]) = T(0);
    return normalize(masked_fill(cos, mask, -std::numeric_limits<T>::infinity()));
  }

 private:
  AddressingShape shape_;
  KeyStrength<T> beta_;
  Index k_ = 8;
};

ENGRAM_REGISTER_ADDRESSING("topk", "content addressing over the k most similar slots, 0 elsewhere (sparse reads); options k, beta",
                           TopKAddressing);

}  // namespace engram::memory
