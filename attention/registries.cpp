// The score and normalizer registries (one per scalar type).
#include "attention/normalizer.h"
#include "attention/score.h"
#include "attention/sequence.h"

namespace engram::attention {

void check_score_shapes(const char* name, const ScoreShape& shape, Index q_rows, Index q_cols, Index k_rows,
                        Index k_cols) {
  require_lazy(q_rows >= 1 && k_rows >= 1 && q_cols == shape.query_dim && k_cols == shape.key_dim, name, [&] {
    return "queries " + shape_str(q_rows, q_cols) + " and keys " + shape_str(k_rows, k_cols) + " do not fit [m x " +
        std::to_string(shape.query_dim) + "] and [n x " + std::to_string(shape.key_dim) + "]";
  });
}

void require_equal_dims(const char* name, const ScoreShape& shape) {
  require_lazy(shape.query_dim == shape.key_dim, name, [&] {
    return "needs query_dim == key_dim, got " + std::to_string(shape.query_dim) + " and " + std::to_string(shape.key_dim);
  });
}

template <class T>
Registry<ScoreFactory<T>>& scores() {
  static Registry<ScoreFactory<T>> r("score", "scores", "attention scores of a query against keys (score: {name: dot, ...})");
  return r;
}

template <class T>
Registry<NormalizerFactory<T>>& normalizers() {
  static Registry<NormalizerFactory<T>> r("normalizer", "normalizers", "attention weights from scores (normalizer: {name: softmax, ...})");
  return r;
}

template <class T>
Registry<SequenceEncoderFactory<T>>& sequence_encoders() {
  static Registry<SequenceEncoderFactory<T>> r("sequence encoder", "encoders", "sequence encoders (model.encoder)");
  return r;
}

template <class T>
Registry<SequencePoolerFactory<T>>& sequence_poolers() {
  static Registry<SequencePoolerFactory<T>> r("sequence pooler", "poolers", "sequence poolers (model.pooler)");
  return r;
}

template Registry<SequenceEncoderFactory<float>>& sequence_encoders<float>();
template Registry<SequenceEncoderFactory<double>>& sequence_encoders<double>();
template Registry<SequencePoolerFactory<float>>& sequence_poolers<float>();
template Registry<SequencePoolerFactory<double>>& sequence_poolers<double>();
template Registry<ScoreFactory<float>>& scores<float>();
template Registry<ScoreFactory<double>>& scores<double>();
template Registry<NormalizerFactory<float>>& normalizers<float>();
template Registry<NormalizerFactory<double>>& normalizers<double>();

}  // namespace engram::attention
