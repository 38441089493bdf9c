// engram/networks/seq2seq.h — the attention-based encoder-decoder (Bahdanau, Cho & Bengio 2015;
// Luong, Pham & Manning 2015): a recurrent encoder reads the source tokens, a recurrent decoder
// emits the target tokens one by one, attending over the encoder states at every step.
//
//   e_s          = E_src[x_s],  k = encoder(e)  [S x K]                   keys and values
//   d_t          = E_tgt[y_{t-1}] (y_{-1} = <s>), with input feeding also [d_t | h~_{t-1}]
//   q_t, s_t     = decoder.step(d_t, s_{t-1}),  s_{-1} = the encoder's final forward state
//   a_t          = softmax(score(q_t, k))  [1 x S],   c_t = a_t k  [1 x K]
//   h~_t         = tanh([q_t | c_t] W_c)  [1 x H]      (without attention: h~_t = q_t)
//   p(y_t | ...) = softmax(h~_t W_out + b)  [1 x V]
// Target ids: 0 is the end token </s>, 1 the start token <s> (never a target).
//
// CONTRACT: source ids in [0, source vocab), S >= 1; targets in [0, V) \ {1}, T >= 1
// (std::invalid_argument naming the id and position otherwise). loss / teacher_forced are
// differentiable in every parameter; greedy / beam_search take no gradients, stop at </s> or
// after max_length tokens, and return the tokens without </s>. beam_search with width 1 equals
// greedy; it ranks finished outputs by log p / (length + 1)^alpha (the </s> counted).
// Const and thread-safe.
#pragma once

#include "attention/score.h"
#include "networks/recurrent_encoder.h"

#include <functional>
#include <memory>
#include <vector>

namespace engram::networks {

struct Seq2SeqShape {
  Index source_vocab = 0, target_vocab = 0;
  Index embed = 64;
  bool attention = true;      // false: the decoder reads the encoder's final state only
  bool input_feeding = false; // Luong's: h~_{t-1} joins the next input
};

struct Seq2SeqBeam {
  std::vector<int> output;  // tokens, without </s>
  double log_prob = 0;      // including the </s> step when it ended
  double score = 0;
};

template <class T>
class Seq2Seq : public Module<T> {
 public:
  using ScoreMaker = std::function<std::unique_ptr<attention::Score<T>>(const attention::ScoreShape&)>;
  static constexpr int kEnd = 0, kStart = 1;

  // encoder: make_recurrent_encoder's options; the decoder is the same controller kind and hidden
  // size. score: built for {query: H, key: K} (unused without attention).
  Seq2Seq(const Seq2SeqShape& shape, const Options& encoder, const ScoreMaker& score, Rng& rng);

  struct Encoded {
    Var<T> keys;               // [S x K]
    ControllerState<T> start;
  };
  struct Step {
    Var<T> logits;             // [1 x V]
    Var<T> attention;          // [1 x S] (undefined without attention)
    Var<T> feed;               // h~ [1 x H]
    ControllerState<T> state;
  };
  Encoded encode(const std::vector<int>& source) const;
  // One decoder step after token `previous` (kStart first); feed: the previous step's h~ (any
  // [1 x H] at the first step; zeros by convention), used with input feeding.
  Step step(const Encoded& enc, int previous, const Var<T>& feed, const ControllerState<T>& s) const;
  // Logits of every step under teacher forcing [T x V]; attention (when given) gets [T x S].
  Var<T> teacher_forced(const Encoded& enc, const std::vector<int>& targets, Mat<T>* attention = nullptr) const;
  // Mean cross-entropy per target token -> [1 x 1].
  Var<T> loss(const std::vector<int>& source, const std::vector<int>& targets) const;
  std::vector<int> greedy(const std::vector<int>& source, Index max_length, Mat<T>* attention = nullptr) const;
  std::vector<Seq2SeqBeam> beam_search(const std::vector<int>& source, Index max_length, Index width,
                                       double alpha = 0) const;

  const Seq2SeqShape& shape() const { return shape_; }
  Index hidden() const { return decoder_->output_size(); }

 private:
  Seq2SeqShape shape_;
  Embedding<T> source_embed_, target_embed_;
  std::unique_ptr<RecurrentEncoder<T>> encoder_;
  std::unique_ptr<Controller<T>> decoder_;
  std::unique_ptr<attention::Score<T>> score_;  // null without attention
  std::unique_ptr<Linear<T>> combine_;          // W_c [H + K -> H], null without attention
  std::unique_ptr<Linear<T>> out_;             // W_out, b [H -> V]
};

}  // namespace engram::networks
