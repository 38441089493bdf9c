// Sequence encoders: "transformer" (a stack of encoder blocks with positional encodings) and
// "self_attention" (one multi-head self-attention layer with a residual connection).
#include "attention/positional.h"
#include "attention/sequence.h"
#include "attention/transformer.h"

namespace engram::attention {

namespace {
template <class T>
Var<T> add_positions(const Var<T>& x, const std::string& kind, const LearnedPositionalEncoding<T>* learned) {
  if (kind == "sinusoidal") return add(x, constant<T>(sinusoidal_encoding<T>(x.rows(), x.cols())));
  if (kind == "learned") return add(x, learned->forward(x.rows()));
  return x;
}
}  // namespace

// Options: layers (2), heads (4), d_ff (4 d_model), dropout (0), placement (pre|post, pre),
// positional (sinusoidal|learned|none, sinusoidal).
template <class T>
class TransformerEncoder : public SequenceEncoder<T> {
 public:
  TransformerEncoder(const SequenceShape& s, const Options& opt, Rng& rng) {
    const auto layers = opt.integer("layers", 2, 1, 64);
    const auto heads = opt.integer("heads", 4, 1, 1024);
    const auto d_ff = opt.integer("d_ff", 4 * s.d_model, 1);
    const double dropout = opt.number("dropout", 0.0, 0.0, 0.99);
    const auto placement = opt.choice("placement", "pre", {"pre", "post"}) == "pre" ? LayerNormPlacement::Pre
                                                                                      : LayerNormPlacement::Post;
    positional_ = opt.choice("positional", "sinusoidal", {"sinusoidal", "learned", "none"});
    opt.finish("sequence encoder 'transformer'");
    require(s.d_model % heads == 0, "transformer encoder",
            "heads: " + std::to_string(heads) + " does not divide d_model " + std::to_string(s.d_model));
    if (positional_ == "learned") {
      learned_ = std::make_unique<LearnedPositionalEncoding<T>>(s.max_len, s.d_model, rng);
      this->add_module("positions", *learned_);
    }
    for (long long l = 0; l < layers; ++l) {
      blocks_.push_back(std::make_unique<TransformerEncoderBlock<T>>(s.d_model, heads, d_ff, dropout, placement, rng));
      this->add_module("block" + std::to_string(l), *blocks_.back());
    }
  }
  // x: [n x d] -> [n x d]
  Var<T> encode(const Var<T>& x, SequenceContext<T>& ctx) const override {
    Var<T> h = add_positions(x, positional_, learned_.get());
    for (const auto& b : blocks_) {
      auto r = b->forward(h, ctx.padding, ctx.training, ctx.rng);
      h = r.output;
      for (auto& w : r.weights) ctx.weights.push_back(w);
    }
    return h;
  }

 private:
  std::string positional_;
  std::unique_ptr<LearnedPositionalEncoding<T>> learned_;
  std::vector<std::unique_ptr<TransformerEncoderBlock<T>>> blocks_;
};

// Options: heads (4), positional (sinusoidal|learned|none, sinusoidal). x + MHA(x, x, x).
template <class T>
class SelfAttentionEncoder : public SequenceEncoder<T> {
 public:
  SelfAttentionEncoder(const SequenceShape& s, const Options& opt, Rng& rng)
      : SelfAttentionEncoder(s, opt, rng, opt.integer("heads", 4, 1, 1024)) {}
  Var<T> encode(const Var<T>& x, SequenceContext<T>& ctx) const override {
    const Var<T> h = add_positions(x, positional_, learned_.get());
    auto r = self_attention(mha_, h, ctx.padding, false, ctx.training, ctx.rng);
    for (auto& w : r.weights) ctx.weights.push_back(w);
    return add(h, r.output);
  }

 private:
  SelfAttentionEncoder(const SequenceShape& s, const Options& opt, Rng& rng, Index heads)
      : mha_(s.d_model, heads, s.d_model / heads, s.d_model / heads, rng) {
    require(s.d_model % heads == 0, "self_attention encoder",
            "heads: " + std::to_string(heads) + " does not divide d_model " + std::to_string(s.d_model));
    positional_ = opt.choice("positional", "sinusoidal", {"sinusoidal", "learned", "none"});
    opt.finish("sequence encoder 'self_attention'");
    this->add_module("attention", mha_);
    if (positional_ == "learned") {
      learned_ = std::make_unique<LearnedPositionalEncoding<T>>(s.max_len, s.d_model, rng);
      this->add_module("positions", *learned_);
    }
  }

  MultiHeadAttention<T> mha_;
  std::string positional_;
  std::unique_ptr<LearnedPositionalEncoding<T>> learned_;
};

ENGRAM_REGISTER_SEQUENCE_ENCODER("transformer", "Transformer encoder blocks; options layers, heads, d_ff, dropout, placement, positional", TransformerEncoder);
ENGRAM_REGISTER_SEQUENCE_ENCODER("self_attention", "one multi-head self-attention layer with a residual; options heads, positional", SelfAttentionEncoder);

}  // namespace engram::attention
