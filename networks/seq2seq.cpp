#include "networks/seq2seq.h"

#include "networks/decoding.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace engram::networks {

namespace {


Index checked_vocab(Index v, const char* what) {
  require_lazy(v >= 2, "Seq2Seq", [&] { return std::string(what) + " vocabulary must hold >= 2 tokens, got " + std::to_string(v); });
  return v;
}

void check_ids(const std::vector<int>& ids, Index vocab, const char* what, bool targets) {
  require_lazy(!ids.empty(), "Seq2Seq", [&] { return std::string(what) + " is empty"; });
  for (size_t i = 0; i < ids.size(); ++i)
    require_lazy(ids[i] >= 0 && ids[i] < vocab && !(targets && ids[i] == 1), "Seq2Seq", [&] {
      return std::string(what) + " id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
          (targets && ids[i] == 1 ? " is the start token" : " is outside [0, " + std::to_string(vocab) + ")");
    });
}

void check_length(Index max_length) {
  require_lazy(max_length >= 1 && max_length <= (Index(1) << 20), "Seq2Seq", [&] {
    return "max_length must be in [1, 2^20], got " + std::to_string(max_length);
  });
}

}  // namespace

template <class T>
Seq2Seq<T>::Seq2Seq(const Seq2SeqShape& shape, const Options& encoder, const ScoreMaker& score, Rng& rng)
    : shape_(shape),
      source_embed_(checked_vocab(shape.source_vocab, "the source"), shape.embed, rng),
      target_embed_(checked_vocab(shape.target_vocab, "the target"), shape.embed, rng) {
  require(shape.embed >= 1, "Seq2Seq", "embed must be >= 1");
  encoder_ = make_recurrent_encoder<T>(encoder, shape.embed, rng);
  const Index h = encoder_->forward().output_size();
  decoder_ = make_decoder_for<T>(encoder, shape.embed + (shape.input_feeding ? h : 0), rng);
  if (shape.attention) {
    score_ = score(attention::ScoreShape{h, encoder_->output_size()});
    require(score_ != nullptr, "Seq2Seq", "the score maker returned nothing");
    combine_ = std::make_unique<Linear<T>>(h + encoder_->output_size(), h, rng, false);
  }
  out_ = std::make_unique<Linear<T>>(h, shape.target_vocab, rng);
  this->add_module("source_embed", source_embed_);
  this->add_module("target_embed", target_embed_);
  this->add_module("encoder", *encoder_);
  this->add_module("decoder", *decoder_);
  if (score_) {
    this->add_module("score", *score_);
    this->add_module("combine", *combine_);
  }
  this->add_module("out", *out_);
}

template <class T>
typename Seq2Seq<T>::Encoded Seq2Seq<T>::encode(const std::vector<int>& source) const {
  check_ids(source, shape_.source_vocab, "source", false);
  EncodedSequence<T> e = encoder_->encode(source_embed_(source));
  return Encoded{std::move(e.states), std::move(e.final_forward)};
}

template <class T>
typename Seq2Seq<T>::Step Seq2Seq<T>::step(const Encoded& enc, int previous, const Var<T>& feed,
                                           const ControllerState<T>& s) const {
  Var<T> x = target_embed_({previous});
  if (shape_.input_feeding) x = concat<T>({x, feed}, 1);
  auto [q, next] = decoder_->step(x, s);
  Step out;
  out.state = std::move(next);
  if (score_) {
    out.attention = softmax(score_->scores(q, enc.keys));
    out.feed = tanh((*combine_)(concat<T>({q, matmul(out.attention, enc.keys)}, 1)));
  } else {
    out.feed = q;
  }
  out.logits = (*out_)(out.feed);
  return out;
}

template <class T>
Var<T> Seq2Seq<T>::teacher_forced(const Encoded& enc, const std::vector<int>& targets, Mat<T>* attention) const {
  check_ids(targets, shape_.target_vocab, "target", true);
  std::vector<Var<T>> logits, weights;
  Var<T> feed(Mat<T>::Zero(1, hidden()), false);
  ControllerState<T> s = enc.start;
  for (size_t t = 0; t < targets.size(); ++t) {
    Step st = step(enc, t == 0 ? kStart : targets[t - 1], feed, s);
    logits.push_back(st.logits);
    if (attention && st.attention.defined()) weights.push_back(st.attention);
    feed = st.feed;
    s = std::move(st.state);
  }
  if (attention && !weights.empty()) *attention = concat(weights, 0).value();
  return logits.size() == 1 ? logits[0] : concat(logits, 0);
}

template <class T>
Var<T> Seq2Seq<T>::loss(const std::vector<int>& source, const std::vector<int>& targets) const {
  return cross_entropy(teacher_forced(encode(source), targets), targets);
}

template <class T>
std::vector<int> Seq2Seq<T>::greedy(const std::vector<int>& source, Index max_length, Mat<T>* attention) const {
  check_length(max_length);
  NoGradGuard no_grad;
  const Encoded enc = encode(source);
  std::vector<int> out;
  std::vector<Mat<T>> rows;
  Var<T> feed(Mat<T>::Zero(1, hidden()), false);
  ControllerState<T> s = enc.start;
  int previous = kStart;
  for (Index t = 0; t < max_length; ++t) {
    Step st = step(enc, previous, feed, s);
    Mat<T> z = st.logits.value();
    z(0, kStart) = -std::numeric_limits<T>::infinity();  // never emitted
    Index best = 0;
    z.row(0).maxCoeff(&best);
    if (attention && st.attention.defined()) rows.push_back(st.attention.value());
    if (best == kEnd) break;
    out.push_back(static_cast<int>(best));
    previous = static_cast<int>(best);
    feed = st.feed;
    s = std::move(st.state);
  }
  if (attention) {
    *attention = Mat<T>::Zero(static_cast<Index>(rows.size()), static_cast<Index>(source.size()));
    for (size_t t = 0; t < rows.size(); ++t) attention->row(static_cast<Index>(t)) = rows[t];
  }
  return out;
}

template <class T>
std::vector<Seq2SeqBeam> Seq2Seq<T>::beam_search(const std::vector<int>& source, Index max_length, Index width,
                                                 double alpha) const {
  require(width >= 1, "Seq2Seq::beam_search", "width must be >= 1");
  check_length(max_length);
  NoGradGuard no_grad;
  const Encoded enc = encode(source);
  struct Hypothesis {
    Seq2SeqBeam beam;
    Var<T> feed;
    ControllerState<T> state;
  };
  const auto ranked = [alpha](Seq2SeqBeam b, bool ended) {
    b.score = b.log_prob / std::pow(static_cast<double>(b.output.size() + (ended ? 1 : 0)), alpha);
    return b;
  };
  std::vector<Hypothesis> live{{Seq2SeqBeam{}, Var<T>(Mat<T>::Zero(1, hidden()), false), enc.start}};
  std::vector<Seq2SeqBeam> finished;
  struct Candidate {
    Seq2SeqBeam beam;
    bool ended;
    Var<T> feed;
    ControllerState<T> state;
  };
  for (Index t = 0; t < max_length && !live.empty(); ++t) {
    std::vector<Candidate> next;
    for (const Hypothesis& h : live) {
      Step st = step(enc, h.beam.output.empty() ? kStart : h.beam.output.back(), h.feed, h.state);
      const std::vector<double> lp = log_probs(st.logits.value());
      for (size_t j = 0; j < lp.size(); ++j) {
        if (j == static_cast<size_t>(kStart)) continue;  // never emitted
        const bool ended = j == static_cast<size_t>(kEnd);
        Seq2SeqBeam b = h.beam;
        b.log_prob += lp[j];
        if (!ended) b.output.push_back(static_cast<int>(j));
        next.push_back(Candidate{ranked(std::move(b), ended), ended, st.feed, st.state});
      }
    }
    std::stable_sort(next.begin(), next.end(), [](const Candidate& a, const Candidate& b) { return a.beam.score > b.beam.score; });
    if (static_cast<Index>(next.size()) > width) next.resize(static_cast<size_t>(width));
    live.clear();
    for (Candidate& c : next) {
      if (c.ended || t + 1 == max_length)
        finished.push_back(std::move(c.beam));
      else
        live.push_back(Hypothesis{std::move(c.beam), std::move(c.feed), std::move(c.state)});
    }
  }
  std::stable_sort(finished.begin(), finished.end(), [](const Seq2SeqBeam& a, const Seq2SeqBeam& b) { return a.score > b.score; });
  if (static_cast<Index>(finished.size()) > width) finished.resize(static_cast<size_t>(width));
  return finished;
}

template class Seq2Seq<float>;
template class Seq2Seq<double>;

}  // namespace engram::networks
