// The registered models ntm, dnc, lru_mann and mann (experiments/models/mann.cpp and its presets,
// memory/presets.h): the config keys and their file:line errors, inspect(), `engram list
// addressing | controllers | models`, and the NTM learning copy end to end.
#include "core/ops.h"
#include "core/optim.h"
#include "core/parallel.h"
#include "experiments/cli.h"
#include "experiments/runner.h"
#include "experiments/tasks/algorithmic/bit_sequence.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>

using namespace engram;

namespace {

// The config "seed: 0 / task: <task> / model: <model>" as mann.yaml, built.
experiments::Built build(const std::string& model_yaml,
                         const std::string& task_yaml = "{name: copy, min_length: 1, max_length: 3, eval_lengths: [6], val_size: 8, eval_size: 4}") {
  experiments::Config cfg = experiments::Config::parse("seed: 0\ntask: " + task_yaml + "\nmodel:\n" + model_yaml, "mann.yaml");
  experiments::Built b = experiments::build_problem(cfg);
  cfg.root().section("model").finish();
  return b;
}

std::string build_error(const std::string& model_yaml) {
  try {
    build(model_yaml);
  } catch (const experiments::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("ntm, dnc, lru_mann and mann build their presets from the same keys", "[experiments][mann][config]") {
  using experiments::Built;
  SECTION("ntm: interface 2(W + 6) + 2W, controller input bits + 1 + W") {
    const Built b = build("  name: ntm\n  controller: {name: lstm, hidden: 8}\n  memory: {slots: 16, width: 5}\n");
    // LSTM [(9 + 5 + 8) x 32] + [32]; interface [8 x 32] + [32]; out [(8 + 5) x 8] + [8]
    const Index interface = 2 * (5 + 6) + 2 * 5;
    CHECK(b.model->num_parameters() == (9 + 5 + 8) * 32 + 32 + 8 * interface + interface + 13 * 8 + 8);
  }
  SECTION("the aliases are mann with a preset; addressing and write options apply to every head") {
    const Built a = build("  name: dnc\n  controller: {hidden: 8}\n  memory: {slots: 8, width: 4, read_heads: 2}\n");
    const Built b = build("  name: mann\n  preset: dnc\n  controller: {hidden: 8}\n  memory: {slots: 8, width: 4, read_heads: 2}\n");
    CHECK(a.model->num_parameters() == b.model->num_parameters());
    const Built lru = build("  name: lru_mann\n  controller: {hidden: 8}\n  memory: {slots: 8, width: 4}\n");
    // LRU interface: read key W + beta 1, write alpha 1
    CHECK(lru.model->num_parameters() == (9 + 4 + 8) * 32 + 32 + 8 * 6 + 6 + 12 * 8 + 8);
    const Built c = build("  name: mann\n  addressing: [content]\n  write: {erase: none}\n  controller: {hidden: 8}\n"
                          "  memory: {slots: 8, width: 4}\n");
    // read key + beta, write key + beta + add
    CHECK(c.model->num_parameters() == (9 + 4 + 8) * 32 + 32 + 8 * 14 + 14 + 12 * 8 + 8);
    const Built d = build("  name: ntm\n  read_addressing: [{name: topk, k: 2}, {name: shift, range: 2}]\n"
                          "  write_addressing: [hopfield]\n  controller: {hidden: 8}\n  memory: {slots: 8, width: 4}\n");
    // read: key 4 + beta 1 + shift 5; write: key 4 + erase 4 + add 4
    CHECK(d.model->num_parameters() == (9 + 4 + 8) * 32 + 32 + 8 * 22 + 22 + 12 * 8 + 8);
    const Built e = build("  name: ntm\n  memory: {slots: 8, width: 4, shift_range: 3}\n  controller: {hidden: 8}\n");
    // shift kernel 7 per head
    CHECK(e.model->num_parameters() == (9 + 4 + 8) * 32 + 32 + 8 * 36 + 36 + 12 * 8 + 8);
  }
  SECTION("inspect adds the weightings of validation episode 0 over time") {
    const Built b = build("  name: dnc\n  controller: {hidden: 8}\n  memory: {slots: 8, width: 4, write_heads: 2}\n");
    const auto shown = b.model->inspect();
    REQUIRE(shown.count("val0_read_weights") == 1);
    REQUIRE(shown.count("val0_write_weights1") == 1);
    REQUIRE(shown.count("val0_usage") == 1);
    const Index T = shown.at("val0_input").rows();
    CHECK(shown.at("val0_read_weights").rows() == T);
    CHECK(shown.at("val0_read_weights").cols() == 8);
    CHECK(shown.at("val0_output").rows() == T);
    CHECK(build("  name: lru_mann\n  memory: {slots: 8, width: 4}\n  controller: {hidden: 4}\n").model->inspect().count(
              "val0_lru_usage") == 1);
  }
}

TEST_CASE("bad mann configs are errors naming the key and file:line", "[experiments][mann][config][errors]") {
  CHECK_THAT(build_error("  name: ntm\n  preset: dnc\n"), Catch::Contains("mann.yaml:5: model.preset must be one of ntm"));
  CHECK_THAT(build_error("  name: mann\n  preset: lstm\n"), Catch::Contains("mann.yaml:5: model.preset") &&
                                                                 Catch::Contains("ntm, dnc, lru"));
  CHECK_THAT(build_error("  name: ntm\n  memory: {slots: 0}\n"),
             Catch::Contains("mann.yaml:5: model.memory.slots") && Catch::Contains("got 0"));
  CHECK_THAT(build_error("  name: ntm\n  memory: {slotz: 8}\n"),
             Catch::Contains("mann.yaml:5") && Catch::Contains("slotz") && Catch::Contains("slots"));
  CHECK_THAT(build_error("  name: ntm\n  memory:\n    read_heads: 0\n"), Catch::Contains("mann.yaml:6: model.memory.read_heads"));
  CHECK_THAT(build_error("  name: ntm\n  addressing: [content, interpolat]\n"),
             Catch::Contains("mann.yaml:5: model.addressing") && Catch::Contains("interpolat") &&
                 Catch::Contains("interpolate"));
  CHECK_THAT(build_error("  name: ntm\n  addressing: [shift, content]\n"),
             Catch::Contains("mann.yaml:5: model.addressing is not a valid pipeline"));
  CHECK_THAT(build_error("  name: ntm\n  addressing: []\n"), Catch::Contains("mann.yaml:5: model.addressing"));
  CHECK_THAT(build_error("  name: ntm\n  addressing: [content, {name: shift, range: 2}]\n"), !Catch::Contains("mann.yaml"));
  CHECK_THAT(build_error("  name: ntm\n  addressing: [content, [shift]]\n"),
             Catch::Contains("mann.yaml:5: model.addressing[1] must be a name or a mapping"));
  CHECK_THAT(build_error("  name: ntm\n  read_addressing:\n    - {name: topk,\n       k: 0}\n"),
             Catch::Contains("mann.yaml:7: model.read_addressing[0].k"));
  CHECK_THAT(build_error("  name: ntm\n  read_addressing:\n    - {name: topkk}\n"),
             Catch::Contains("mann.yaml:6: model.read_addressing[0].name") && Catch::Contains("topk"));
  CHECK_THAT(build_error("  name: ntm\n  write:\n    erase: sometimes\n"), Catch::Contains("mann.yaml:6: model.write.erase"));
  CHECK_THAT(build_error("  name: ntm\n  write:\n    add: read_key\n  read_addressing: [lru]\n  memory: {width: 4}\n"),
             Catch::Contains("mann.yaml:5: model") && Catch::Contains("has no key"));
  CHECK_THAT(build_error("  name: ntm\n  controller: {name: lstm, hiden: 3}\n"),
             Catch::Contains("mann.yaml:5") && Catch::Contains("hiden"));
  CHECK_THAT(build_error("  name: ntm\n  adressing: [content]\n"),
             Catch::Contains("mann.yaml:5: unknown key model.adressing (did you mean model.addressing?)"));
  CHECK_THAT(build_error("  name: ntm\n"), !Catch::Contains("mann.yaml"));  // (no error)
}

TEST_CASE("engram list shows the addressing stages, the controllers and the models", "[experiments][mann][cli]") {
  const auto list = [](std::string kind) {
    std::string prog = "engram", cmd = "list";
    std::vector<char*> argv{prog.data(), cmd.data(), kind.data()};
    std::ostringstream out, err;
    CHECK(experiments::cli_main(3, argv.data(), out, err) == 0);
    return out.str();
  };
  CHECK_THAT(list("addressing"), Catch::Contains("content ") && Catch::Contains("temporal ") && Catch::Contains("lru "));
  CHECK_THAT(list("controllers"), Catch::Contains("lstm ") && Catch::Contains("feedforward "));
  CHECK_THAT(list("models"), Catch::Contains("ntm ") && Catch::Contains("dnc ") && Catch::Contains("lru_mann ") &&
                                 Catch::Contains("mann "));
}

TEST_CASE("an NTM learns copy at lengths 1..3 in a few seconds", "[experiments][mann][train]") {
  const auto t0 = std::chrono::steady_clock::now();
  experiments::Built b = build(R"(  name: ntm
  controller: {name: lstm, hidden: 32}
  memory: {slots: 16, width: 8}
)", "{name: copy, min_length: 1, max_length: 3, eval_lengths: [6], val_size: 64, eval_size: 32}");
  experiments::Model& model = *b.model;
  ThreadPool pool(2);
  const experiments::Metrics before = model.evaluate("val", pool);
  const ParameterList<float> params = model.named_parameters();
  Adam<float> opt(params, AdamOptions{3e-3});
  const std::uint64_t batch = 16;
  experiments::Metrics after = before;
  std::uint64_t step = 0;
  for (; step < 2000 && after.at("bits_per_seq") >= 0.1; ++step) {
    opt.zero_grad();
    accumulate_gradients<float>(pool, params, static_cast<Index>(batch), [&](Index i) {
      Rng rng(0, "unused");
      return scale(model.loss(step * batch + static_cast<std::uint64_t>(i), rng), 1.0f / float(batch));
    });
    clip_grad_norm(params, 10.0);
    opt.step();
    if (step % 50 == 49) after = model.evaluate("val", pool);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO("ntm on copy 1..3: val bits/seq " << before.at("bits_per_seq") << " -> " << after.at("bits_per_seq") << " after "
                                         << step << " steps of " << batch << " (" << seconds << " s)");
  CHECK(after.at("bits_per_seq") < 0.1);
}
