// sparsemax (Martins & Astudillo 2016): each row of S projected onto the probability simplex.
// Unlike softmax it gives exact zeros to low scores; differentiable almost everywhere (its
// Jacobian is piecewise constant). Masked positions are filled with -inf, which sparsemax
// gives weight 0. No options.
#include "attention/normalizer.h"

namespace engram::attention {

template <class T>
class SparsemaxNormalizer : public Normalizer<T> {
 public:
  SparsemaxNormalizer(const NormalizerShape&, const Options& opt, Rng&) { opt.finish("normalizer 'sparsemax'"); }
  // S: [m x n] -> [m x n], sparse rows summing to 1
  Var<T> normalize(const Var<T>& scores, NormalizeContext<T>& ctx) const override {
    return sparsemax(masked_scores(scores, ctx.mask, "sparsemax normalizer"));
  }
};

ENGRAM_REGISTER_NORMALIZER("sparsemax", "Euclidean projection of each row onto the simplex (sparse weights)",
                           SparsemaxNormalizer);

}  // namespace engram::attention
