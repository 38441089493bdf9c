// Sequence poolers: "attention" (a learned query attends over the positions; option `score`),
// "mean" (uniform weights over unpadded positions), "last" (the last unpadded position).
#include "attention/sequence.h"

namespace engram::attention {

template <class T>
class AttentionPooler : public SequencePooler<T> {
 public:
  AttentionPooler(const SequenceShape& s, const Options& opt, Rng& rng)
      : pool_(s.d_model, rng, opt.string("score", "scaled_dot")) {
    opt.finish("sequence pooler 'attention'");
    this->add_module("pool", pool_);
  }
  PoolingResult<T> pool(const Var<T>& x, const Mat<T>* padding) const override { return pool_.forward(x, padding); }

 private:
  AttentionPooling<T> pool_;
};

namespace {
template <class T>
Mat<T> unpadded(Index n, const Mat<T>* padding, const char* who) {
  require(!padding || (padding->rows() == 1 && padding->cols() == n), who,
          "padding must be [1 x " + std::to_string(n) + "]");
  Mat<T> keep = Mat<T>::Ones(1, n);
  if (padding) keep = (padding->array() != T(0)).select(T(0), keep);
  require(keep.sum() > 0, who, "every position is padding");
  return keep;
}
}  // namespace

template <class T>
class MeanPooler : public SequencePooler<T> {
 public:
  MeanPooler(const SequenceShape&, const Options& opt, Rng&) { opt.finish("sequence pooler 'mean'"); }
  // weights [1 x n] uniform over unpadded positions; out = weights x: [1 x d]
  PoolingResult<T> pool(const Var<T>& x, const Mat<T>* padding) const override {
    Mat<T> w = unpadded(x.rows(), padding, "mean pooler");
    w /= w.sum();
    Var<T> wv = constant<T>(w);
    return {matmul(wv, x), wv};
  }
};

template <class T>
class LastPooler : public SequencePooler<T> {
 public:
  LastPooler(const SequenceShape&, const Options& opt, Rng&) { opt.finish("sequence pooler 'last'"); }
  PoolingResult<T> pool(const Var<T>& x, const Mat<T>* padding) const override {
    const Mat<T> keep = unpadded(x.rows(), padding, "last pooler");
    Index last = x.rows() - 1;
    while (keep(0, last) == T(0)) --last;
    Mat<T> w = Mat<T>::Zero(1, x.rows());
    w(0, last) = 1;
    return {slice_rows(x, last, 1), constant<T>(w)};
  }
};

ENGRAM_REGISTER_SEQUENCE_POOLER("attention", "a learned query attends over the positions; option score", AttentionPooler);
ENGRAM_REGISTER_SEQUENCE_POOLER("mean", "the mean over unpadded positions", MeanPooler);
ENGRAM_REGISTER_SEQUENCE_POOLER("last", "the last unpadded position", LastPooler);

}  // namespace engram::attention
