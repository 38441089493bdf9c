// MemN2N and KV-MemNN: double-precision Jacobian checks of every configuration over all
// parameters, the position encoding against a hand computation, memory truncation and random
// noise, the attention sentence encoding against attention::AttentionPooling, linear start, and
// a small synthetic story task (bAbI task 1 style, built here) learnt to near-zero error.
#include "networks/kv_memnn.h"
#include "networks/memn2n.h"
#include "tests/networks/story_fixtures.h"

#include "core/gradcheck.h"
#include "core/optim.h"
#include "core/parallel.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace engram;
using namespace engram::networks;
using namespace engram::test_stories;

namespace {

// vocabulary 9 words; the third sentence is empty; the first is cut by memory_size 3
const Story kStory = {{1, 2, 3}, {4, 5, 6, 7}, {}, {8, 2}, {3, 3, 1, 5, 6}};
const std::vector<int> kQuery = {2, 8, 4};

std::string name_of(SentenceEncoding e) {
  return e == SentenceEncoding::bow ? "bow" : e == SentenceEncoding::pe ? "pe" : "attention";
}

}  // namespace

TEST_CASE("position encoding follows l_kj = (1 - j/J) - (k/d)(1 - 2j/J)", "[memn2n]") {
  const MatD l = position_encoding<double>(3, 4);  // J = 3 words, d = 4 dims
  REQUIRE(l.rows() == 3);
  REQUIRE(l.cols() == 4);
  // by hand: j = 1, k = 1: 2/3 - (1/4)(1/3) = 7/12
  CHECK(l(0, 0) == Approx(7.0 / 12));
  // j = 2, k = 3: 1/3 - (3/4)(-1/3) = 7/12
  CHECK(l(1, 2) == Approx(7.0 / 12));
  // j = 3, k = 4: 0 - 1 * (1 - 2) = 1
  CHECK(l(2, 3) == Approx(1.0));
  // j = 3, k = 1: 0 - (1/4)(-1) = 1/4
  CHECK(l(2, 0) == Approx(0.25));
  // a one-word sentence: l_k1 = k/d
  CHECK(position_encoding<double>(1, 4)(0, 1) == Approx(0.5));

  SECTION("word bags carry the same weights, and a skipped word leaves the others' positions") {
    WordBags<double> bags(4, true);
    bags.add(std::vector<int>{7, 8, 9});
    bags.add(std::vector<int>{7, 8, 9}, 1);
    bags.add_empty();
    bags.finish();
    CHECK(bags.ids() == std::vector<int>{7, 8, 9, 7, 9});
    CHECK(bags.offsets() == std::vector<int>{0, 3, 5, 5});
    CHECK(bags.weights().topRows(3) == l);
    CHECK(bags.weights().row(3) == l.row(0));
    CHECK(bags.weights().row(4) == l.row(2));
    WordBags<double> bow(4, false);
    bow.add(std::vector<int>{1, 2});
    bow.finish();
    CHECK(bow.weights().size() == 0);
  }
  SECTION("a fixed length J: every sentence's words weighted as the first words of a J-word sentence") {
    const MatD l6 = position_encoding<double>(6, 4);
    WordBags<double> bags(4, true, 6);
    bags.add(std::vector<int>{7, 8, 9});
    bags.add(std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});  // longer than J: its own length
    bags.finish();
    CHECK(bags.weights().topRows(3) == l6.topRows(3));
    CHECK(bags.weights().bottomRows(8) == position_encoding<double>(8, 4));
    CHECK(bags.weights().row(0) != l.row(0));  // not the 3-word sentence's weights
    CHECK_THROWS_WITH(WordBags<double>(4, true, -1), Catch::Contains("length must be >= 0"));
  }
  SECTION("an unfinished bag set cannot be encoded") {
    WordBags<double> bags(4, true);
    bags.add(std::vector<int>{0});
    CHECK_THROWS_WITH(bags.weights(), Catch::Contains("finish()"));
  }
}

TEST_CASE("memories keep the last sentences, random noise inserts seeded empty memories", "[memn2n]") {
  CHECK(memory_layout(5, 3, 0.5, nullptr) == std::vector<int>{2, 3, 4});
  CHECK(memory_layout(2, 50, 0.0, nullptr) == std::vector<int>{0, 1});
  Rng rng(1, "layout");
  CHECK(memory_layout(5, 3, 0.0, &rng) == std::vector<int>{2, 3, 4});  // no noise: no draws matter

  std::set<size_t> sizes;
  std::set<std::vector<int>> layouts;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Rng a(seed, "noise"), b(seed, "noise");
    const std::vector<int> layout = memory_layout(25, 20, 0.1, &a);
    CHECK(layout == memory_layout(25, 20, 0.1, &b));  // seeded: the same draws, the same layout
    // 20 sentences kept (5..24) in order, and between 0 and ceil(0.1 * 20) = 2 empty memories
    std::vector<int> sentences;
    for (int s : layout)
      if (s >= 0) sentences.push_back(s);
    std::vector<int> expected(20);
    for (int i = 0; i < 20; ++i) expected[static_cast<size_t>(i)] = 5 + i;
    CHECK(sentences == expected);
    CHECK(layout.size() <= 22);
    CHECK(static_cast<Index>(layout.size()) <= temporal_rows(20, 0.1));
    sizes.insert(layout.size());
    layouts.insert(layout);
  }
  CHECK(sizes == std::set<size_t>{20, 21, 22});  // every count occurs
  CHECK(layouts.size() > 20);                    // and the positions vary
  CHECK(temporal_rows(50, 0.1) == 55);

  SECTION("the network's memories follow the layout, empty ones included") {
    MemN2NOptions o;
    o.vocab = 10;
    o.answer_words = {1, 2};
    o.dim = 4;
    o.hops = 2;
    o.memory_size = 3;
    o.random_noise = 0.5;
    Rng init(2, "init");
    MemN2N<double> net(o, init);
    const auto plain = net.forward(kStory, kQuery);
    CHECK(plain.slots == std::vector<int>{2, 3, 4});
    CHECK(plain.attention[0].cols() == 3);
    bool saw_empty = false;
    for (std::uint64_t seed = 0; seed < 20 && !saw_empty; ++seed) {
      Rng noise(seed, "noise");
      const auto r = net.forward(kStory, kQuery, &noise);
      CHECK(r.attention[1].cols() == static_cast<Index>(r.slots.size()));
      saw_empty = std::count(r.slots.begin(), r.slots.end(), -1) > 0;
    }
    CHECK(saw_empty);
  }
}

TEST_CASE("MemN2N passes a double-precision Jacobian check in every configuration", "[memn2n][gradcheck]") {
  int count = 0;
  for (SentenceEncoding enc : {SentenceEncoding::bow, SentenceEncoding::pe, SentenceEncoding::attention})
    for (bool temporal : {false, true})
      for (WeightTying tying : {WeightTying::adjacent, WeightTying::layerwise})
        for (int hops = 1; hops <= 3; ++hops)
          for (bool linear : {false, true}) {
            ++count;
            MemN2NOptions o;
            o.vocab = 10;
            o.answer_words = {3, -1, 9, 1};  // one answer that is not a word
            o.dim = 4;
            o.hops = hops;
            o.encoding = enc;
            o.temporal = temporal;
            o.tying = tying;
            o.tied_answers = count % 2 == 0;
            o.memory_size = 4;
            o.random_noise = count % 3 == 0 ? 0.5 : 0.0;
            o.position_length = count % 4 == 1 ? 7 : 0;  // the authors' fixed J in a quarter of them
            Rng init(static_cast<std::uint64_t>(count), "init");
            MemN2N<double> net(o, init);
            net.set_linear(linear);
            randomize(net, static_cast<std::uint64_t>(count));
            const Rng noise(static_cast<std::uint64_t>(count), "noise");
            INFO(name_of(enc) << " temporal " << temporal << (tying == WeightTying::adjacent ? " adjacent" : " layerwise")
                              << " hops " << hops << " linear " << linear << " tied " << o.tied_answers
                              << " noise " << o.random_noise);
            const auto f = [&](const V&) {
              Rng r = noise;  // the same noise memories at every evaluation
              return readout_row(net.forward(kStory, kQuery, o.random_noise > 0 ? &r : nullptr));
            };
            CHECK(check_gradient(f, net.parameters()) < 1e-6);
          }
  CHECK(count == 72);
}

TEST_CASE("a ragged batch reads every question as forward() does, in one graph", "[memn2n][gradcheck]") {
  // three stories of different lengths (one longer than memory_size, one with an empty sentence),
  // random noise on two of them: the batch must give each question's logits, attention, memory
  // layout and gradients exactly as forward() does alone
  const std::vector<Story> stories = {kStory, {{4, 4}}, {{2, 7, 1}, {}, {5}}};
  const std::vector<std::vector<int>> queries = {kQuery, {1}, {6, 2}};
  for (SentenceEncoding enc : {SentenceEncoding::bow, SentenceEncoding::pe, SentenceEncoding::attention})
    for (WeightTying tying : {WeightTying::adjacent, WeightTying::layerwise}) {
      INFO(name_of(enc) << (tying == WeightTying::adjacent ? " adjacent" : " layerwise"));
      MemN2NOptions o;
      o.vocab = 10;
      o.answer_words = {3, -1, 9, 1};
      o.dim = 4;
      o.hops = 3;
      o.encoding = enc;
      o.tying = tying;
      o.memory_size = 4;
      o.random_noise = 0.5;
      Rng init(11, "init");
      MemN2N<double> net(o, init);
      randomize(net, 12);
      const Rng noise(13, "noise");
      const auto batch = [&] {
        std::vector<Rng> rngs{noise.child(0), noise.child(1), noise.child(2)};
        std::vector<StoryQuestion> qs;
        for (size_t b = 0; b < 3; ++b) qs.push_back({stories[b], queries[b], b == 1 ? nullptr : &rngs[b]});
        return net.forward_batch(qs);
      };
      const BatchReadout<double> r = batch();
      REQUIRE(r.size() == 3);
      REQUIRE(r.logits.rows() == 3);
      for (size_t b = 0; b < 3; ++b) {
        Rng rng = noise.child(b);
        const MemoryReadout<double> one = net.forward(stories[b], queries[b], b == 1 ? nullptr : &rng);
        const int lo = r.offsets[b], n = r.offsets[b + 1] - lo;
        CHECK(std::vector<int>(r.slots.begin() + lo, r.slots.begin() + lo + n) == one.slots);
        CHECK((r.logits.value().row(static_cast<Index>(b)) - one.logits.value()).cwiseAbs().maxCoeff() < 1e-12);
        for (int h = 0; h < 3; ++h)
          CHECK((r.attention[static_cast<size_t>(h)].value().middleRows(lo, n).transpose() -
                 one.attention[static_cast<size_t>(h)].value()).cwiseAbs().maxCoeff() < 1e-12);
      }
      // gradients of the summed loss: batch == the sum of the single questions'
      const std::vector<int> answers{0, 2, 1};
      const auto grads = [&](const Var<double>& loss) {
        for (auto p : net.parameters()) p.zero_grad();
        backward(loss);
        std::vector<MatD> g;
        for (const auto& p : net.parameters()) g.push_back(p.grad());
        return g;
      };
      const auto batched = grads(scale(cross_entropy(batch().logits, answers), 3.0));
      Var<double> total;
      for (size_t b = 0; b < 3; ++b) {
        Rng rng = noise.child(b);
        const Var<double> l = cross_entropy(net.forward(stories[b], queries[b], b == 1 ? nullptr : &rng).logits, {answers[b]});
        total = b == 0 ? l : add(total, l);
      }
      const auto single = grads(total);
      for (size_t k = 0; k < single.size(); ++k) CHECK((batched[k] - single[k]).cwiseAbs().maxCoeff() < 1e-12);
      // and the batch is differentiable as a whole
      const auto f = [&](const V&) {
        const BatchReadout<double> b = batch();
        std::vector<Var<double>> parts{reshape(b.logits, b.logits.size(), 1)};
        parts.insert(parts.end(), b.attention.begin(), b.attention.end());
        return concat(parts, 0);
      };
      CHECK(check_gradient(f, net.parameters()) < 1e-6);
    }
}

TEST_CASE("MemN2N parameters follow the tying scheme", "[memn2n]") {
  MemN2NOptions o;
  o.vocab = 10;
  o.answer_words = {3, -1};
  o.dim = 4;
  o.hops = 3;
  o.memory_size = 5;
  o.random_noise = 0.1;
  Rng rng(1, "init");
  const auto names = [](const Module<double>& m) {
    std::vector<std::string> out;
    for (const auto& p : m.named_parameters()) out.push_back(p.name);
    return out;
  };
  const MemN2N<double> adjacent(o, rng);
  CHECK(names(adjacent) == std::vector<std::string>{"embed.0", "embed.1", "embed.2", "embed.3", "temporal.0",
                                                    "temporal.1", "temporal.2", "temporal.3"});
  // the answer "-1" is an extra row of the last output matrix C_3; temporal rows: 5 + ceil(0.5)
  CHECK(adjacent.named_parameters()[3].var.rows() == 11);
  CHECK(adjacent.named_parameters()[2].var.rows() == 10);
  CHECK(adjacent.named_parameters()[4].var.rows() == 6);
  o.tying = WeightTying::layerwise;
  o.tied_answers = false;
  o.encoding = SentenceEncoding::attention;
  const MemN2N<double> layerwise(o, rng);
  CHECK(names(layerwise) == std::vector<std::string>{"A", "C", "B", "temporal.A", "temporal.C", "H", "W",
                                                     "pool.A.query", "pool.C.query", "pool.B.query"});
  o.answer_words = {3, 10};
  CHECK_THROWS_WITH(MemN2N<double>(o, rng), Catch::Contains("word id 10"));
}

TEST_CASE("linear start removes the softmax of the memory layers", "[memn2n]") {
  MemN2NOptions o;
  o.vocab = 10;
  o.answer_words = {1, 2, 3};
  o.dim = 6;
  o.hops = 2;
  Rng rng(3, "init");
  MemN2N<double> net(o, rng);
  randomize(net, 4);
  const auto soft = net.forward(kStory, kQuery);
  CHECK(soft.attention[0].value().sum() == Approx(1.0));
  CHECK((soft.attention[0].value().array() > 0).all());
  net.set_linear(true);
  const auto lin = net.forward(kStory, kQuery);
  CHECK(std::abs(lin.attention[0].value().sum() - 1.0) > 1e-3);
  CHECK((lin.attention[0].value().array() < 0).any());
  // the raw scores are the pre-softmax values: softmax of them is the softmax weights
  const MatD again = softmax(lin.attention[0]).value();
  CHECK(again.isApprox(soft.attention[0].value(), 1e-12));
}

TEST_CASE("the paper's fixed memory: empty slots take their share of the softmax, skip_time noise adds no rows", "[memn2n]") {
  MemN2NOptions o;
  o.vocab = 10;
  o.answer_words = {1, 2, 3};
  o.dim = 6;
  o.hops = 2;
  o.memory_size = 4;
  o.memory_slots = 7;  // 4 memories kept: 3 empty slots
  Rng rng(3, "init");
  MemN2N<double> net(o, rng);
  randomize(net, 4);
  net.set_linear(true);
  const MatD s = net.forward(kStory, kQuery).attention[0].value();  // hop 1's raw scores (slots do not change them)
  net.set_linear(false);
  const MatD p = net.forward(kStory, kQuery).attention[0].value();
  const double z = s.array().exp().sum() + 3;  // the 3 empty slots score 0: e^0 each
  for (Index i = 0; i < 4; ++i) CHECK(p(0, i) == Approx(std::exp(s(0, i)) / z).epsilon(1e-12));
  CHECK(p.sum() < 1);
  // a story that fills the memory has no empty slot: the plain softmax
  MemN2NOptions full = o;
  full.memory_slots = 4;
  Rng rng2(3, "init");
  MemN2N<double> plain(full, rng2);
  randomize(plain, 4);
  CHECK(plain.forward(kStory, kQuery).attention[0].value().sum() == Approx(1.0));
  // skip_time: the blanks shift the recency of the sentences but are not memories
  MemN2NOptions skip = o;
  skip.random_noise = 1.0;
  skip.noise_mode = RandomNoise::skip_time;
  Rng rng3(5, "init");
  MemN2N<double> skipping(skip, rng3);
  randomize(skipping, 6);
  int shifted = 0;
  for (std::uint64_t k = 0; k < 20; ++k) {
    Rng noise(k, "noise");
    const auto r = skipping.forward(kStory, kQuery, &noise);
    CHECK(r.slots == std::vector<int>{1, 2, 3, 4});  // the kept sentences, no blank rows
    Rng again(k, "noise");
    shifted += memory_layout(5, 4, 1.0, &again).size() > 4;
  }
  CHECK(shifted > 0);
  // the Jacobian with empty slots and skip_time noise
  for (bool linear : {false, true}) {
    skipping.set_linear(linear);
    const Rng noise(9, "noise");
    const auto f = [&](const V&) {
      Rng r = noise;
      return readout_row(skipping.forward(kStory, kQuery, &r));
    };
    CHECK(check_gradient(f, skipping.parameters()) < 1e-6);
  }
}

TEST_CASE("the attention sentence encoding is AttentionPooling over each sentence's words", "[memn2n]") {
  Rng rng(6, "pool");
  attention::AttentionPooling<double> pool(5, rng);
  randomize(pool, 7, -1, 1);
  Var<double> table(random_matrix(12, 5, rng), true);
  WordBags<double> bags(5, false);
  bags.add(std::vector<int>{3, 4, 3});
  bags.add_empty();
  bags.add(std::vector<int>{11});
  bags.add(std::vector<int>{0, 1, 2, 5});
  bags.finish();
  Var<double> weights;
  const MatD out = attention_bags(pool, table, bags, &weights).value();  // [4 x 5]
  CHECK(out.row(1).isZero());
  REQUIRE(weights.rows() == 8);  // one weight per word, in bag order
  const std::vector<std::vector<int>> sentences = {{3, 4, 3}, {}, {11}, {0, 1, 2, 5}};
  for (size_t b : {0u, 2u, 3u}) {
    const auto ref = pool.forward(gather_rows(table, sentences[b]));
    CHECK(out.row(static_cast<Index>(b)).isApprox(ref.output.value().row(0), 1e-12));
    const Index lo = bags.offsets()[b], len = bags.offsets()[b + 1] - lo;
    CHECK(weights.value().middleRows(lo, len).transpose().isApprox(ref.weights.value(), 1e-12));
  }
  V inputs{table};
  for (const auto& p : pool.parameters()) inputs.push_back(p);
  CHECK(check_gradient([&](const V&) { return attention_bags(pool, table, bags); }, inputs) < 1e-6);
}

TEST_CASE("KV-MemNN passes a double-precision Jacobian check in every configuration", "[kv_memnn][gradcheck]") {
  int count = 0;
  for (SentenceEncoding enc : {SentenceEncoding::bow, SentenceEncoding::pe})
    for (ValueMode values : {ValueMode::sentence, ValueMode::words})
      for (int window : {1, 2})
        for (bool temporal : {false, true})
          for (int hops = 1; hops <= 2; ++hops) {
            ++count;
            KvMemNNOptions o;
            o.vocab = 10;
            o.answers = 4;
            o.dim = 4;
            o.hops = hops;
            o.encoding = enc;
            o.values = values;
            o.key_window = window;
            o.temporal = temporal;
            o.memory_size = 4;
            Rng init(static_cast<std::uint64_t>(count), "init");
            KvMemNN<double> net(o, init);
            randomize(net, static_cast<std::uint64_t>(count));
            INFO(name_of(enc) << (values == ValueMode::words ? " words" : " sentence") << " window " << window
                              << " temporal " << temporal << " hops " << hops);
            const auto f = [&](const V&) { return readout_row(net.forward(kStory, kQuery)); };
            CHECK(check_gradient(f, net.parameters()) < 1e-6);
          }
  CHECK(count == 32);
}

TEST_CASE("KV-MemNN slots: one per sentence, or one per word keyed by the rest of the window", "[kv_memnn]") {
  KvMemNNOptions o;
  o.vocab = 10;
  o.answers = 2;
  o.dim = 4;
  o.memory_size = 3;
  Rng rng(1, "init");
  const KvMemNN<double> sentences(o, rng);
  CHECK(sentences.forward(kStory, kQuery).slots == std::vector<int>{2, 3, 4});
  o.values = ValueMode::words;
  const KvMemNN<double> words(o, rng);
  const auto r = words.forward(kStory, kQuery);
  CHECK(r.slots == std::vector<int>{3, 3, 4, 4, 4, 4, 4});  // the empty sentence 2 has no slot
  CHECK(r.attention[0].cols() == 7);
  o.encoding = SentenceEncoding::attention;
  CHECK_THROWS_WITH(KvMemNN<double>(o, rng), Catch::Contains("bow or pe"));
}

TEST_CASE("MemN2N learns a synthetic task-1 story set to near-zero error", "[memn2n][train]") {
  const Synthetic train = make_synthetic(1000, 1), test = make_synthetic(300, 2);
  MemN2NOptions o;
  o.vocab = 17;
  o.answer_words = {10, 11, 12, 13, 14};
  o.dim = 20;
  o.hops = 3;
  o.memory_size = 10;
  o.random_noise = 0.1;
  Rng rng(1, "init");
  MemN2N<float> net(o, rng);
  const double error = train_and_test(net, train, test, 40, 0.01, [&](const Story& s, const std::vector<int>& q, Rng* r) {
    return net.forward(s, q, r);
  });
  CHECK(error < 0.02);
}

TEST_CASE("KV-MemNN learns a synthetic task-1 story set to near-zero error", "[kv_memnn][train]") {
  const Synthetic train = make_synthetic(1000, 1), test = make_synthetic(300, 2);
  KvMemNNOptions o;
  o.vocab = 17;
  o.answers = 5;
  o.dim = 20;
  o.hops = 2;
  o.memory_size = 10;
  Rng rng(1, "init");
  KvMemNN<float> net(o, rng);
  const double error = train_and_test(net, train, test, 40, 0.01, [&](const Story& s, const std::vector<int>& q, Rng*) {
    return net.forward(s, q);
  });
  // Chance is 80% error. This net plateaus at 0-7 errors in 300 depending on the machine (2.3% on
  // an AVX-512 Xeon, under 2% on an AMD EPYC, both single-threaded and deterministic on each), so
  // the bound leaves room for that spread while still failing a net that does not learn.
  CHECK(error < 0.05);
}
