// The readers of the memory comparison (recurrent: LSTM, NTM, DNC, LRU and any pipeline;
// Transformer; modern Hopfield; Hebbian fast weights): double-precision Jacobian checks over all
// parameters, what each one's equations promise (the encoder's temporal order, Hopfield energy
// that never rises, the Hebbian matrix as a sum of decayed outer products), and each learning the
// synthetic task-1 story set.
#include "networks/attention_sum_reader.h"
#include "networks/entnet.h"
#include "networks/hebbian_reader.h"
#include "networks/hopfield_reader.h"
#include "networks/recurrent_reader.h"
#include "networks/transformer_reader.h"
#include "tests/networks/story_fixtures.h"

#include <catch2/catch.hpp>

using namespace engram;
using namespace engram::networks;
using namespace engram::test_stories;

namespace {

// vocabulary 9 words; the third sentence is empty; memory_size 3 drops the first
const Story kStory = {{1, 2, 3}, {4, 5, 6, 7}, {}, {8, 2}, {3, 3, 1, 5, 6}};
const std::vector<int> kQuery = {2, 8, 4};

StoryEncoderOptions encoder_options(Index vocab, Index dim, Index memory, bool pe = true) {
  StoryEncoderOptions e;
  e.vocab = vocab;
  e.dim = dim;
  e.memory_size = memory;
  e.encoding = pe ? SentenceEncoding::pe : SentenceEncoding::bow;
  return e;
}

template <class T>
std::unique_ptr<StoryReader<T>> make_recurrent(const std::string& kind, const StoryEncoderOptions& e, Index answers,
                                               Rng& rng) {
  // (<kind>_query: the question beside every sentence)
  const bool every = kind.ends_with("_query");
  const QueryInput query = every ? QueryInput::every_step : QueryInput::end;
  const std::string base = every ? kind.substr(0, kind.size() - 6) : kind;
  const Index in = RecurrentReader<T>::input_size(e.dim, query);
  const double hidden = e.dim >= 16 ? 64 : 6;  // small for the Jacobian checks, able to learn otherwise
  if (base == "lstm")
    return std::make_unique<RecurrentReader<T>>(e, answers, make_controller<T>("lstm", {in}, Options().set("hidden", hidden), rng),
                                                std::nullopt, rng, query);
  memory::PresetOptions po;
  po.slots = e.dim >= 16 ? 16 : 5;
  po.width = e.dim >= 16 ? 16 : 3;
  if (base == "pipeline") po.read_addressing = po.write_addressing = std::vector<memory::StageConfig>{{"content", {}}, {"sharpen", {}}};
  const memory::MemoryConfig mc = memory::preset(base == "pipeline" ? "ntm" : base, po);
  return std::make_unique<RecurrentReader<T>>(
      e, answers, make_controller<T>("lstm", {MemoryAugmented<T>::controller_input(mc, in)}, Options().set("hidden", hidden), rng), mc,
      rng, query);
}

template <class T>
std::unique_ptr<StoryReader<T>> make_reader(const std::string& kind, const StoryEncoderOptions& e, Index answers, Rng& rng) {
  if (kind == "transformer") {
    TransformerReaderOptions o;
    o.encoder = e;
    o.answers = answers;
    o.layers = 2;
    o.heads = 2;
    return std::make_unique<TransformerReader<T>>(o, rng);
  }
  if (kind == "hopfield" || kind == "hopfield_fixed") {
    HopfieldReaderOptions o;
    o.encoder = e;
    o.answers = answers;
    o.steps = 3;
    o.beta = 2;
    o.learn_beta = kind == "hopfield";
    return std::make_unique<HopfieldReader<T>>(o, rng);
  }
  if (kind == "entnet") {
    EntNetOptions o;
    o.encoder = e;
    o.answers = answers;
    o.blocks = e.dim >= 16 ? 20 : 3;
    o.prelu_init = 0.3;  // (1 would make phi linear: the check would miss its negative side)
    return std::make_unique<EntNet<T>>(o, rng);
  }
  if (kind == "hebbian") {
    HebbianReaderOptions o;
    o.encoder = e;
    o.answers = answers;
    return std::make_unique<HebbianReader<T>>(o, rng);
  }
  return make_recurrent<T>(kind, e, answers, rng);
}

MatD param(const Module<double>& m, const std::string& name) {
  for (const auto& p : m.named_parameters())
    if (p.name == name) return p.var.value();
  FAIL("no parameter " << name);
  return {};
}

const std::vector<std::string> kKinds = {"lstm", "lstm_query", "ntm", "dnc", "dnc_query", "lru", "pipeline", "transformer", "hopfield", "hopfield_fixed", "hebbian", "entnet"};

}  // namespace

TEST_CASE("the story encoder keeps the newest non-empty sentences, oldest first, with their age's encoding",
          "[story_readers]") {
  Rng rng(1, "init");
  StoryEncoder<double> enc(encoder_options(9, 4, 3, false), rng);
  const EncodedStory<double> e = enc.encode(kStory, kQuery);
  REQUIRE(e.slots == std::vector<int>{1, 3, 4});
  const MatD E = param(enc, "embed"), Tm = param(enc, "temporal");
  // slot 0 (sentence 1, age 2) = E4 + E5 + E6 + E7 + T[2]; the query = E2 + E8 + E4
  const MatD want0 = E.row(4) + E.row(5) + E.row(6) + E.row(7) + Tm.row(2);
  CHECK((e.sentences.value().row(0) - want0).norm() < 1e-12);
  CHECK((e.sentences.value().row(2) - (E.row(3) * 2 + E.row(1) + E.row(5) + E.row(6) + Tm.row(0))).norm() < 1e-12);
  CHECK((e.query.value() - (E.row(2) + E.row(8) + E.row(4))).norm() < 1e-12);
  CHECK_THROWS_WITH(enc.encode(kStory, std::vector<int>{9}), Catch::Contains("query word id 9 is outside [0, 9)"));
  const Story empty = {{}, {}};
  CHECK(enc.encode(empty, kQuery).sentences.rows() == 0);
}

TEST_CASE("every comparison reader passes a double-precision Jacobian check", "[story_readers][gradcheck]") {
  for (const auto& kind : kKinds)
    for (bool pe : {false, true}) {
      INFO(kind << (pe ? " pe" : " bow"));
      Rng rng(7, "init");
      const auto net = make_reader<double>(kind, encoder_options(9, 4, 3, pe), 4, rng);
      randomize(*net, 3);
      const auto f = [&](const V&) { return readout_row(net->forward(kStory, kQuery)); };
      CHECK(check_gradient(f, net->parameters()) < 1e-6);
      // an empty story reads the question alone
      const Story empty = {{}};
      CHECK(net->forward(empty, kQuery).logits.cols() == 4);
      CHECK(net->state_size(3) > 0);
    }
}

TEST_CASE("a recurrent reader with the question at every step reads [sentence, question, flag] rows", "[story_readers]") {
  CHECK(RecurrentReader<double>::input_size(4) == 5);
  CHECK(RecurrentReader<double>::input_size(4, QueryInput::every_step) == 9);
  Rng rng(3, "init");
  const StoryEncoderOptions e = encoder_options(9, 4, 3);
  // a controller sized for the other layout is refused, naming both widths
  CHECK_THROWS_WITH(RecurrentReader<double>(e, 4, make_controller<double>("lstm", {5}, Options().set("hidden", 3.0), rng), std::nullopt,
                                            rng, QueryInput::every_step),
                    Catch::Contains("reads 5 columns, the reader feeds 9"));
  const auto every = make_reader<double>("lstm_query", e, 4, rng);
  randomize(*every, 3);
  const Story other_story = {{1, 2}, {3, 4}, {5, 6}};
  const MatD a = every->forward(kStory, kQuery).logits.value(), b = every->forward(other_story, kQuery).logits.value();
  CHECK((a - b).norm() > 1e-6);  // the story still matters
  // an empty story: one step, [0, q, 1]
  CHECK(every->forward(Story{{}}, kQuery).logits.cols() == 4);
}

TEST_CASE("modern Hopfield retrieval never raises the energy at a fixed beta", "[story_readers]") {
  HopfieldReaderOptions o;
  o.encoder = encoder_options(9, 6, 5);
  o.answers = 3;
  o.steps = 6;
  o.learn_beta = false;
  for (double beta : {0.5, 2.0, 8.0}) {
    o.beta = beta;
    Rng rng(3, "init");
    HopfieldReader<double> net(o, rng);
    randomize(net, 11, -1, 1);
    const std::vector<double> E = net.energies(kStory, kQuery);
    REQUIRE(E.size() == 7);
    for (size_t k = 1; k < E.size(); ++k) CHECK(E[k] <= E[k - 1] + 1e-12);
    CHECK(E.back() < E.front());
    // the forward pass retrieves through the same steps: one attention row per step
    CHECK(net.forward(kStory, kQuery).attention.size() == 6);
  }
}

TEST_CASE("the Hebbian memory is the decayed sum of the sentences' outer products", "[story_readers]") {
  HebbianReaderOptions o;
  o.encoder = encoder_options(9, 4, 5, false);
  o.answers = 3;
  o.decay = 0.5;
  o.learn_decay = false;
  Rng rng(5, "init");
  HebbianReader<double> net(o, rng);
  // bow encoding: the kept sentences 0, 1, 3, 4 (ages 3..0) as sums of their words' embeddings
  const MatD E = param(net, "encoder.embed"), Tm = param(net, "encoder.temporal");
  MatD X(4, 4);
  const std::vector<int> kept = {0, 1, 3, 4};
  for (Index i = 0; i < 4; ++i) {
    X.row(i) = Tm.row(3 - i);
    for (int w : kStory[static_cast<size_t>(kept[static_cast<size_t>(i)])]) X.row(i) += E.row(w);
  }
  const MatD K = X * param(net, "key.weight"), Vv = X * param(net, "value.weight");
  MatD want = MatD::Zero(4, 4);
  const Index S = K.rows();
  REQUIRE(S == 4);
  for (Index s = 0; s < S; ++s) want += std::pow(0.5, double(S - 1 - s)) * K.row(s).transpose() * Vv.row(s);
  CHECK((net.memory(kStory, kQuery) - want).norm() < 1e-10);
  // its size does not grow with the story
  CHECK(net.state_size(4) == 16);
  CHECK(net.state_size(400) == 16);
}

TEST_CASE("the entity network's blocks follow its gated, normalised update sentence by sentence", "[story_readers]") {
  EntNetOptions o;
  o.encoder = encoder_options(9, 4, 5, false);
  o.encoder.temporal = false;
  o.answers = 3;
  o.blocks = 3;
  o.prelu_init = 0.25;
  Rng rng(6, "init");
  EntNet<double> net(o, rng);
  randomize(net, 13);
  const MatD E = param(net, "encoder.embed"), K = param(net, "keys"), U = param(net, "U.weight"), Vm = param(net, "V.weight"),
             W = param(net, "W.weight");
  const double a = param(net, "prelu_slope")(0, 0);
  const auto phi = [&](MatD x) { return x.unaryExpr([&](double v) { return v > 0 ? v : a * v; }).eval(); };
  MatD h = K;
  for (const auto& sentence : kStory) {
    if (sentence.empty()) continue;  // the encoder keeps the non-empty sentences
    MatD s = MatD::Zero(1, 4);
    for (int w : sentence) s += E.row(w);
    const MatD gate = ((h + K) * s.transpose()).unaryExpr([](double v) { return 1 / (1 + std::exp(-v)); });
    const MatD cand = phi(h * U + K * Vm + MatD::Ones(3, 1) * (s * W));
    h += gate.asDiagonal() * cand;
    for (Index j = 0; j < 3; ++j) h.row(j).normalize();
  }
  CHECK((net.blocks(kStory, kQuery) - h).norm() < 1e-10);
  for (Index j = 0; j < 3; ++j) CHECK(h.row(j).norm() == Approx(1.0));
  // no sentence: the blocks are their keys; the question's attention is a distribution over them
  CHECK((net.blocks(Story{{}}, kQuery) - K).norm() < 1e-12);
  const MatD p = net.question_attention(kStory, kQuery);
  CHECK(p.cols() == 3);
  CHECK(p.sum() == Approx(1.0));
  CHECK(net.state_size(4) == 12);
  CHECK(net.state_size(400) == 12);
  o.blocks = 0;
  CHECK_THROWS_WITH(EntNet<double>(o, rng), Catch::Contains("blocks >= 1"));
}

// Trains `kind` on the synthetic task-1 set with Adam and returns the test error.
double learn(const std::string& kind, double lr, double init, int epochs = 40) {
  const Synthetic train = make_synthetic(1000, 1), test = make_synthetic(300, 2);
  Rng rng(1, "init");
  StoryEncoderOptions e = encoder_options(17, 20, 10);
  e.init_stddev = init;
  const auto net = make_reader<float>(kind, e, 5, rng);
  const double error = train_and_test(*net, train, test, epochs, lr, [&](const Story& s, const std::vector<int>& q, Rng* r) {
    return net->forward(s, q, r);
  });
  WARN(kind << " test error " << error);
  return error;
}

// Chance is 80% error. The readers that look the question's person up among stored sentences
// (Transformer, Hopfield, Hebbian) reach a few percent in 40 epochs (the Hebbian matrix, d x d
// whatever the story, plateaus near 5%); the recurrent ones must carry every person's place to
// the question's step in their state, which plain LSTMs notoriously fail at (Weston et al. 2015:
// about 50% error on bAbI task 1); with a larger learning rate and embedding they get well below
// chance here, and the bound says so.
TEST_CASE("the Transformer reader learns the synthetic task-1 story set", "[story_readers][train]") {
  CHECK(learn("transformer", 0.01, 0.1) < 0.05);
}

TEST_CASE("the modern-Hopfield reader learns the synthetic task-1 story set", "[story_readers][train]") {
  CHECK(learn("hopfield", 0.01, 0.1) < 0.05);
}

TEST_CASE("the Hebbian reader learns the synthetic task-1 story set", "[story_readers][train]") {
  CHECK(learn("hebbian", 0.01, 0.1) < 0.08);
}

// The recurrent readers step a graph per sentence: 40 epochs of them take minutes under
// AddressSanitizer, where the Jacobian checks above already run their code; the release suite
// trains them.
#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("the LSTM reader learns the synthetic task-1 story set", "[story_readers][train]") {
  CHECK(learn("lstm", 0.03, 1.0) < 0.25);
}

TEST_CASE("the entity network learns the synthetic task-1 story set", "[story_readers][train]") {
  CHECK(learn("entnet", 0.03, 0.1, 20) < 0.05);
}

TEST_CASE("the NTM reader learns the synthetic task-1 story set", "[story_readers][train]") {
  CHECK(learn("ntm", 0.03, 1.0) < 0.25);
}

// Told the question while it reads, the LSTM keeps only the asked person's place: 4.7% where the
// same LSTM told at the end stays at 18.7% (seed 1, 40 epochs).
TEST_CASE("the LSTM reader with the question at every step learns the synthetic task-1 story set", "[story_readers][train]") {
  CHECK(learn("lstm_query", 0.03, 1.0) < 0.10);
}
#endif

// ---- the Attention-Sum Reader: a pointer network over the story's words ---------------------

namespace {

template <class T>
std::unique_ptr<AttentionSumReader<T>> make_attention_sum(Index vocab, Index dim, std::vector<int> answer_words, Rng& rng) {
  AttentionSumOptions o;
  o.vocab = vocab;
  o.dim = dim;
  o.encoder = Options().set("name", "gru").set("hidden", static_cast<double>(dim));
  o.answer_words = std::move(answer_words);
  return std::make_unique<AttentionSumReader<T>>(o, rng);
}

}  // namespace

TEST_CASE("the Attention-Sum Reader sums the attention of every occurrence of an answer word", "[story_readers][attention_sum]") {
  Rng rng(3, "init");
  const auto net = make_attention_sum<double>(9, 4, {3, 2, 7, -1}, rng);
  randomize(*net, 5);
  const MemoryReadout<double> r = net->forward(kStory, kQuery);
  // memories are the story's 14 words, in order; slots name their sentences (the empty one has none)
  REQUIRE(r.attention.size() == 1);
  const MatD a = r.attention[0].value();
  REQUIRE(a.cols() == 14);
  CHECK(r.slots == std::vector<int>{0, 0, 0, 1, 1, 1, 1, 3, 3, 4, 4, 4, 4, 4});
  CHECK(std::abs(a.sum() - 1) < 1e-12);
  std::vector<int> words;
  for (const auto& s : kStory) words.insert(words.end(), s.begin(), s.end());
  const std::vector<int> answer_words{3, 2, 7, -1};
  for (Index c = 0; c < 4; ++c) {
    double p = 0;
    for (size_t i = 0; i < words.size(); ++i) p += words[i] == answer_words[static_cast<size_t>(c)] ? a(0, static_cast<Index>(i)) : 0;
    CHECK(std::abs(r.logits.value()(0, c) - std::log(p + 1e-6)) < 1e-12);  // word 3 occurs three times
  }
  CHECK(check_gradient([&](const V&) { return readout_row(net->forward(kStory, kQuery)); }, net->parameters()) < 1e-6);
  // a story without words: equal logits, no memories
  const Story empty = {{}, {}};
  const MemoryReadout<double> e = net->forward(empty, kQuery);
  CHECK(e.logits.value() == MatD::Zero(1, 4));
  CHECK(e.attention.empty());
  CHECK_THROWS_WITH(make_attention_sum<double>(9, 4, {9}, rng), Catch::Contains("answer word 9 is outside the vocabulary"));
  // a cell that carries no state (feedforward) reads the query from its states
  AttentionSumOptions ff;
  ff.vocab = 9;
  ff.dim = 3;
  ff.encoder = Options().set("name", "feedforward").set("hidden", 3.0);
  ff.answer_words = {3, 2};
  AttentionSumReader<double> feedforward(ff, rng);
  CHECK(check_gradient([&](const V&) { return readout_row(feedforward.forward(kStory, kQuery)); }, feedforward.parameters()) < 1e-6);
}

// A recurrent reader too: trained in the release suite only, as the LSTM and NTM readers above.
#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("the Attention-Sum Reader learns the synthetic task-1 story set", "[story_readers][train][attention_sum]") {
  const Synthetic train = make_synthetic(1000, 1), test = make_synthetic(300, 2);
  Rng rng(1, "init");
  const auto net = make_attention_sum<float>(17, 16, {10, 11, 12, 13, 14}, rng);  // answer c is place word 10 + c
  const double error = train_and_test(*net, train, test, 8, 0.01, [&](const Story& s, const std::vector<int>& q, Rng* r) {
    return net->forward(s, q, r);
  });
  WARN("attention_sum test error " << error);
  CHECK(error < 0.05);  // chance: 80%
}
#endif
