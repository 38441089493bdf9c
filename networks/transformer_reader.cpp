#include "networks/transformer_reader.h"

#include "core/init.h"
#include "core/ops.h"

#include <string>

namespace engram::networks {

template <class T>
TransformerReader<T>::TransformerReader(const TransformerReaderOptions& o, Rng& rng)
    : o_(o), encoder_(o.encoder, rng), out_(o.encoder.dim, std::max<Index>(o.answers, 1), rng) {
  require_lazy(o.answers >= 1 && o.layers >= 1 && o.heads >= 1 && o.encoder.dim % o.heads == 0, "TransformerReader", [&] {
    return "needs answers >= 1, layers >= 1 and heads dividing dim, got answers " + std::to_string(o.answers) + ", layers " +
           std::to_string(o.layers) + ", heads " + std::to_string(o.heads) + ", dim " + std::to_string(o.encoder.dim);
  });
  this->add_module("encoder", encoder_);
  marker_ = this->add_parameter("marker", init::normal<T>(1, o.encoder.dim, 0, o.encoder.init_stddev, rng));
  const Index ff = o.ff > 0 ? o.ff : 2 * o.encoder.dim;
  for (Index l = 0; l < o.layers; ++l) {
    blocks_.push_back(std::make_unique<attention::TransformerEncoderBlock<T>>(
        o.encoder.dim, o.heads, ff, o.dropout, o.pre_norm ? attention::LayerNormPlacement::Pre : attention::LayerNormPlacement::Post,
        rng));
    this->add_module("block" + std::to_string(l), *blocks_.back());
  }
  this->add_module("out", out_);
}

template <class T>
MemoryReadout<T> TransformerReader<T>::forward(std::span<const std::vector<int>> story, std::span<const int> query,
                                               Rng* rng) const {
  const EncodedStory<T> e = encoder_.encode(story, query);
  const Index S = static_cast<Index>(e.slots.size());
  const Var<T> qt = add(e.query, marker_);
  Var<T> z = S > 0 ? concat<T>({e.sentences, qt}, 0) : qt;
  MemoryReadout<T> r;
  r.slots = e.slots;
  const bool training = rng != nullptr && o_.dropout > 0;
  for (const auto& block : blocks_) {
    attention::MultiHeadResult<T> res = block->forward(z, nullptr, training, training ? rng : nullptr);
    z = res.output;
    if (S > 0) {
      Var<T> w = slice_cols(slice_rows(res.weights[0], S, 1), 0, S);
      for (size_t h = 1; h < res.weights.size(); ++h) w = add(w, slice_cols(slice_rows(res.weights[h], S, 1), 0, S));
      r.attention.push_back(scale(w, T(1) / T(res.weights.size())));
    }
  }
  r.logits = out_(slice_rows(z, S, 1));
  return r;
}

template class TransformerReader<float>;
template class TransformerReader<double>;

}  // namespace engram::networks
