#include "networks/pointer_net.h"

#include "networks/decoding.h"

#include "core/init.h"
#include "core/ops_image.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace engram::networks {

namespace {

template <class T>
constexpr T neg_inf = -std::numeric_limits<T>::infinity();

void check_steps(Index steps) {
  require_lazy(steps >= 1 && steps <= (Index(1) << 20), "PointerNet", [&] {
    return "steps must be in [1, 2^20], got " + std::to_string(steps);
  });
}

}  // namespace

template <class T>
PointerNet<T>::PointerNet(Index input, Index embed, const Options& encoder, const ScoreMaker& score, bool end_token,
                          Rng& rng)
    : input_(input), embed_((require(input >= 1 && embed >= 1, "PointerNet", "needs input and embed >= 1"), input), embed, rng) {
  Index key_size = 0;
  this->add_module("embed", embed_);
  if (encoder.string("name", "lstm") == "transformer") {
    const Index layers = encoder.integer("layers", 3, 1, 64), heads = encoder.integer("heads", 8, 1, 1 << 10);
    const Index ff = encoder.integer("ff", 4 * embed, 1, 1 << 20);
    const bool attention = encoder.choice("decoder", "lstm", {"lstm", "attention"}) == "attention";
    require(!attention || !encoder.has("hidden"), "PointerNet",
            "the transformer encoder's hidden (the LSTM decoder's units) has no effect with decoder: attention");
    const Index hidden = attention ? 0 : encoder.integer("hidden", 128, 1, 1 << 16);
    const Index glimpse_heads = attention ? encoder.integer("glimpse_heads", heads, 1, 1 << 10) : 0;
    const double clip = attention ? encoder.number("clip", 10.0, 1e-6, 1e6) : 0.0;
    encoder.finish("encoder 'transformer'");
    require_lazy(embed % heads == 0, "PointerNet", [&] {
      return "the transformer encoder's heads (" + std::to_string(heads) + ") must divide embed (" + std::to_string(embed) + ")";
    });
    for (Index l = 0; l < layers; ++l) {
      blocks_.push_back(std::make_unique<attention::TransformerEncoderBlock<T>>(embed, heads, ff, 0.0, attention::LayerNormPlacement::Pre, rng));
      this->add_module("encoder.block" + std::to_string(l), *blocks_.back());
    }
    key_size = embed;
    if (attention) {
      node_gain_ = this->add_parameter("encoder.norm.gain", Mat<T>::Ones(1, embed));
      node_bias_ = this->add_parameter("encoder.norm.bias", Mat<T>::Zero(1, embed));
      attention_ = std::make_unique<AttentionModelDecoder<T>>(embed, glimpse_heads, clip, rng);
      this->add_module("decoder", *attention_);
    } else {
      context_ = std::make_unique<Linear<T>>(embed, embed, rng, false);
      this->add_module("context", *context_);
      decoder_ = make_controller<T>("lstm", {embed}, Options().set("hidden", double(hidden)), rng);
    }
  } else {
    Options recurrent = encoder;  // the pointer network's default size: 128 units
    if (!recurrent.has("hidden")) recurrent.set("hidden", 128.0);
    encoder_ = make_recurrent_encoder<T>(recurrent, embed, rng);
    decoder_ = make_decoder_for<T>(recurrent, embed, rng);
    this->add_module("encoder", *encoder_);
    key_size = encoder_->output_size();
  }
  if (decoder_) {
    score_ = score(attention::ScoreShape{decoder_->output_size(), key_size});
    require(score_ != nullptr, "PointerNet", "the score maker returned nothing");
    this->add_module("decoder", *decoder_);
    this->add_module("score", *score_);
  }
  const double r = 1.0 / std::sqrt(static_cast<double>(embed));
  if (decoder_) go_ = this->add_parameter("go", init::uniform<T>(1, embed, -r, r, rng));  // (Kool et al.'s has v_first, v_last)
  if (end_token) end_ = this->add_parameter("end", init::uniform<T>(1, key_size, -r, r, rng));
}

template <class T>
PointerEncoding<T> PointerNet<T>::encode(const Var<T>& x) const {
  require_lazy(x.rows() >= 1 && x.cols() == input_, "PointerNet", [&] {
    return "input " + x.shape() + " must be [n x " + std::to_string(input_) + "], n >= 1";
  });
  PointerEncoding<T> out;
  out.n = x.rows();
  out.embedded = embed_(x);
  if (!blocks_.empty()) {
    Var<T> h = out.embedded;
    for (const auto& b : blocks_) h = (*b)(h).output;
    if (node_gain_.defined()) {  // each feature normalised across this instance's nodes: the
      // instance normalisation of group_norm (groups = channels), features as channels, nodes as
      // the positions of a 1 x n map
      const Index n = h.rows(), e = h.cols();
      const Var<T> map = reshape(transpose(h), 1, e * n);
      h = transpose(reshape(group_norm(map, ImageShape{e, 1, n}, e, node_gain_, node_bias_), e, n));
    }
    out.keys = end_.defined() ? concat<T>({h, end_}, 0) : h;
    if (attention_) {
      out.glimpse = attention_->prepare(out.keys);
    } else {
      out.start = decoder_->initial_state();
      out.context = (*context_)(mean(h, 0));
    }
    return out;
  }
  EncodedSequence<T> e = encoder_->encode(out.embedded);
  out.keys = end_.defined() ? concat<T>({e.states, end_}, 0) : e.states;
  out.start = std::move(e.final_forward);
  return out;
}

template <class T>
Var<T> PointerNet<T>::teacher_forced_logits(const PointerEncoding<T>& enc, const std::vector<int>& targets,
                                            bool mask_chosen) const {
  const Index steps = static_cast<Index>(targets.size()), positions = enc.keys.rows();
  require_lazy(steps >= 1, "PointerNet", [] { return std::string("needs at least one target"); });
  Mat<T> mask = Mat<T>::Zero(steps, positions);
  std::vector<Var<T>> queries;
  queries.reserve(static_cast<size_t>(steps));
  ControllerState<T> s = enc.start;
  for (Index t = 0; t < steps; ++t) {
    const int y = targets[static_cast<size_t>(t)];
    require_lazy(y >= 0 && y < positions, "PointerNet", [&] {
      return "target " + std::to_string(y) + " at step " + std::to_string(t) + " is outside [0, " +
          std::to_string(positions) + ")";
    });
    require_lazy(y < enc.n || t + 1 == steps, "PointerNet", [&] {
      return "the end position " + std::to_string(y) + " at step " + std::to_string(t) + " must be the last target";
    });
    if (mask_chosen && y < enc.n) {
      require_lazy(mask(t, y) == 0, "PointerNet", [&] {
        return "target " + std::to_string(y) + " repeats at step " + std::to_string(t) + " under mask_chosen";
      });
      for (Index u = t + 1; u < steps; ++u) mask(u, y) = 1;
    }
    const int previous = t == 0 ? -1 : targets[static_cast<size_t>(t - 1)];
    if (attention_) {  // Kool et al.'s decoder masks inside its glimpse too: one step at a time
      const Mat<T> row = mask.row(t);
      auto [logits, next] = attention_step(enc, previous, s, mask_chosen && row.any() ? &row : nullptr);
      queries.push_back(std::move(logits));
      s = std::move(next);
      continue;
    }
    auto [q, next] = decoder_->step(previous < 0 ? first_input(enc) : slice_rows(enc.embedded, previous, 1), s);
    queries.push_back(std::move(q));
    s = std::move(next);
  }
  if (attention_) return steps == 1 ? queries[0] : concat(queries, 0);  // (queries hold the logits)
  const Var<T> logits = score_->scores(steps == 1 ? queries[0] : concat(queries, 0), enc.keys);
  return mask_chosen ? masked_fill(logits, mask, neg_inf<T>) : logits;
}

template <class T>
Var<T> PointerNet<T>::first_input(const PointerEncoding<T>& enc) const {
  return enc.context.defined() ? add(go_, enc.context) : go_;
}

template <class T>
Var<T> PointerNet<T>::loss(const Var<T>& x, const std::vector<int>& targets, bool mask_chosen) const {
  return cross_entropy(teacher_forced_logits(encode(x), targets, mask_chosen), targets);
}

template <class T>
std::pair<Var<T>, ControllerState<T>> PointerNet<T>::step(const PointerEncoding<T>& enc, int previous,
                                                          const ControllerState<T>& s,
                                                          const std::vector<char>& chosen) const {
  require_lazy(previous >= -1 && previous < enc.n, "PointerNet", [&] {
    return "previous position " + std::to_string(previous) + " is outside [-1, " + std::to_string(enc.n) + ")";
  });
  Mat<T> mask = Mat<T>::Zero(1, enc.keys.rows());
  bool any = false;
  for (size_t j = 0; j < chosen.size() && static_cast<Index>(j) < enc.n; ++j)
    if (chosen[j]) mask(0, static_cast<Index>(j)) = 1, any = true;
  if (attention_) return attention_step(enc, previous, s, any ? &mask : nullptr);
  auto [q, next] = decoder_->step(previous < 0 ? first_input(enc) : slice_rows(enc.embedded, previous, 1), s);
  Var<T> logits = score_->scores(q, enc.keys);
  if (any) logits = masked_fill(logits, mask, neg_inf<T>);
  return {std::move(logits), std::move(next)};
}

template <class T>
std::pair<Var<T>, ControllerState<T>> PointerNet<T>::attention_step(const PointerEncoding<T>& enc, int previous,
                                                                    const ControllerState<T>& s, const Mat<T>* mask) const {
  const Var<T> last = previous < 0 ? Var<T>() : slice_rows(enc.keys, previous, 1);
  const Var<T> first = s.h.empty() ? last : s.h[0];
  ControllerState<T> next;
  if (first.defined()) next.h = {first};
  return {attention_->logits(enc.glimpse, first, last, mask), std::move(next)};
}

template <class T>
std::vector<int> PointerNet<T>::greedy(const Var<T>& x, Index steps, bool mask_chosen, Mat<T>* attention) const {
  check_steps(steps);
  NoGradGuard no_grad;
  const PointerEncoding<T> enc = encode(x);
  std::vector<char> chosen(static_cast<size_t>(enc.n), 0);
  std::vector<int> out;
  std::vector<Mat<T>> rows;
  ControllerState<T> s = enc.start;
  for (Index t = 0; t < steps; ++t) {
    auto [logits, next] = step(enc, out.empty() ? -1 : out.back(), s, chosen);
    s = std::move(next);
    Index best = 0;
    logits.value().row(0).maxCoeff(&best);
    if (std::isinf(static_cast<double>(logits.value()(0, best)))) break;  // every position masked
    if (attention) {
      const std::vector<double> lp = log_probs(logits.value());
      Mat<T> p(1, logits.cols());
      for (Index j = 0; j < p.cols(); ++j) p(0, j) = static_cast<T>(std::exp(lp[static_cast<size_t>(j)]));
      rows.push_back(std::move(p));
    }
    out.push_back(static_cast<int>(best));
    if (best >= enc.n) break;  // the end position
    if (mask_chosen) chosen[static_cast<size_t>(best)] = 1;
  }
  if (attention) {
    *attention = Mat<T>::Zero(static_cast<Index>(rows.size()), enc.keys.rows());
    for (size_t t = 0; t < rows.size(); ++t) attention->row(static_cast<Index>(t)) = rows[t];
  }
  return out;
}

template <class T>
std::pair<std::vector<int>, Var<T>> PointerNet<T>::sample(const Var<T>& x, Index steps, bool mask_chosen, Rng& rng) const {
  check_steps(steps);
  const PointerEncoding<T> enc = encode(x);
  std::vector<char> chosen(static_cast<size_t>(enc.n), 0);
  std::vector<int> out;
  std::vector<Var<T>> picked;  // log p of each step's draw, [1 x 1]
  ControllerState<T> s = enc.start;
  for (Index t = 0; t < steps; ++t) {
    auto [logits, next] = step(enc, out.empty() ? -1 : out.back(), s, chosen);
    s = std::move(next);
    const std::vector<double> lp = log_probs(logits.value());
    if (std::all_of(lp.begin(), lp.end(), [](double v) { return std::isinf(v); })) break;  // every position masked
    double u = rng.uniform(), acc = 0;
    Index j = -1;
    for (size_t k = 0; k < lp.size(); ++k) {
      if (std::isinf(lp[k])) continue;
      j = static_cast<Index>(k);  // (the last valid position takes any rounding left over)
      acc += std::exp(lp[k]);
      if (u < acc) break;
    }
    picked.push_back(slice_cols(log_softmax(logits), j, 1));
    out.push_back(static_cast<int>(j));
    if (j >= enc.n) break;  // the end position
    if (mask_chosen) chosen[static_cast<size_t>(j)] = 1;
  }
  Var<T> total = picked.empty() ? constant<T>(Mat<T>::Zero(1, 1)) : sum(concat(picked, 1));
  return {std::move(out), std::move(total)};
}

template <class T>
std::vector<PointerBeam> PointerNet<T>::beam_search(const Var<T>& x, Index steps, Index width, bool mask_chosen,
                                                    double alpha) const {
  require(width >= 1, "PointerNet::beam_search", "width must be >= 1");
  check_steps(steps);
  NoGradGuard no_grad;
  const PointerEncoding<T> enc = encode(x);
  struct Hypothesis {
    PointerBeam beam;
    ControllerState<T> state;
    std::vector<char> chosen;
  };
  const auto rank = [alpha](PointerBeam& b) {
    b.score = b.log_prob / std::pow(static_cast<double>(std::max<size_t>(b.output.size(), 1)), alpha);
  };
  std::vector<Hypothesis> live{{PointerBeam{}, enc.start, std::vector<char>(static_cast<size_t>(enc.n), 0)}};
  std::vector<PointerBeam> finished;
  for (Index t = 0; t < steps && !live.empty(); ++t) {
    std::vector<Hypothesis> next;
    for (const Hypothesis& h : live) {
      auto [logits, state] = step(enc, h.beam.output.empty() ? -1 : h.beam.output.back(), h.state, h.chosen);
      const std::vector<double> lp = log_probs(logits.value());
      for (size_t j = 0; j < lp.size(); ++j) {
        if (std::isinf(lp[j])) continue;  // a masked position: never proposed
        Hypothesis c{h.beam, state, h.chosen};
        c.beam.output.push_back(static_cast<int>(j));
        c.beam.log_prob += lp[j];
        rank(c.beam);
        if (mask_chosen && static_cast<Index>(j) < enc.n) c.chosen[j] = 1;
        next.push_back(std::move(c));
      }
    }
    const auto better = [](const Hypothesis& a, const Hypothesis& b) { return a.beam.score > b.beam.score; };
    std::stable_sort(next.begin(), next.end(), better);
    if (static_cast<Index>(next.size()) > width) next.resize(static_cast<size_t>(width));
    live.clear();
    for (Hypothesis& h : next) {
      const bool done = h.beam.output.back() >= enc.n || t + 1 == steps ||
                        (!end_.defined() && std::all_of(h.chosen.begin(), h.chosen.end(), [](char c) { return c != 0; }));
      if (done)
        finished.push_back(std::move(h.beam));
      else
        live.push_back(std::move(h));
    }
  }
  std::stable_sort(finished.begin(), finished.end(), [](const PointerBeam& a, const PointerBeam& b) { return a.score > b.score; });
  if (static_cast<Index>(finished.size()) > width) finished.resize(static_cast<size_t>(width));
  return finished;
}

template class PointerNet<float>;
template class PointerNet<double>;

}  // namespace engram::networks
