// engram/attention/sequence.h — sequence encoders and poolers, registered by name so a config
// can say  encoder: {name: transformer, layers: 2, heads: 4}  and  pooling: {name: attention}.
//
// CONTRACT for a SequenceEncoder<T>:
//   encode(X, ctx): X: [n x d_model] (embedded tokens)  ->  [n x d_model]
//   - ctx.padding (optional): [1 x n], non-zero = padding; padded positions must not influence
//     the other positions' outputs. ctx.training / ctx.rng drive dropout.
//   - ctx.weights (out): the attention weights of every layer and head, in order, [n x n] each.
//   - Differentiable in X and its parameters (the registry-driven test Jacobian-checks it).
// CONTRACT for a SequencePooler<T>:
//   pool(X, padding): X: [n x d_model] -> {[1 x d_model], weights [1 x n]} (weights over the
//   positions, summing to 1 over the unpadded ones; exactly 0 at padding).
// Both are const and thread-safe. Register with ENGRAM_REGISTER_SEQUENCE_ENCODER /
// ENGRAM_REGISTER_SEQUENCE_POOLER (CLASS<T> constructed from (const SequenceShape&, const Options&, Rng&)).
#pragma once

#include "attention/pooling.h"
#include "core/component.h"

#include <functional>
#include <memory>

namespace engram::attention {

struct SequenceShape {
  Index d_model = 0;
  Index max_len = 0;  // longest sequence (for learned positional encodings)
};

template <class T>
struct SequenceContext {
  const Mat<T>* padding = nullptr;
  bool training = false;
  Rng* rng = nullptr;
  std::vector<Var<T>> weights;  // out
};

template <class T>
class SequenceEncoder : public Module<T> {
 public:
  virtual Var<T> encode(const Var<T>& x, SequenceContext<T>& ctx) const = 0;
};

template <class T>
class SequencePooler : public Module<T> {
 public:
  virtual PoolingResult<T> pool(const Var<T>& x, const Mat<T>* padding) const = 0;
};

template <class T>
using SequenceEncoderFactory = ComponentFactory<SequenceEncoder<T>, SequenceShape>;
template <class T>
using SequencePoolerFactory = ComponentFactory<SequencePooler<T>, SequenceShape>;

template <class T> Registry<SequenceEncoderFactory<T>>& sequence_encoders();
template <class T> Registry<SequencePoolerFactory<T>>& sequence_poolers();

#define ENGRAM_REGISTER_SEQUENCE_ENCODER(NAME, DESCRIPTION, CLASS)                                      \
  [[maybe_unused]] static const bool engram_sequence_encoder_registered_##CLASS = ::engram::register_component<CLASS>( \
      ::engram::attention::sequence_encoders<float>(), ::engram::attention::sequence_encoders<double>(), NAME, DESCRIPTION)
#define ENGRAM_REGISTER_SEQUENCE_POOLER(NAME, DESCRIPTION, CLASS)                                       \
  [[maybe_unused]] static const bool engram_sequence_pooler_registered_##CLASS = ::engram::register_component<CLASS>( \
      ::engram::attention::sequence_poolers<float>(), ::engram::attention::sequence_poolers<double>(), NAME, DESCRIPTION)

}  // namespace engram::attention
