// The registered story models (experiments/models/story_model.h: memn2n, kv_memnn,
// hierarchical_attention, and the comparison readers lstm_reader, ntm/dnc/lru_mann/mann on a story
// task, transformer_reader, hopfield_reader, hebbian_reader) on a hand-built StoryTask: config keys and their errors, the metrics
// of evaluate, linear start through begin_step, and the attention maps of inspect.
#include "experiments/models/story_model.h"
#include "experiments/tasks/babi/babi.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace engram;
using namespace engram::experiments;
using namespace engram::experiments::babi;

namespace {

// Task-1 style questions: "<person> went to the <place>" x 3, "where is <person>"; the even
// questions are labelled task 1, the odd ones task 2; `support`: whether supporting facts are given.
class HandTask : public StoryTask {
 public:
  explicit HandTask(bool support) {
    words_.add("<nil>");
    const std::vector<std::string> people{"mary", "john"}, places{"kitchen", "garden", "office"};
    for (const auto& w : {"went", "to", "the", "where", "is"}) words_.add(w);
    for (const auto& p : people) words_.add(p);
    for (const auto& p : places) words_.add(p);
    answers_.add("kitchen");
    answers_.add("garden");
    answers_.add("office");
    answers_.add("n,s");  // an answer that is not a word (tied answers give it its own row)
    Rng rng(3, "hand-task");
    for (int i = 0; i < 40; ++i) {
      Example e;
      int last[2] = {-1, -1}, at[2] = {-1, -1};
      for (int k = 0; k < 3; ++k) {
        const int person = static_cast<int>(rng.below(2)), place = static_cast<int>(rng.below(3));
        e.story.push_back({words_.id(people[static_cast<size_t>(person)]), words_.id("went"), words_.id("to"),
                           words_.id("the"), words_.id(places[static_cast<size_t>(place)])});
        last[person] = place;
        at[person] = k;
      }
      const int person = last[0] >= 0 ? 0 : 1;
      e.query = {words_.id("where"), words_.id("is"), words_.id(people[static_cast<size_t>(person)])};
      e.answer = last[person];
      if (support) e.supporting = {at[person]};
      e.task = 1 + i % 2;
      (i < 30 ? train_ : val_).push_back(e);
    }
  }
  const std::vector<Example>& split(const std::string& name) const override {
    if (name == "train") return train_;
    if (name == "val") return val_;
    throw std::invalid_argument("hand task: unknown split '" + name + "'");
  }
  const Vocabulary& words() const override { return words_; }
  const Vocabulary& answers() const override { return answers_; }
  int memory_size() const override { return 50; }
  int sentence_length() const override { return 5; }
  std::vector<int> task_ids() const override { return {1, 2}; }

 private:
  Vocabulary words_, answers_;
  std::vector<Example> train_, val_;
};

class OtherTask : public Task {
 public:
  std::string family() const override { return "sequence"; }
  std::uint64_t train_size() const override { return 0; }
};

std::unique_ptr<Model> build(const std::string& model_yaml, const Task& task) {
  Config cfg = Config::parse("seed: 0\nmodel: " + model_yaml + "\n", "hand.yaml");
  Section m = cfg.root().section("model");
  Rng rng(1, "model");
  return lookup_component(models(), m)(m, task, rng);
}

}  // namespace

TEST_CASE("memn2n and kv_memnn report loss, accuracy, errors per task and supporting facts", "[babi_models]") {
  const HandTask task(true);
  ThreadPool pool(2);
  for (const std::string yaml : {"{name: memn2n, hops: 2, dim: 8}", "{name: memn2n, encoding: attention, tying: layerwise}",
                                 "{name: kv_memnn, values: words, key_window: 2}",
                                 "{name: hierarchical_attention, dim: 8, score: scaled_dot}",
                                 "{name: lstm_reader, dim: 8, controller: {name: lstm, hidden: 8}}",
                                 "{name: ntm, dim: 8, memory: {slots: 6, width: 4}, controller: {hidden: 8}}",
                                 "{name: dnc, dim: 8, memory: {slots: 6, width: 4}, controller: {hidden: 8}}",
                                 "{name: lru_mann, dim: 8, memory: {slots: 6, width: 4}, controller: {hidden: 8}}",
                                 "{name: mann, dim: 8, addressing: [content, sharpen], memory: {slots: 6, width: 4}}",
                                 "{name: transformer_reader, dim: 8, heads: 2, layers: 1}",
                                 "{name: hopfield_reader, dim: 8, steps: 2}", "{name: hebbian_reader, dim: 8}",
                                 "{name: entnet, dim: 8, blocks: 4}", "{name: attention_sum, dim: 8, encoder: {hidden: 8}}"}) {
    INFO(yaml);
    const auto model = build(yaml, task);
    model->set_training(false);
    const Metrics m = model->evaluate("val", pool);
    for (const char* key : {"loss", "accuracy", "error", "error/task_1", "error/task_2"}) CHECK(m.count(key) == 1);
    // readers with attention over sentences say how often it finds the supporting fact
    const bool attends = yaml.find("ntm") == std::string::npos && yaml.find("dnc") == std::string::npos &&
                         yaml.find("lru") == std::string::npos && yaml.find("mann") == std::string::npos &&
                         yaml.find("lstm") == std::string::npos && yaml.find("entnet") == std::string::npos;
    CHECK(m.count("supporting_fact") == (attends ? 1u : 0u));
    CHECK(m.at("accuracy") + m.at("error") == Approx(1.0));
    CHECK(m.at("error") == Approx((m.at("error/task_1") + m.at("error/task_2")) / 2));  // 5 questions each
    if (attends) {
      CHECK(m.at("supporting_fact") >= 0.0);
      CHECK(m.at("supporting_fact") <= 1.0);
    }
    // a training loss is a [1 x 1] Var with a gradient
    model->set_training(true);
    Rng rng(2, "loss");
    const Var<float> l = model->loss(3, rng);
    CHECK(l.rows() == 1);
    CHECK(l.requires_grad());
  }
  // without supporting facts the share is undefined, so not reported
  const HandTask bare(false);
  CHECK(build("{name: memn2n}", bare)->evaluate("val", pool).count("supporting_fact") == 0);
}

TEST_CASE("loss_sum over a group of questions is the sum of their losses, for every story model", "[babi_models]") {
  const HandTask task(true);
  for (const std::string yaml : {"{name: memn2n, hops: 2, dim: 8, random_noise: 0.3, examples_per_graph: 5}",
                                 "{name: kv_memnn, values: words}", "{name: hierarchical_attention, dim: 8}",
                                 "{name: ntm, dim: 8, memory: {slots: 6, width: 4}, controller: {hidden: 8}}",
                                 "{name: transformer_reader, dim: 8}", "{name: hopfield_reader, dim: 8}",
                                 "{name: hebbian_reader, dim: 8}", "{name: lstm_reader, dim: 8}",
                                 "{name: entnet, dim: 8, blocks: 4}", "{name: attention_sum, dim: 8}"}) {
    INFO(yaml);
    const auto model = build(yaml, task);
    model->set_training(true);
    const std::vector<std::uint64_t> ids{4, 0, 17, 4, 9};
    const Rng root(5, "group");
    std::vector<Rng> rngs;
    for (size_t i = 0; i < ids.size(); ++i) rngs.push_back(root.child(i));
    const double group = model->loss_sum(ids, rngs).item();
    double each = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      Rng r = root.child(i);  // the same stream: the same noise memories
      each += model->loss(ids[i], r).item();
    }
    CHECK(group == Approx(each).epsilon(1e-5));
  }
  CHECK(build("{name: memn2n, examples_per_graph: 5}", task)->examples_per_graph() == 5);
  CHECK(build("{name: memn2n}", task)->examples_per_graph() == 16);
  CHECK(build("{name: kv_memnn}", task)->examples_per_graph() == 1);
}

TEST_CASE("linear start is on for the first linear_start_epochs epochs (begin_step)", "[babi_models]") {
  const HandTask task(true);
  const auto model = build("{name: memn2n, hops: 1, linear_start_epochs: 2, init_stddev: 0.5}", task);
  const auto row_sums = [&] {
    const MatF a = model->inspect().at("val_attention_hop1");
    return a.rowwise().sum().eval();
  };
  model->begin_step(0, 0);
  CHECK(!row_sums().isApproxToConstant(1.0f, 1e-3f));  // raw scores
  model->begin_step(57, 1);
  CHECK(!row_sums().isApproxToConstant(1.0f, 1e-3f));
  model->begin_step(58, 2);
  CHECK(row_sums().isApproxToConstant(1.0f, 1e-4f));   // softmax weights
}

TEST_CASE("inspect gives per-hop attention over the first val questions and their supporting facts", "[babi_models]") {
  const HandTask task(true);
  const auto maps = build("{name: memn2n, hops: 3}", task)->inspect();
  REQUIRE(maps.size() == 4);
  const MatF& sup = maps.at("val_supporting");
  CHECK(sup.rows() == 10);  // all 10 val questions (fewer than 32)
  CHECK(sup.cols() == 3);
  CHECK(sup.rowwise().sum().isApproxToConstant(1.0f));
  for (int h = 1; h <= 3; ++h) {
    const MatF& a = maps.at("val_attention_hop" + std::to_string(h));
    CHECK(a.rows() == 10);
    CHECK(a.rowwise().sum().isApproxToConstant(1.0f, 1e-4f));
  }
}

TEST_CASE("bAbI model configs are validated with the key and the file", "[babi_models]") {
  const HandTask task(true);
  CHECK_THROWS_WITH(build("{name: memn2n, encoding: lstm}", task), Catch::Contains("model.encoding"));
  CHECK_THROWS_WITH(build("{name: memn2n, attention_score: nope}", task), Catch::Contains("model.attention_score"));
  CHECK_THROWS_WITH(build("{name: memn2n, encoding: attention, score: {name: mlp, hiden: 3}}", task),
                    Catch::Contains("model.score") && Catch::Contains("hiden"));
  CHECK_THROWS_WITH(build("{name: memn2n, hopz: 2}", task), Catch::Contains("did you mean model.hops"));
  CHECK_THROWS_WITH(build("{name: kv_memnn, encoding: attention}", task), Catch::Contains("model.encoding"));
  CHECK_THROWS_WITH(build("{name: memn2n, memory_size: 0}", task), Catch::Contains("model.memory_size"));
  CHECK_THROWS_WITH(build("{name: memn2n, memory_slots: -1}", task), Catch::Contains("model.memory_slots"));
  CHECK_THROWS_WITH(build("{name: memn2n, random_noise_mode: drop}", task), Catch::Contains("model.random_noise_mode"));
  CHECK_THROWS_WITH(build("{name: memn2n, position_length: longest}", task), Catch::Contains("model.position_length"));
  CHECK_THROWS_WITH(build("{name: memn2n, position_length: 0}", task), Catch::Contains("model.position_length"));
  CHECK(build("{name: memn2n, position_length: task}", task)->num_parameters() == build("{name: memn2n}", task)->num_parameters());
  // a window longer than the task's stories holds the whole story: the model is built for the task's 50
  CHECK(build("{name: memn2n, memory_size: 51}", task)->num_parameters() == build("{name: memn2n}", task)->num_parameters());
  CHECK_THROWS_WITH(build("{name: transformer_reader, dim: 8, heads: 3}", task), Catch::Contains("model.heads") && Catch::Contains("divide"));
  CHECK_THROWS_WITH(build("{name: hopfield_reader, beta: 0}", task), Catch::Contains("model.beta"));
  CHECK_THROWS_WITH(build("{name: hebbian_reader, decay: 1}", task), Catch::Contains("model.decay"));
  CHECK_THROWS_WITH(build("{name: lstm_reader, encoding: attention}", task), Catch::Contains("model.encoding"));
  CHECK_THROWS_WITH(build("{name: ntm, memory: {slotz: 4}}", task), Catch::Contains("slotz"));
  CHECK_THROWS_WITH(build("{name: dnc, addressing: [nope]}", task), Catch::Contains("model.addressing"));
  const OtherTask other;
  CHECK_THROWS_WITH(build("{name: kv_memnn}", other), Catch::Contains("needs a babi task"));
  CHECK_THROWS_WITH(build("{name: hopfield_reader}", other), Catch::Contains("needs a babi task"));
  CHECK_THROWS_WITH(build("{name: ntm}", other), Catch::Contains("needs a bit_sequence or babi task"));
}

TEST_CASE("a score is a name or a mapping with options, the old attention_score key still works, with a warning",
          "[babi_models]") {
  const HandTask task(true);
  Config cfg = Config::parse("seed: 0\nmodel: {name: memn2n, encoding: attention, attention_score: mlp}\n", "old.yaml");
  Section m = cfg.root().section("model");
  Rng rng(1, "model");
  (void)lookup_component(models(), m)(m, task, rng);
  m.finish();
  REQUIRE(cfg.warnings().size() == 1);
  CHECK(cfg.warnings()[0] == "old.yaml:2: model.attention_score is deprecated; use model.score");
  CHECK_NOTHROW(build("{name: memn2n, encoding: attention, score: {name: mlp, hidden: 3}}", task));
  CHECK_NOTHROW(build("{name: hierarchical_attention, dim: 6, score: {name: mlp, hidden: 3}}", task));
}

TEST_CASE("hierarchical_attention reads a story through attention::HierarchicalAttention", "[babi_models]") {
  const HandTask task(true);
  const auto model = build("{name: hierarchical_attention, dim: 6}", task);
  // its parameters are the embedding, the hierarchy (word projection and both poolings) and the output
  std::vector<std::string> names;
  for (const auto& [name, p] : model->named_parameters()) names.push_back(name);
  CHECK(std::find(names.begin(), names.end(), "net.han.word_pool.query") != names.end());
  CHECK(std::find(names.begin(), names.end(), "net.han.sentence_pool.query") != names.end());
  // one attention map over the story's sentences, summing to 1
  const auto maps = model->inspect();
  const MatF& a = maps.at("val_attention_hop1");
  for (Index i = 0; i < a.rows(); ++i) CHECK(a.row(i).sum() == Approx(1.0f));
  CHECK_THROWS_WITH(build("{name: hierarchical_attention, score: dott}", task),
                    Catch::Contains("model.score") && Catch::Contains("dot"));
}

TEST_CASE("a curriculum shortens training stories in its epochs only, for every story model", "[babi_models]") {
  HandTask plain(true), cur(true);
  cur.set_curriculum(StoryCurriculum{2, 1});  // epochs 0, 1: 1 and 2 of the 3 sentences
  for (const std::string m : {"{name: memn2n, hops: 1, init_stddev: 0.5}", "{name: hopfield_reader, dim: 8}",
                              "{name: lstm_reader, dim: 8, controller: {hidden: 8}}"}) {
    INFO(m);
    const auto a = build(m, plain), b = build(m, cur);
    const auto loss = [](Model& model, std::uint64_t epoch) {
      model.begin_step(epoch * 10, epoch);
      double sum = 0;
      for (std::uint64_t id = 0; id < 30; ++id) {
        Rng r(7, "q");
        sum += double(model.loss(id, r).value()(0, 0));
      }
      return sum;
    };
    const double full = loss(*a, 0);
    CHECK(loss(*b, 0) != full);      // shortened stories
    CHECK(loss(*b, 1) != full);
    CHECK(loss(*b, 2) == full);      // whole stories from the curriculum's last epoch on
    CHECK(loss(*a, 1) == full);      // without a curriculum every epoch reads whole stories
  }
}
