// networks/pointer_net.h: the pointer network's step against its teacher-forced logits,
// double-precision Jacobian checks of the loss and of one pointer step, beam search against an
// enumeration of every permutation, greedy decoding, masks, the end token and errors.
#include "networks/pointer_net.h"

#include "core/gradcheck.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

using namespace engram;
using namespace engram::networks;

namespace {

std::unique_ptr<PointerNet<double>> make_net(const std::string& cell, bool bidirectional, bool end_token,
                                             const std::string& score = "additive", std::uint64_t seed = 1) {
  Rng rng(seed, "pointer");
  Options enc = cell == "transformer"
                    ? Options().set("name", cell).set("layers", 2.0).set("heads", 3.0).set("ff", 5.0).set("hidden", 4.0)
                : cell == "kool"  // the transformer encoder with Kool et al.'s decoder
                    ? Options().set("name", "transformer").set("layers", 2.0).set("heads", 3.0).set("ff", 5.0).set("decoder", "attention").set("clip", 4.0)
                    : Options().set("name", cell).set("hidden", 4.0).set("bidirectional", bidirectional ? "true" : "false");
  auto net = std::make_unique<PointerNet<double>>(
      2, 3, enc,
      [&](const attention::ScoreShape& s) { return attention::make_score<double>(score, s, score == "additive" ? Options().set("hidden", 5.0) : Options(), rng); },
      end_token, rng);
  Rng r(seed + 7, "randomize");  // larger weights than the initialisation: sharper, more varied logits
  for (auto p : net->parameters()) p.mutable_value() = random_matrix(p.rows(), p.cols(), r, -1, 1);
  return net;
}

// Sum of log p of `targets` under teacher forcing.
double log_prob(const PointerNet<double>& net, const MatD& x, const std::vector<int>& targets, bool mask) {
  return -net.loss(Var<double>(x), targets, mask).value()(0, 0) * static_cast<double>(targets.size());
}

// The encodings of 5 random points (seed) and of the same points with rows 0 and 3 swapped.
std::pair<PointerEncoding<double>, PointerEncoding<double>> encode_swapped(const PointerNet<double>& net, std::uint64_t seed) {
  Rng rng(seed, "x");
  const MatD x = random_matrix(5, 2, rng, -1, 1);
  MatD swapped = x;
  swapped.row(0).swap(swapped.row(3));
  return {net.encode(Var<double>(x)), net.encode(Var<double>(swapped))};
}

}  // namespace

TEST_CASE("pointer net: step by step gives the teacher-forced logits, masks chosen positions", "[networks][pointer]") {
  for (const std::string cell : {"lstm", "transformer", "kool"})
  for (const bool end_token : {false, true}) {
    INFO(cell << " end token " << end_token);
    auto net = make_net(cell, true, end_token);
    Rng rng(3, "x");
    const MatD x = random_matrix(5, 2, rng, -1, 1);
    const std::vector<int> targets{3, 0, 4, 1};
    const PointerEncoding<double> enc = net->encode(Var<double>(x));
    CHECK(enc.keys.rows() == (end_token ? 6 : 5));
    const MatD tf = net->teacher_forced_logits(enc, targets, true).value();
    REQUIRE(tf.rows() == 4);
    ControllerState<double> s = enc.start;
    std::vector<char> chosen(5, 0);
    for (size_t t = 0; t < targets.size(); ++t) {
      auto [logits, next] = net->step(enc, t == 0 ? -1 : targets[t - 1], s, chosen);
      for (Index j = 0; j < tf.cols(); ++j) {
        const bool masked = j < 5 && chosen[static_cast<size_t>(j)];
        CHECK(std::isinf(tf(static_cast<Index>(t), j)) == masked);
        if (!masked) CHECK(std::abs(logits.value()(0, j) - tf(static_cast<Index>(t), j)) < 1e-12);
      }
      chosen[static_cast<size_t>(targets[t])] = 1;
      s = std::move(next);
    }
    // without the mask nothing is -inf
    CHECK(net->teacher_forced_logits(enc, targets, false).value().allFinite());
  }
}

TEST_CASE("pointer net: Jacobian checks of the loss and of one pointer step, in double", "[networks][pointer][gradcheck]") {
  for (const std::string cell : {"lstm", "gru", "transformer", "kool"})
    for (const std::string score : {"additive", "bilinear"}) {
      INFO(cell << " " << score);
      auto net = make_net(cell, true, true, score);
      Rng rng(5, "x");
      std::vector<Var<double>> inputs{Var<double>(random_matrix(4, 2, rng, -1, 1), true)};
      for (const auto& p : net->parameters()) inputs.push_back(p);
      const std::vector<int> targets{2, 0, 3, 1, 4};  // 4 = the end position
      CHECK(check_gradient([&](const std::vector<Var<double>>& v) { return net->loss(v[0], targets, true); }, inputs) < 1e-6);
      // one step after position 2, with position 2 not masked (finite logits)
      CHECK(check_gradient(
                [&](const std::vector<Var<double>>& v) {
                  const PointerEncoding<double> enc = net->encode(v[0]);
                  return net->step(enc, 2, enc.start, std::vector<char>(4, 0)).first;
                },
                inputs) < 1e-6);
    }
}

TEST_CASE("pointer net: sampling draws valid outputs with the decoder's probabilities and returns their log p", "[networks][pointer][sample]") {
  auto net = make_net("lstm", false, false);
  Rng rx(8, "x");
  const MatD x = random_matrix(4, 2, rx, -1, 1);
  Rng rng(9, "draws");
  std::vector<int> first(4, 0);
  for (int k = 0; k < 4000; ++k) {
    auto [out, lp] = net->sample(Var<double>(x), 4, true, rng);
    REQUIRE(out.size() == 4);
    std::vector<int> sorted = out;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(sorted == std::vector<int>{0, 1, 2, 3});  // a permutation: chosen positions masked
    if (k < 20) CHECK(lp.value()(0, 0) == Approx(log_prob(*net, x, out, true)).margin(1e-9));
    ++first[static_cast<size_t>(out[0])];
  }
  // the first position is drawn with the first step's softmax (4000 draws: within 0.03)
  const PointerEncoding<double> enc = net->encode(Var<double>(x));
  const MatD logits = net->step(enc, -1, enc.start, std::vector<char>(4, 0)).first.value();
  const MatD p = (logits.array() - logits.maxCoeff()).exp().matrix() / (logits.array() - logits.maxCoeff()).exp().sum();
  for (Index j = 0; j < 4; ++j) CHECK(std::abs(first[static_cast<size_t>(j)] / 4000.0 - p(0, j)) < 0.03);
  // the log p is differentiable: a Jacobian check with the draw held fixed (the same stream)
  std::vector<Var<double>> inputs{Var<double>(x, true)};
  for (const auto& q : net->parameters()) inputs.push_back(q);
  CHECK(check_gradient([&](const std::vector<Var<double>>& v) {
          Rng same(10, "draw");
          return net->sample(v[0], 4, true, same).second;
        }, inputs) < 1e-6);
}

TEST_CASE("pointer net: beam search finds the best permutation an enumeration finds, width 1 is greedy", "[networks][pointer][beam]") {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    INFO("seed " << seed);
    const char* cells[] = {"lstm", "gru", "kool"};  // seeds 1..6: every decoder twice
    auto net = make_net(cells[seed % 3], false, false, "additive", seed);
    Rng rng(seed, "x");
    const MatD x = random_matrix(4, 2, rng, -1, 1);
    std::vector<int> perm(4);
    std::iota(perm.begin(), perm.end(), 0);
    std::vector<std::pair<double, std::vector<int>>> all;
    do all.push_back({log_prob(*net, x, perm, true), perm});
    while (std::next_permutation(perm.begin(), perm.end()));
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    // 4! = 24 complete outputs and at most 24 partial ones per step: width 24 keeps them all
    const std::vector<PointerBeam> beams = net->beam_search(Var<double>(x), 4, 24, true);
    REQUIRE(beams.size() == 24);
    for (size_t i = 0; i < beams.size(); ++i) {
      CHECK(beams[i].output == all[i].second);
      CHECK(std::abs(beams[i].log_prob - all[i].first) < 1e-9);
    }
    // a narrower beam proposes only permutations, best first
    const std::vector<PointerBeam> three = net->beam_search(Var<double>(x), 4, 3, true);
    REQUIRE(three.size() == 3);
    for (const PointerBeam& b : three) {
      std::vector<int> sorted = b.output;
      std::sort(sorted.begin(), sorted.end());
      CHECK(sorted == std::vector<int>{0, 1, 2, 3});
    }
    CHECK(three[0].log_prob >= three[1].log_prob);
    CHECK(three[0].log_prob <= all[0].first + 1e-12);
    CHECK(net->beam_search(Var<double>(x), 4, 1, true)[0].output == net->greedy(Var<double>(x), 4, true));
  }
}

TEST_CASE("pointer net: greedy stops at the end position, attention rows are distributions", "[networks][pointer]") {
  auto net = make_net("lstm", false, true);
  Rng rng(9, "x");
  const MatD x = random_matrix(6, 2, rng, -1, 1);
  MatD attention;
  const std::vector<int> out = net->greedy(Var<double>(x), 20, true, &attention);
  REQUIRE(!out.empty());
  CHECK(attention.rows() == static_cast<Index>(out.size()));
  CHECK(attention.cols() == 7);
  for (Index t = 0; t < attention.rows(); ++t) CHECK(std::abs(attention.row(t).sum() - 1) < 1e-9);
  // a position is never chosen twice, and only the last output may be the end
  std::vector<int> seen(out.begin(), out.end());
  std::sort(seen.begin(), seen.end());
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  for (size_t t = 0; t + 1 < out.size(); ++t) CHECK(out[t] < 6);
  CHECK((out.back() == 6 || out.size() == 7 || out.size() == 20));
  // beams with an end token: every one valid, ended by the end position or the step limit
  for (const PointerBeam& b : net->beam_search(Var<double>(x), 8, 4, true, 0.7)) {
    for (size_t t = 0; t + 1 < b.output.size(); ++t) CHECK(b.output[t] < 6);
    CHECK((b.output.back() == 6 || b.output.size() == 8));
    CHECK(std::abs(b.score - b.log_prob / std::pow(static_cast<double>(b.output.size()), 0.7)) < 1e-12);
  }
}

TEST_CASE("pointer net with the transformer encoder: the keys ignore the inputs' order, the context starts the decoder", "[networks][pointer]") {
  auto net = make_net("transformer", false, false);
  const auto [a, b] = encode_swapped(*net, 12);
  // no positional encoding: a set encoder, the keys permute with the inputs
  CHECK((a.keys.value().row(0) - b.keys.value().row(3)).norm() < 1e-10);
  CHECK((a.keys.value().row(1) - b.keys.value().row(1)).norm() < 1e-10);
  CHECK((a.context.value() - b.context.value()).norm() < 1e-10);
  REQUIRE(a.context.defined());
  CHECK(a.context.cols() == 3);
  Rng bad(1, "bad");
  CHECK_THROWS_WITH(PointerNet<double>(2, 3, Options().set("name", "transformer").set("heads", 2.0),
                                       [&](const attention::ScoreShape& s) { return attention::make_score<double>("bilinear", s, Options(), bad); }, false, bad),
                    Catch::Contains("heads (2) must divide embed (3)"));
  CHECK_THROWS_WITH(PointerNet<double>(2, 3, Options().set("name", "transformer").set("heads", 3.0).set("bidirectional", "true"),
                                       [&](const attention::ScoreShape& s) { return attention::make_score<double>("bilinear", s, Options(), bad); }, false, bad),
                    Catch::Contains("bidirectional"));
}

TEST_CASE("pointer net with Kool et al.'s decoder: a set in, clipped logits, the glimpse masks, the first city in the state", "[networks][pointer]") {
  auto net = make_net("kool", false, false);
  const auto [a, b] = encode_swapped(*net, 13);
  CHECK(!a.context.defined());
  const std::vector<char> none(5, 0);
  // the first step's context is the graph and the placeholders: the logits permute with the inputs
  const MatD la = net->step(a, -1, a.start, none).first.value(), lb = net->step(b, -1, b.start, none).first.value();
  CHECK(std::abs(la(0, 0) - lb(0, 3)) < 1e-10);
  CHECK(std::abs(la(0, 3) - lb(0, 0)) < 1e-10);
  CHECK(std::abs(la(0, 1) - lb(0, 1)) < 1e-10);
  CHECK(la.cwiseAbs().maxCoeff() <= 4.0);  // C tanh(.) with C = 4
  // after position 2 the state holds its key row (the first city); a later step keeps it
  auto [l1, s1] = net->step(a, 2, a.start, none);
  REQUIRE(s1.h.size() == 1);
  CHECK((s1.h[0].value() - a.keys.value().row(2)).norm() == 0);
  auto [l2, s2] = net->step(a, 4, s1, none);
  REQUIRE(s2.h.size() == 1);
  CHECK((s2.h[0].value() - a.keys.value().row(2)).norm() == 0);
  // which city came first matters: the same last city with another first one points elsewhere
  auto [l3, s3] = net->step(a, 4, net->step(a, 1, a.start, none).second, none);
  CHECK((l2.value() - l3.value()).norm() > 1e-6);
  // masking a position changes the other logits too (the glimpse no longer sees it), unlike the
  // LSTM decoder's, whose mask only hides the masked logits
  std::vector<char> chosen(5, 0);
  chosen[1] = 1;
  const MatD lm = net->step(a, 2, a.start, chosen).first.value();
  CHECK(std::isinf(lm(0, 1)));
  CHECK(std::abs(lm(0, 0) - l1.value()(0, 0)) > 1e-9);
  auto lstm = make_net("lstm", false, false);
  const PointerEncoding<double> e = encode_swapped(*lstm, 13).first;
  CHECK(std::abs(lstm->step(e, 2, e.start, chosen).first.value()(0, 0) - lstm->step(e, 2, e.start, none).first.value()(0, 0)) < 1e-12);
  // options: no LSTM units, heads that divide embed, a positive clip
  Rng bad(1, "bad");
  const auto maker = [&](const attention::ScoreShape& s) { return attention::make_score<double>("bilinear", s, Options(), bad); };
  const Options kool = Options().set("name", "transformer").set("heads", 3.0).set("decoder", "attention");
  CHECK_THROWS_WITH(PointerNet<double>(2, 3, Options(kool).set("hidden", 4.0), maker, false, bad), Catch::Contains("hidden"));
  CHECK_THROWS_WITH(PointerNet<double>(2, 3, Options(kool).set("glimpse_heads", 2.0), maker, false, bad), Catch::Contains("heads (2) must divide embed (3)"));
  CHECK_THROWS_WITH(PointerNet<double>(2, 3, Options(kool).set("clip", 0.0), maker, false, bad), Catch::Contains("clip"));
  CHECK_THROWS_WITH(PointerNet<double>(2, 3, Options(kool).set("decoder", "gru"), maker, false, bad), Catch::Contains("decoder"));
}

TEST_CASE("pointer net: bad inputs and targets name what is wrong", "[networks][pointer][errors]") {
  auto net = make_net("gru", false, false);
  CHECK_THROWS_WITH(net->encode(Var<double>(MatD::Zero(3, 5))), Catch::Contains("input [3 x 5] must be [n x 2]"));
  CHECK_THROWS_WITH(net->encode(Var<double>(MatD::Zero(0, 2))), Catch::Contains("n >= 1"));
  const MatD x = MatD::Zero(3, 2);
  CHECK_THROWS_WITH(net->loss(Var<double>(x), {0, 3}, true), Catch::Contains("target 3 at step 1 is outside [0, 3)"));
  CHECK_THROWS_WITH(net->loss(Var<double>(x), {1, 1}, true), Catch::Contains("target 1 repeats at step 1"));
  CHECK_NOTHROW(net->loss(Var<double>(x), {1, 1}, false));
  auto ended = make_net("gru", false, true);
  CHECK_THROWS_WITH(ended->loss(Var<double>(x), {3, 0}, true), Catch::Contains("the end position 3 at step 0 must be the last target"));
  CHECK_NOTHROW(ended->loss(Var<double>(x), {0, 3}, true));
  CHECK_THROWS_WITH(net->beam_search(Var<double>(x), 3, 0, true), Catch::Contains("width must be >= 1"));
  CHECK_THROWS_WITH(net->greedy(Var<double>(x), 0, true), Catch::Contains("steps must be in [1, 2^20], got 0"));
  CHECK_THROWS_WITH(net->beam_search(Var<double>(x), -3, 2, true), Catch::Contains("steps must be in [1, 2^20], got -3"));
}
