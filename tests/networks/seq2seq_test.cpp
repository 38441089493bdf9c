// networks/seq2seq.h: the attention encoder-decoder's step against its teacher-forced logits,
// double-precision Jacobian checks of the loss and of one attention decoder step (with and
// without attention, input feeding, LSTM and GRU), beam search against an enumeration of every
// output, greedy decoding and errors.
#include "networks/seq2seq.h"

#include "core/gradcheck.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace engram;
using namespace engram::networks;

namespace {

std::unique_ptr<Seq2Seq<double>> make_net(const std::string& cell, bool attention, bool feeding, Index vocab = 5,
                                          std::uint64_t seed = 1) {
  Rng rng(seed, "seq2seq");
  Seq2SeqShape shape{6, vocab, 3, attention, feeding};
  auto net = std::make_unique<Seq2Seq<double>>(
      shape, Options().set("name", cell).set("hidden", 4.0).set("bidirectional", "true"),
      [&](const attention::ScoreShape& s) { return attention::make_score<double>("additive", s, Options().set("hidden", 3.0), rng); },
      rng);
  Rng r(seed + 3, "randomize");
  for (auto p : net->parameters()) p.mutable_value() = random_matrix(p.rows(), p.cols(), r, -1, 1);
  return net;
}

double log_prob(const Seq2Seq<double>& net, const std::vector<int>& src, const std::vector<int>& targets) {
  return -net.loss(src, targets).value()(0, 0) * static_cast<double>(targets.size());
}

}  // namespace

TEST_CASE("seq2seq: step by step gives the teacher-forced logits, attention rows are distributions", "[networks][seq2seq]") {
  for (const bool feeding : {false, true}) {
    INFO("input feeding " << feeding);
    auto net = make_net("lstm", true, feeding);
    const std::vector<int> src{3, 1, 4, 1, 5}, tgt{2, 4, 3, 0};
    const auto enc = net->encode(src);
    MatD attention;
    const MatD tf = net->teacher_forced(enc, tgt, &attention).value();
    REQUIRE(tf.rows() == 4);
    REQUIRE(attention.rows() == 4);
    REQUIRE(attention.cols() == 5);
    Var<double> feed(MatD::Zero(1, net->hidden()), false);
    ControllerState<double> s = enc.start;
    for (size_t t = 0; t < tgt.size(); ++t) {
      auto st = net->step(enc, t == 0 ? Seq2Seq<double>::kStart : tgt[t - 1], feed, s);
      CHECK((st.logits.value() - tf.row(static_cast<Index>(t))).cwiseAbs().maxCoeff() < 1e-12);
      CHECK(std::abs(attention.row(static_cast<Index>(t)).sum() - 1) < 1e-12);
      feed = st.feed;
      s = st.state;
    }
  }
}

TEST_CASE("seq2seq: Jacobian checks of the loss and of one attention decoder step, in double", "[networks][seq2seq][gradcheck]") {
  for (const std::string cell : {"lstm", "gru"})
    for (const bool attention : {true, false})
      for (const bool feeding : {false, true}) {
        INFO(cell << " attention " << attention << " feeding " << feeding);
        auto net = make_net(cell, attention, feeding);
        std::vector<Var<double>> params;
        for (const auto& p : net->parameters()) params.push_back(p);
        const std::vector<int> src{0, 5, 2}, tgt{4, 2, 0};
        CHECK(check_gradient([&](const std::vector<Var<double>>&) { return net->loss(src, tgt); }, params) < 1e-6);
        // one step from a state and a fed vector that are inputs themselves
        Rng rng(7, "feed");
        std::vector<Var<double>> inputs{Var<double>(random_matrix(1, net->hidden(), rng, -1, 1), true)};
        for (const auto& p : params) inputs.push_back(p);
        CHECK(check_gradient(
                  [&](const std::vector<Var<double>>& v) {
                    const auto enc = net->encode(src);
                    auto st = net->step(enc, 3, v[0], enc.start);
                    return attention ? concat<double>({st.logits, st.attention}, 1) : st.logits;
                  },
                  inputs) < 1e-6);
      }
}

TEST_CASE("seq2seq: beam search finds the outputs an enumeration ranks first, width 1 is greedy", "[networks][seq2seq][beam]") {
  // vocabulary: </s>, <s>, a, b; outputs of at most 3 tokens
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    INFO("seed " << seed);
    auto net = make_net(seed % 2 ? "lstm" : "gru", true, seed > 2, 4, seed);
    const std::vector<int> src{1, 2, 3};
    std::vector<std::pair<double, std::vector<int>>> all;
    std::vector<std::vector<int>> prefixes{{}};
    for (int len = 1; len <= 3; ++len) {
      std::vector<std::vector<int>> longer;
      for (const auto& p : prefixes)
        for (int tok : {2, 3}) longer.push_back([&] { auto q = p; q.push_back(tok); return q; }());
      prefixes = longer;
      for (const auto& p : prefixes) {
        if (len < 3) {
          auto ended = p;
          ended.push_back(0);
          all.push_back({log_prob(*net, src, ended), p});
        } else {
          all.push_back({log_prob(*net, src, p), p});  // stopped by max_length
        }
      }
    }
    all.push_back({log_prob(*net, src, {0}), {}});  // the empty output
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const auto beams = net->beam_search(src, 3, 1000, 0.0);
    REQUIRE(beams.size() == all.size());  // 1 + 2 + 4 + 8 outputs, all kept
    for (size_t i = 0; i < 5; ++i) {
      CHECK(beams[i].output == all[i].second);
      CHECK(std::abs(beams[i].log_prob - all[i].first) < 1e-9);
    }
    CHECK(net->beam_search(src, 3, 1)[0].output == net->greedy(src, 3));
    // length normalisation ranks by log p / (length + 1)^alpha
    for (const auto& b : net->beam_search(src, 3, 4, 1.0)) {
      const bool ended = std::abs(b.log_prob - log_prob(*net, src, [&] { auto e = b.output; e.push_back(0); return e; }())) < 1e-9;
      CHECK(std::abs(b.score - b.log_prob / static_cast<double>(b.output.size() + (ended ? 1 : 0))) < 1e-9);
    }
  }
}

TEST_CASE("seq2seq: bad ids, lengths and widths name what is wrong", "[networks][seq2seq][errors]") {
  auto net = make_net("gru", true, false);
  CHECK_THROWS_WITH(net->loss({}, {2}), Catch::Contains("source is empty"));
  CHECK_THROWS_WITH(net->loss({6}, {2}), Catch::Contains("source id 6 at position 0 is outside [0, 6)"));
  CHECK_THROWS_WITH(net->loss({1}, {2, 1}), Catch::Contains("target id 1 at position 1 is the start token"));
  CHECK_THROWS_WITH(net->loss({1}, {2, 5}), Catch::Contains("target id 5 at position 1 is outside [0, 5)"));
  CHECK_THROWS_WITH(net->greedy({1}, 0), Catch::Contains("max_length must be in [1, 2^20], got 0"));
  CHECK_THROWS_WITH(net->beam_search({1}, 3, 0), Catch::Contains("width must be >= 1"));
  Rng rng(1, "x");
  CHECK_THROWS_WITH(Seq2Seq<double>(Seq2SeqShape{1, 5, 3, true, false}, Options(), nullptr, rng),
                    Catch::Contains("the source vocabulary must hold >= 2 tokens, got 1"));
}
