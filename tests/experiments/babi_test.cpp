// bAbI: the v1.2 reader (inline files and, when present, the real data), the `babi` task's
// config, splits and vocabulary, and the generator, whose answers are recomputed here by an
// independent simulation of each story (and an independent BFS for task 19).
#include "experiments/cli.h"
#include "experiments/tasks/babi/babi.h"
#include "experiments/tasks/babi/generator.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace engram;
using namespace engram::experiments;
using namespace engram::experiments::babi;
namespace fs = std::filesystem;

namespace {

struct TempDir : engram::test::TempDir {
  TempDir() : engram::test::TempDir("engram-babi") {}
};
using engram::test::slurp;

// The data folder: $ENGRAM_BABI_DIR, else ../shared/data/babi next to the repository.
fs::path babi_dir() {
  if (const char* env = std::getenv("ENGRAM_BABI_DIR")) return env;
  return (fs::path(__FILE__).parent_path() / "../../../shared/data/babi").lexically_normal();
}

// The `babi` task of a config written as <dir>/babi.yaml (relative paths are relative to dir).
std::unique_ptr<Task> build(const TempDir& d, const std::string& yaml) {
  const std::string p = d.write("babi.yaml", yaml);
  Config cfg = Config::load(p);
  Section s = cfg.section("task");
  return lookup_component(tasks(), s)(s, Rng(cfg.seed(), "task"));
}

// The ConfigError message of building that config ("no error" when it builds).
std::string build_error(const TempDir& d, const std::string& yaml) {
  try {
    build(d, yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

const StoryTask& story_task(const std::unique_ptr<Task>& t) {
  auto* s = dynamic_cast<const StoryTask*>(t.get());
  REQUIRE(s != nullptr);
  return *s;
}

std::string words_of(const std::vector<std::string>& ws) {
  std::string s;
  for (const auto& w : ws) s += (s.empty() ? "" : " ") + w;
  return s;
}

std::string decode(const std::vector<int>& ids, const Vocabulary& v) {
  std::string s;
  for (int i : ids) s += (s.empty() ? "" : " ") + v.word(i);
  return s;
}

}  // namespace

// ---- reader ------------------------------------------------------------------------------

TEST_CASE("tokenize: lower case, '.' and '?' dropped, other punctuation split off", "[babi]") {
  CHECK(tokenize("Where is Mary? ") == std::vector<std::string>{"where", "is", "mary"});
  CHECK(tokenize("The kitchen is north of the hallway.") ==
        std::vector<std::string>{"the", "kitchen", "is", "north", "of", "the", "hallway"});
  CHECK(tokenize("Hello, World! Mary's x-ray") == std::vector<std::string>{"hello", ",", "world", "!", "mary's", "x-ray"});
}

TEST_CASE("reader: stories restart at id 1, supporting ids become story indices, multi-word answers", "[babi]") {
  TempDir d;
  const std::string path = d.write("qa8_lists-sets_train.txt",
                                   "1 Mary moved to the bathroom.\n"
                                   "2 John went to the hallway.\n"
                                   "3 Where is Mary? \tbathroom\t1\n"
                                   "4 Daniel went back to the hallway.\n"
                                   "5 Sandra moved to the garden.\n"
                                   "6 Where is Daniel? \thallway\t4\n"
                                   "1 The office is east of the hallway.\n"
                                   "2 The kitchen is north of the office.\n"
                                   "3 How do you go from the kitchen to the hallway?\ts,w\t2 1\r\n"
                                   "4 Mary picked up the apple.\n"
                                   "5 Mary got the milk there.\n"
                                   "\n"
                                   "6 What is Mary carrying?\tapple,milk\t4 5\n");
  const auto qs = read_file(path);
  REQUIRE(qs.size() == 4);
  CHECK(qs[0].task == 8);  // from the file name
  CHECK(qs[0].source == path + ":3");
  REQUIRE(qs[0].story.size() == 2);
  CHECK(words_of(qs[0].story[0]) == "mary moved to the bathroom");
  CHECK(words_of(qs[0].question) == "where is mary");
  CHECK(qs[0].answer == "bathroom");
  CHECK(qs[0].supporting == std::vector<int>{0});
  // the question at line 3 is not part of the story: line 4 is story index 2
  REQUIRE(qs[1].story.size() == 4);
  CHECK(words_of(qs[1].story[2]) == "daniel went back to the hallway");
  CHECK(qs[1].supporting == std::vector<int>{2});
  // a new story
  REQUIRE(qs[2].story.size() == 2);
  CHECK(words_of(qs[2].story[0]) == "the office is east of the hallway");
  CHECK(qs[2].answer == "s,w");
  CHECK(qs[2].supporting == std::vector<int>{1, 0});
  CHECK(qs[3].story.size() == 4);
  CHECK(qs[3].answer == "apple,milk");
  CHECK(qs[3].supporting == std::vector<int>{2, 3});
  CHECK(qs[3].source == path + ":13");  // the blank line counts
  CHECK(read_file(path, 5)[0].task == 5);
  CHECK(task_of_file("/a/qa12_conjunction_train.txt") == 12);
  CHECK(task_of_file("/a/story.txt") == 0);
}

TEST_CASE("reader: a malformed line names file:line and what was expected", "[babi]") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"1 Mary went to the kitchen.\nx Where is Mary?\tkitchen\t1\n",
       "t.txt:2: expected a line id (a positive integer) followed by a space at the start of the line, got 'x'"},
      {"1 Mary went to the kitchen.\n2 Where is Mary?\tkitchen\n",
       "t.txt:2: expected 3 tab-separated fields (question, answer, supporting fact ids), got 2"},
      {"1 Mary went to the kitchen.\n2 Where is Mary?\tkitchen\t1\textra\n",
       "t.txt:2: expected 3 tab-separated fields (question, answer, supporting fact ids), got 4"},
      {"1 Mary went to the kitchen.\n2 Where is Mary? \t \t1\n", "t.txt:2: expected an answer in the second tab-separated field"},
      {"1 Mary went to the kitchen.\n2 What is Mary carrying?\tapple,\t1\n",
       "t.txt:2: expected comma-separated answer words, got 'apple,'"},
      {"1 Mary went to the kitchen.\n2 Where is Mary?\tkitchen\t\n",
       "t.txt:2: expected at least one supporting fact id in the third field"},
      {"1 Mary went to the kitchen.\n2 Where is Mary?\tkitchen\tone\n",
       "t.txt:2: expected supporting fact ids (positive integers) in the third field, got 'one'"},
      {"1 Mary went to the kitchen.\n2 John went to the garden.\n2 Where is Mary?\tkitchen\t1\n",
       "t.txt:3: line id 2 after id 2: expected ids to increase within a story, or 1 to start a new story"},
      {"3 Mary went to the kitchen.\n", "t.txt:1: expected id 1 at the start of a story (the first line of the file), got 3"},
      {"1 Mary went to the kitchen.\n\n2 Where is Mary?\tkitchen\t4\n",
       "t.txt:3: supporting fact 4 is not a statement of this story before line id 2"},
      {"1 Mary went to the kitchen.\n2 Where is Mary?\tkitchen\t1\n3 Where is Mary?\tkitchen\t2\n",
       "t.txt:3: supporting fact 2 is a question: expected the id of a statement"},
      {"1 A went to the kitchen.\n2 B went to the garden.\n3 C went to the office.\n4 Where is C?\toffice\t3\n"
       "1 D went to the hallway.\n2 Where is C?\toffice\t3\n",
       "t.txt:6: supporting fact 3 is not a statement of this story before line id 2"},
      {"1 Mary went to the kitchen.\n2 Where is Mary?\n",
       "t.txt:2: expected a question line 'ID question?<TAB>answer<TAB>supporting ids', found no tab"},
      {"1 Mary went to the kitchen.\n2 .\n", "t.txt:2: expected the words of a statement after the line id"},
      {"1\n", "t.txt:1: expected a space and text after the line id 1"},
      {"1 Mary went to the kitchen.\n2 ?\tkitchen\t1\n", "t.txt:2: expected the words of a question before the first tab"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    REQUIRE_THROWS_AS(read_text(text, "t.txt"), std::invalid_argument);
    REQUIRE_THROWS_WITH(read_text(text, "t.txt"), message);
  }
  REQUIRE_THROWS_WITH(read_file("/nonexistent/qa1_x_train.txt"), "/nonexistent/qa1_x_train.txt: cannot open the file");
}

TEST_CASE("encode: memory_size keeps the last sentences and remaps or drops supporting facts", "[babi]") {
  const auto qs = read_text(
      "1 Mary went to the kitchen.\n2 John went to the garden.\n3 Mary went to the office.\n"
      "4 Sandra went to the hallway.\n5 Where is Mary?\toffice\t3 1\n6 Where is Sandra?\thallway\t4\n",
      "t.txt", 1);
  Vocabulary words, answers;
  words.add("<nil>");
  const Example full = encode(qs[0], 50, words, answers);
  CHECK(full.story.size() == 4);
  CHECK(full.supporting == std::vector<int>{2, 0});
  const Example cut = encode(qs[0], 2, words, answers);
  REQUIRE(cut.story.size() == 2);
  CHECK(decode(cut.story[0], words) == "mary went to the office");
  CHECK(decode(cut.story[1], words) == "sandra went to the hallway");
  CHECK(cut.supporting == std::vector<int>{0});  // fact 1 (story index 0) was cut
  CHECK(decode(cut.query, words) == "where is mary");
  CHECK(answers.word(cut.answer) == "office");
  CHECK(cut.task == 1);
  CHECK(encode(qs[1], 1, words, answers).supporting == std::vector<int>{0});
  CHECK(words.id("<nil>") == 0);
  CHECK(words.id("unseen") == -1);
}

TEST_CASE("babi task from files: splits, vocabulary, memory_size, seeded 10% validation per file", "[babi]") {
  TempDir d;
  GeneratorOptions o1 = default_options(1);
  o1.stories = 40;  // 200 questions
  GeneratorOptions o19 = default_options(19);
  o19.stories = 150;  // 150 questions
  write_files(d.path.string(), 1, o1, 4, Rng(1, "files"));
  write_files(d.path.string(), 19, o19, 10, Rng(1, "files"));
  const auto config = [](int seed, const std::string& extra = "") {
    return "seed: " + std::to_string(seed) + "\ntask:\n  name: babi\n  data: {dir: .}\n  task: [1, 19]\n" + extra;
  };
  const auto t = build(d, config(7));
  const StoryTask& s = story_task(t);
  CHECK(s.family() == "babi");
  CHECK(s.task_ids() == std::vector<int>{1, 19});
  CHECK(s.eval_splits() == std::vector<std::string>{"val", "test"});
  CHECK(s.split("val").size() == 20 + 15);
  CHECK(s.split("train").size() == 180 + 135);
  CHECK(s.train_size() == 315);
  CHECK(s.split("test").size() == 20 + 10);
  std::map<int, int> val_per_task;
  for (const auto& e : s.split("val")) ++val_per_task[e.task];
  CHECK(val_per_task == std::map<int, int>{{1, 20}, {19, 15}});
  CHECK(s.memory_size() == 50);
  CHECK(s.words().word(0) == "<nil>");
  CHECK(s.sentence_length() == 10);  // "how do you go from the kitchen to the garden"
  CHECK(s.answers().id("n,e") >= 0);
  CHECK_THROWS_WITH(s.split("dev"), Catch::Contains("unknown split 'dev'"));

  // same seed: same split; another seed: another one
  const auto key = [](const StoryTask& st) {
    std::vector<std::vector<int>> out;
    for (const auto& e : st.split("val")) {
      out.push_back(e.query);
      for (const auto& sent : e.story) out.back().insert(out.back().end(), sent.begin(), sent.end());
    }
    return out;
  };
  CHECK(key(story_task(build(d, config(7)))) == key(s));
  CHECK(key(story_task(build(d, config(8)))) != key(s));

  // memory_size cuts stories and remaps supporting facts (task 1 stories have 10 statements)
  const auto small = build(d, config(7, "  memory_size: 3\n  val_fraction: 0.5\n"));
  const StoryTask& m = story_task(small);
  CHECK(m.memory_size() == 3);
  CHECK(m.split("val").size() == 100 + 75);
  int dropped = 0;
  for (const auto& e : m.split("train")) {
    CHECK(e.story.size() <= 3);
    for (int i : e.supporting) CHECK((i >= 0 && i < static_cast<int>(e.story.size())));
    dropped += e.supporting.empty();
  }
  CHECK(dropped > 0);  // some answers were said more than 3 sentences before the question
}

TEST_CASE("last_story_indices: whole stories at the file's end, moved to a story boundary", "[babi]") {
  // stories of 3, 2, 4 and 1 questions: ordinals 0 0 0 1 1 2 2 2 2 3
  const std::string text =
      "1 a b.\n2 q?\tx\t1\n3 q?\tx\t1\n4 q?\tx\t1\n"
      "1 a b.\n2 q?\tx\t1\n3 q?\tx\t1\n"
      "1 a b.\n2 q?\tx\t1\n3 q?\tx\t1\n4 q?\tx\t1\n5 q?\tx\t1\n"
      "1 a b.\n2 q?\tx\t1\n";
  const auto qs = read_text(text, "t.txt");
  REQUIRE(qs.size() == 10);
  std::vector<int> ordinals;
  for (const auto& q : qs) ordinals.push_back(q.story_index);
  CHECK(ordinals == std::vector<int>{0, 0, 0, 1, 1, 2, 2, 2, 2, 3});
  using V = std::vector<std::size_t>;
  CHECK(last_story_indices(qs, 0.1) == V{9});                  // one question: the last story
  CHECK(last_story_indices(qs, 0.2) == V{9});                  // starts mid-story 2: moved forward
  CHECK(last_story_indices(qs, 0.5) == V{5, 6, 7, 8, 9});      // starts at a boundary: kept
  CHECK(last_story_indices(qs, 0.6) == V{5, 6, 7, 8, 9});      // question 4 is mid-story 1
  CHECK(last_story_indices(qs, 0.75) == V{3, 4, 5, 6, 7, 8, 9});
  // the last story alone is longer than the share asked for: held out whole, moving backward
  const auto two = read_text("1 a.\n2 q?\tx\t1\n1 a.\n2 q?\tx\t1\n3 q?\tx\t1\n4 q?\tx\t1\n", "u.txt");
  CHECK(last_story_indices(two, 0.25) == V{1, 2, 3});
  const auto one = read_text("1 a.\n2 q?\tx\t1\n3 q?\tx\t1\n", "one.txt");
  CHECK_THROWS_WITH(last_story_indices(one, 0.5), Catch::Contains("one.txt:2 on) are one story"));
}

TEST_CASE("babi task: val_split last holds out the last stories of each file, the same for every seed", "[babi]") {
  TempDir d;
  GeneratorOptions o1 = default_options(1);
  o1.stories = 40;  // 5 questions per story
  write_files(d.path.string(), 1, o1, 0, Rng(1, "files"));
  const auto config = [](int seed, const std::string& split) {
    return "seed: " + std::to_string(seed) + "\ntask:\n  name: babi\n  data: {dir: .}\n  val_split: " + split + "\n";
  };
  const auto qs = read_file(find_task_file(d.path.string(), 1, "train"), 1);
  REQUIRE(qs.size() == 200);
  const auto key = [](const Example& e) {
    std::vector<int> k = e.query;
    for (const auto& sent : e.story) k.insert(k.end(), sent.begin(), sent.end());
    return k;
  };
  const auto t7 = build(d, config(7, "last"));
  const StoryTask& s = story_task(t7);
  REQUIRE(s.split("val").size() == 20);  // the last 4 stories
  REQUIRE(s.split("train").size() == 180);
  // the held-out questions are the file's last 20, in order, and begin a story
  CHECK(qs[180].story_index != qs[179].story_index);
  for (std::size_t i = 0; i < 20; ++i)
    CHECK(decode(s.split("val")[i].query, s.words()) == words_of(qs[180 + i].question));
  // the same for every seed
  const auto t8 = build(d, config(8, "last"));
  for (std::size_t i = 0; i < 20; ++i) CHECK(key(story_task(t8).split("val")[i]) == key(s.split("val")[i]));
  CHECK_THAT(build_error(d, config(7, "end")),
             Catch::Contains("task.val_split must be one of random, last"));
}

TEST_CASE("babi task: config errors name the key's file:line", "[babi]") {
  TempDir d;
  GeneratorOptions o = default_options(1);
  o.stories = 5;
  write_files(d.path.string(), 1, o, 0, Rng(1, "f"));
  write_files(d.path.string(), 19, default_options(19), 0, Rng(1, "f"));
  const std::string yaml = d.path.string() + "/babi.yaml";
  const std::string here = (d.path / ".").lexically_normal().string();  // data.dir: . as the config resolves it
  const auto error = [&](const std::string& text) { return build_error(d, text); };
  CHECK(error("seed: 1\ntask:\n  name: babi\n  data: {dir: nowhere}\n") ==
        yaml + ":4: task.data.dir '" + (d.path / "nowhere").string() + "' is not a directory");
  CHECK(error("seed: 1\ntask:\n  name: babi\n  data:\n    dir: .\n  task: [1, 3, 19]\n") ==
        yaml + ":5: task.data.dir '" + here +
            "' has no training file qa3_*_train.txt for task 3; to train on the others, list them: task.task: [1, 19]");
  CHECK(error("seed: 1\ntask:\n  name: babi\n  data:\n    dir: .\n  task: 21\n") ==
        yaml + ":6: task.task must be a task number (1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20), a list of them, "
               "or all; got '21'");
  CHECK(error("seed: 1\ntask:\n  name: babi\n  data: {}\n") ==
        yaml + ":4: task.data.dir is required: the folder of the qaN_*_train.txt files (or data.generate: {...})");
  CHECK(error("seed: 1\ntask:\n  name: babi\n  data:\n    dir: .\n    test_dir: .\n") ==
        yaml + ":6: task.data.test_dir '" + here + "' has no test file qa1_*_test.txt for task 1");
  CHECK(error("seed: 1\ntask:\n  name: babi\n  data:\n    generate:\n      actors: 40\n") ==
        yaml + ":6: task.data.generate.actors: must be in [1, 12], got 40");
  CHECK(error("seed: 1\ntask:\n  name: babi\n  data:\n    generate: {task: 4}\n") ==
        yaml + ":5: task.data.generate.task must be a task number (1 2 3 6 7 8 19), a list of them, or all; got '4'");
  CHECK_THAT(error("seed: 1\ntask:\n  name: babi\n  data:\n    generate: {stroies: 4}\n"),
             Catch::StartsWith(yaml + ":5: unknown key task.data.generate.stroies (did you mean task.data.generate.stories?)"));
  CHECK_THAT(error("seed: 1\ntask:\n  name: babi\n  val_fraction: 0\n  data: {dir: .}\n"),
             Catch::StartsWith(yaml + ":4: task.val_fraction must be in (0, 1)"));
  CHECK_THAT(error("seed: 1\ntask:\n  name: babi\n  data: {dir: ., generate: {}}\n"),
             Catch::Contains("cannot be combined with data.dir"));
}

TEST_CASE("babi task from data.generate: no files needed, same text as engram babi-generate", "[babi]") {
  TempDir d;
  const auto t = build(d,
                       "seed: 3\ntask:\n  name: babi\n  task: [1, 19]\n"
                       "  data: {generate: {stories: 40, test_stories: 10, distractors: 0.2}}\n");
  const StoryTask& s = story_task(t);
  CHECK(s.task_ids() == std::vector<int>{1, 19});
  CHECK(s.split("train").size() + s.split("val").size() == 40 * 5 + 40);
  CHECK(s.split("val").size() == 20 + 4);
  CHECK(s.split("test").size() == 10 * 5 + 10);

  // the command writes the same text for the same seed
  std::vector<std::string> args{"engram", "babi-generate", "--task", "1",  "--task",        "19",  "--stories",
                                "40",     "--test-stories", "10",   "--seed", "3", "--distractors", "0.2", "--out",
                                (d.path / "gen").string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  REQUIRE(cli_main(static_cast<int>(argv.size()), argv.data(), out, err) == 0);
  const auto t2 = build(d, "seed: 3\ntask:\n  name: babi\n  task: [1, 19]\n  data: {dir: gen}\n");
  const StoryTask& f = story_task(t2);
  for (const std::string split : {"train", "val", "test"}) {
    REQUIRE(f.split(split).size() == s.split(split).size());
    for (std::size_t i = 0; i < f.split(split).size(); ++i) {
      CHECK(decode(f.split(split)[i].query, f.words()) == decode(s.split(split)[i].query, s.words()));
      CHECK(f.answers().word(f.split(split)[i].answer) == s.answers().word(s.split(split)[i].answer));
    }
  }
  GeneratorOptions o = default_options(1);
  o.stories = 40;
  o.distractors = 0.2;
  Rng r = Rng(3, "task").child("babi-generate").child(1).child("train");
  CHECK(slurp((d.path / "gen" / "qa1_generated_train.txt").string()) == generate(1, o, r));

  // bad requests exit with status 2 and say which option
  const auto run = [&](std::vector<std::string> a) {
    std::vector<char*> v;
    for (auto& x : a) v.push_back(x.data());
    std::ostringstream o2, e2;
    const int code = cli_main(static_cast<int>(v.size()), v.data(), o2, e2);
    return std::pair{code, e2.str()};
  };
  const std::string gen = (d.path / "bad").string();
  CHECK(run({"engram", "babi-generate", "--task", "5", "--out", gen}) ==
        std::pair{2, std::string("engram: babi-generate: --task: expected one of 1 2 3 6 7 8 19 or all, got '5'\n")});
  CHECK(run({"engram", "babi-generate", "--task", "1", "--actors", "40", "--out", gen}) ==
        std::pair{2, std::string("engram: babi-generate: task 1: --actors: must be in [1, 12], got 40\n")});
  CHECK(run({"engram", "babi-generate", "--task", "19", "--path-length", "9", "--out", gen}) ==
        std::pair{2, std::string("engram: babi-generate: task 19: --path-length: must be in [1, 5], got 9\n")});
  CHECK(run({"engram", "babi-generate", "--task", "1", "--distance", "far", "--out", gen}) ==
        std::pair{2, std::string("engram: babi-generate: --distance: expected natural or uniform, got 'far'\n")});
  CHECK(run({"engram", "babi-generate", "--task", "2", "--distance", "uniform", "--out", gen}).second ==
        "engram: babi-generate: task 2: --distance: uniform is made for tasks 1 and 6 (the asked actor's last move), got task 2\n");
  // --distance uniform writes what the config's distance: uniform generates
  REQUIRE(run({"engram", "babi-generate", "--task", "1", "--distance", "uniform", "--questions", "3", "--stories", "20",
               "--seed", "4", "--out", (d.path / "far").string()}).first == 0);
  GeneratorOptions u = default_options(1);
  u.stories = 20;
  u.questions = 3;
  u.uniform_distance = true;
  Rng ru = Rng(4, "task").child("babi-generate").child(1).child("train");
  CHECK(slurp((d.path / "far" / "qa1_generated_train.txt").string()) == generate(1, u, ru));
}

// ---- the real data, when present ---------------------------------------------------------

TEST_CASE("reader: the bAbI v1.2 1k training files (skipped without the data)", "[babi]") {
  const fs::path en = babi_dir() / "en";
  if (!fs::is_directory(en)) {
    WARN("no bAbI data at " << en.string() << " (set ENGRAM_BABI_DIR): skipped");
    return;
  }
  // statements before a question: the most in each task (counted separately from the files)
  const std::map<int, std::size_t> longest{{1, 10}, {2, 56}, {3, 224}, {4, 2},  {5, 102}, {6, 26},  {7, 34},
                                           {8, 46}, {9, 10}, {10, 10}, {11, 10}, {12, 10}, {13, 10}, {14, 14},
                                           {15, 8}, {16, 9}, {17, 2},  {18, 15}, {19, 5},  {20, 12}};
  for (int t = 1; t <= 20; ++t) {
    INFO("task " << t);
    const std::string f = find_task_file(en.string(), t, "train");
    REQUIRE(!f.empty());
    const auto qs = read_file(f);
    REQUIRE(qs.size() == 1000);
    std::size_t most = 0;
    for (const auto& q : qs) {
      CHECK(q.task == t);
      most = std::max(most, q.story.size());
      for (int i : q.supporting) REQUIRE((i >= 0 && i < static_cast<int>(q.story.size())));
      if (t <= 3) CHECK(q.supporting.size() == static_cast<std::size_t>(t));
      if (t == 19) CHECK((q.answer.size() == 3 && q.answer[1] == ','));
    }
    CHECK(most == longest.at(t));
  }
  // joint training on all 20: 10% of each file held out; vocabulary counted separately
  TempDir d;
  const auto all = build(d, "seed: 1\ntask:\n  name: babi\n  task: all\n  data: {dir: " + en.string() + "}\n");
  const StoryTask& s = story_task(all);
  CHECK(s.split("train").size() == 18000);
  CHECK(s.split("val").size() == 2000);
  std::map<int, int> val_per_task;
  for (const auto& e : s.split("val")) ++val_per_task[e.task];
  for (int t = 1; t <= 20; ++t) CHECK(val_per_task[t] == 100);
  CHECK(s.words().size() == 146);  // 145 words + <nil>
  CHECK(s.answers().size() == 57);
  CHECK(s.sentence_length() == 11);
  for (const auto& e : s.split("train")) REQUIRE(e.story.size() <= 50);

  const fs::path en10k = babi_dir() / "en-10k";
  if (fs::is_directory(en10k)) {  // task 3's 10k training file is not there: say which file is missing
    try {
      build(d, "seed: 1\ntask:\n  name: babi\n  task: all\n  data: {dir: " + en10k.string() + "}\n");
      FAIL("expected a ConfigError");
    } catch (const ConfigError& e) {
      CHECK_THAT(e.what(), Catch::Contains("has no training file qa3_*_train.txt for task 3; to train on the others, "
                                           "list them: task.task: [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, "
                                           "17, 18, 19, 20]"));
    }
  }
}

// ---- the generator, checked by an independent simulation -----------------------------------

namespace {

const std::set<std::string> kMoves{"moved to", "went to", "journeyed to", "travelled to", "went back to"};
const std::set<std::string> kGrabs{"got", "took", "picked up", "grabbed"};
const std::set<std::string> kDrops{"dropped", "left", "discarded", "put down"};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The world after the statements of one story, replayed from the words alone.
struct Replay {
  std::map<std::string, std::string> at;                // actor -> place
  std::map<std::string, int> moved;                     // actor -> index of the last move
  std::map<std::string, std::string> holder, lies;      // object -> actor carrying it / place where it lies
  std::map<std::string, std::vector<std::string>> carrying;
  std::map<std::string, std::vector<int>> acts;         // actor -> indices of grabs and drops
  std::map<std::string, int> touched;                   // object -> index of its last grab or drop
  std::map<std::string, int> fixed_by;                  // object -> the dropper's move at the drop
  std::map<std::string, std::vector<std::pair<std::string, int>>> trail;  // object -> (place, index that brought it)
  std::map<std::string, std::set<std::string>> held_by; // object -> everyone who carried it

  explicit Replay(const std::vector<std::vector<std::string>>& story) {
    for (int i = 0; i < static_cast<int>(story.size()); ++i) step(story[static_cast<std::size_t>(i)], i);
  }

  void step(const std::vector<std::string>& w, int i) {
    INFO("statement: " << words_of(w));
    REQUIRE(w.size() >= 3);
    const std::string who = w[0];
    const auto the = std::find(w.begin() + 1, w.end(), "the");
    REQUIRE(the != w.end());
    REQUIRE(the + 1 != w.end());
    const std::string verb = words_of(std::vector<std::string>(w.begin() + 1, the));
    const std::string what = *(the + 1);
    if (kMoves.count(verb)) {
      REQUIRE(the + 2 == w.end());
      at[who] = what;
      moved[who] = i;
      for (const auto& o : carrying[who]) trail[o].emplace_back(what, i);
    } else if (kGrabs.count(verb)) {
      REQUIRE(holder[what].empty());
      REQUIRE(at.count(who));  // an actor is somewhere before picking things up
      if (trail[what].empty()) trail[what].emplace_back(at[who], moved[who]);
      else REQUIRE(lies[what] == at[who]);  // it lies where the actor is
      holder[what] = who;
      carrying[who].push_back(what);
      acts[who].push_back(i);
      touched[what] = i;
      held_by[what].insert(who);
    } else if (kDrops.count(verb)) {
      REQUIRE(holder[what] == who);
      holder[what].clear();
      lies[what] = at[who];
      auto& c = carrying[who];
      c.erase(std::find(c.begin(), c.end(), what));
      acts[who].push_back(i);
      touched[what] = i;
      fixed_by[what] = moved[who];
    } else {
      FAIL("not a statement of tasks 1-8");
    }
  }
  std::string place_of(const std::string& object) {
    return holder[object].empty() ? lies[object] : at[holder[object]];
  }
};

const std::vector<std::string> kCountWords{"none", "one", "two", "three", "four", "five", "six", "seven", "eight"};

std::set<int> as_set(const std::vector<int>& v) { return {v.begin(), v.end()}; }

bool mentions(const std::vector<std::string>& sentence, const std::string& w) {
  return std::find(sentence.begin(), sentence.end(), w) != sentence.end();
}

// Checks one question of tasks 1-8 against the replayed story.
void check_actor_task(int task, const Question& q) {
  INFO(q.source << ": " << words_of(q.question) << " -> " << q.answer);
  Replay r(q.story);
  const auto& w = q.question;
  std::string entity;
  std::set<int> support;
  switch (task) {
    case 1:
      REQUIRE(w.size() == 3);
      entity = w[2];
      CHECK(q.answer == r.at.at(entity));
      support = {r.moved.at(entity)};
      break;
    case 6:
      REQUIRE(w.size() == 5);
      entity = w[1];
      CHECK(q.answer == (r.at.at(entity) == w[4] ? "yes" : "no"));
      support = {r.moved.at(entity)};
      break;
    case 2:
      REQUIRE(w.size() == 4);
      entity = w[3];
      CHECK(q.answer == r.place_of(entity));
      support = {r.touched.at(entity), r.holder[entity].empty() ? r.fixed_by.at(entity) : r.moved.at(r.holder[entity])};
      break;
    case 3: {
      REQUIRE(w.size() == 7);
      entity = w[3];
      const auto& trail = r.trail[entity];
      REQUIRE(trail.size() >= 2);
      CHECK(w[6] == r.place_of(entity));  // "before the X": X is where it is now
      CHECK(trail.back().first == w[6]);
      CHECK(q.answer == trail[trail.size() - 2].first);
      support = {r.touched.at(entity), trail.back().second, trail[trail.size() - 2].second};
      break;
    }
    case 7:
    case 8: {
      entity = task == 7 ? w[4] : w[2];
      const auto& c = r.carrying[entity];
      std::string list;
      for (const auto& o : c) list += (list.empty() ? "" : ",") + o;
      CHECK(q.answer == (task == 7 ? kCountWords.at(c.size()) : (list.empty() ? "nothing" : list)));
      support = as_set(r.acts.at(entity));
      break;
    }
    default:
      FAIL("task");
  }
  CHECK(as_set(q.supporting) == support);
  CHECK(q.supporting.size() == support.size());
  for (int s : q.supporting) {
    const auto& sentence = q.story[static_cast<std::size_t>(s)];
    bool ok = mentions(sentence, entity);
    for (const auto& a : r.held_by[entity]) ok = ok || sentence[0] == a;
    CHECK(ok);
  }
}

const std::map<std::string, std::pair<int, int>> kStep{{"north", {0, 1}}, {"east", {1, 0}}, {"south", {0, -1}}, {"west", {-1, 0}}};

// Task 19: the map from "the A is DIR of the B", a BFS written here, the unique shortest path.
void check_path_task(const Question& q, int path_length) {
  INFO(q.source << ": " << words_of(q.question) << " -> " << q.answer);
  struct Link {
    std::string to;
    std::pair<int, int> step;
    int sentence;
  };
  std::map<std::string, std::vector<Link>> links;
  for (int i = 0; i < static_cast<int>(q.story.size()); ++i) {
    const auto& w = q.story[static_cast<std::size_t>(i)];
    REQUIRE(w.size() == 7);
    REQUIRE((w[0] == "the" && w[2] == "is" && w[4] == "of" && w[5] == "the"));
    const auto d = kStep.at(w[3]);
    links[w[6]].push_back({w[1], d, i});                       // from B, DIR leads to A
    links[w[1]].push_back({w[6], {-d.first, -d.second}, i});  // and back
  }
  // the map is a grid: positions from one room agree along every sentence
  std::map<std::string, std::pair<int, int>> pos;
  for (const auto& [start, l] : links) {
    if (pos.count(start)) continue;
    pos[start] = {0, 1000 * static_cast<int>(pos.size())};
    std::deque<std::string> todo{start};
    while (!todo.empty()) {
      const std::string u = todo.front();
      todo.pop_front();
      for (const auto& e : links[u]) {
        const std::pair<int, int> p{pos[u].first + e.step.first, pos[u].second + e.step.second};
        if (!pos.count(e.to)) {
          pos[e.to] = p;
          todo.push_back(e.to);
        }
        CHECK(pos[e.to] == p);
      }
    }
  }
  const auto& w = q.question;
  REQUIRE(w.size() == 10);
  const std::string from = w[6], to = w[9];
  std::map<std::string, int> dist{{from, 0}};
  std::map<std::string, long> count{{from, 1}};
  std::map<std::string, const Link*> via;
  std::map<std::string, std::string> prev;
  std::deque<std::string> todo{from};
  while (!todo.empty()) {
    const std::string u = todo.front();
    todo.pop_front();
    for (const auto& e : links[u]) {
      if (!dist.count(e.to)) {
        dist[e.to] = dist[u] + 1;
        count[e.to] = 0;
        via[e.to] = &e;
        prev[e.to] = u;
        todo.push_back(e.to);
      }
      if (dist[e.to] == dist[u] + 1) count[e.to] += count[u];
    }
  }
  REQUIRE(dist.count(to));
  CHECK(dist[to] == path_length);
  CHECK(count[to] == 1);
  std::vector<std::string> dirs;
  std::vector<int> support;
  for (std::string v = to; v != from; v = prev[v]) {
    const auto s = via[v]->step;
    for (const auto& [name, d] : kStep)
      if (d == s) dirs.insert(dirs.begin(), std::string(1, name[0]));
    support.insert(support.begin(), via[v]->sentence);
  }
  std::string answer;
  for (const auto& d : dirs) answer += (answer.empty() ? "" : ",") + d;
  CHECK(q.answer == answer);
  CHECK(q.supporting == support);
}

std::vector<Question> generated(int task, const GeneratorOptions& o, std::uint64_t seed) {
  Rng r(seed, "test");
  return read_text(generate(task, o, r), "qa" + std::to_string(task) + "_generated", task);
}

}  // namespace

TEST_CASE("generator: every answer and supporting fact agrees with an independent replay", "[babi]") {
  for (int task : generated_tasks()) {
    for (double distractors : {0.0, 0.3}) {
      INFO("task " << task << ", distractors " << distractors);
      GeneratorOptions o = default_options(task);
      o.stories = task == 19 ? 300 : 60;
      o.distractors = distractors;
      const auto qs = generated(task, o, 11);
      CHECK(qs.size() == static_cast<std::size_t>(o.stories * o.questions));
      std::set<std::string> answers;
      for (const auto& q : qs) {
        answers.insert(q.answer);
        if (task == 19) check_path_task(q, o.path_length);
        else check_actor_task(task, q);
      }
      CHECK(answers.size() >= 2);  // not a constant answer
    }
  }
  // other shapes: longer paths, more actors and objects, fewer places
  GeneratorOptions p = default_options(19);
  p.stories = 100, p.statements = 8, p.places = 8, p.path_length = 3, p.questions = 2;
  for (const auto& q : generated(19, p, 2)) check_path_task(q, 3);
  for (int task : {2, 3, 7, 8}) {
    GeneratorOptions o = default_options(task);
    o.stories = 30, o.actors = 7, o.objects = 6, o.places = 3, o.questions = 8;
    for (const auto& q : generated(task, o, 5)) check_actor_task(task, q);
  }
}

TEST_CASE("generator: same seed, same text, options shape the stories, distractor share", "[babi]") {
  GeneratorOptions o = default_options(8);
  o.stories = 50;
  Rng a(4, "g"), b(4, "g"), c(5, "g");
  const std::string ta = generate(8, o, a);
  CHECK(ta == generate(8, o, b));
  CHECK(ta != generate(8, o, c));

  // stories of o.statements statements (a story is only extended while a question has to wait)
  o.statements = 12, o.questions = 3, o.stories = 100;
  const auto qs = generated(1, o, 3);
  REQUIRE(qs.size() == 300);
  std::size_t ends_at_12 = 0;
  for (std::size_t i = 2; i < qs.size(); i += 3) ends_at_12 += qs[i].story.size() == 12;
  CHECK(ends_at_12 >= 95);
  std::set<std::string> actors;
  for (const auto& q : qs) actors.insert(q.question[2]);
  CHECK(actors.size() == 4);

  // distractors: round(share * statements) per story, never asked about, never supporting
  std::set<std::string> extras, extra_rooms;
  for (const auto& n : distractor_names()) extras.insert(lower(n));
  for (const auto& n : distractor_places()) extra_rooms.insert(n);
  for (double share : {0.0, 0.25, 0.5}) {
    INFO("share " << share);
    for (int task : generated_tasks()) {
      INFO("task " << task);
      GeneratorOptions g = default_options(task);
      g.stories = 100;
      g.distractors = share;
      g.questions = 1;  // the last question sees the whole story
      g.statements = task == 19 ? 8 : 20;
      if (task == 19) g.places = 8;  // up to 8 map sentences need 8 rooms
      std::size_t total = 0, noise = 0;
      for (const auto& q : generated(task, g, 9)) {
        total += q.story.size();
        std::set<int> support(q.supporting.begin(), q.supporting.end());
        for (std::size_t i = 0; i < q.story.size(); ++i) {
          const auto& w = q.story[i];
          const bool is_noise = task == 19 ? extra_rooms.count(w[1]) > 0 : extras.count(w[0]) > 0;
          if (task == 19) CHECK(is_noise == (extra_rooms.count(w[6]) > 0));  // a separate part of the map
          noise += is_noise;
          if (is_noise) CHECK(!support.count(static_cast<int>(i)));
        }
        for (const auto& w : q.question) CHECK(!extras.count(w));
        for (const auto& w : q.question) CHECK(!extra_rooms.count(w));
      }
      const double got = double(noise) / double(total);
      CHECK(got == Approx(share).margin(0.03));
    }
  }
}

TEST_CASE("generator: distance uniform puts the supporting fact uniformly far from the question", "[babi]") {
  for (int task : {1, 6}) {
    INFO("task " << task);
    GeneratorOptions o = default_options(task);
    o.stories = 600;
    o.statements = 20;
    o.questions = 3;
    o.uniform_distance = true;
    const auto qs = generated(task, o, 3);
    REQUIRE(qs.size() == static_cast<std::size_t>(o.stories * o.questions));
    std::vector<int> hist(static_cast<std::size_t>(o.statements) + 1, 0);
    for (const auto& q : qs) {
      check_actor_task(task, q);  // answers and supporting facts agree with a replay
      REQUIRE(q.story.size() == static_cast<std::size_t>(o.statements));  // every question after the last statement
      REQUIRE(q.supporting.size() == 1);
      ++hist[q.story.size() - static_cast<std::size_t>(q.supporting[0])];  // distance 1..statements
    }
    // uniform over 1..20: 90 per distance on average; every bin within a generous band
    for (int d = 1; d <= o.statements; ++d) {
      INFO("distance " << d);
      CHECK(hist[static_cast<std::size_t>(d)] > 45);
      CHECK(hist[static_cast<std::size_t>(d)] < 140);
    }
    // the natural placement keeps supporting facts close: most within 6 statements
    GeneratorOptions n = o;
    n.uniform_distance = false;
    n.questions = 1;
    int near = 0;
    const auto nq = generated(task, n, 3);
    for (const auto& q : nq) near += q.story.size() - static_cast<std::size_t>(q.supporting[0]) <= 6;
    CHECK(near > static_cast<int>(nq.size()) * 3 / 4);
  }
  GeneratorOptions bad = default_options(2);
  bad.uniform_distance = true;
  CHECK_THROWS_WITH(validate(2, bad), Catch::StartsWith("distance: uniform is made for tasks 1 and 6"));
  GeneratorOptions many = default_options(1);
  many.uniform_distance = true;
  many.questions = 4;
  CHECK_THROWS_WITH(validate(1, many), "questions: must be in [1, 3], got 4");
}

TEST_CASE("generator: bad options name the option", "[babi]") {
  GeneratorOptions o = default_options(1);
  o.places = 1;
  CHECK_THROWS_WITH(validate(1, o), "places: must be in [2, 8], got 1");
  CHECK_THROWS_WITH(default_options(4), "task: the generator makes tasks 1 2 3 6 7 8 19, got 4");
  GeneratorOptions m = default_options(19);
  m.distractors = 0.7;
  CHECK_THROWS_WITH(validate(19, m), "statements: task 19 needs at least path_length = 2 map sentences besides the 4 distractors, got 5");
  m.distractors = 0;
  m.statements = 30;
  Rng r(1, "x");
  CHECK_THROWS_WITH(generate(19, m, r), Catch::StartsWith("statements: task 19: could not draw a map of 30 sentences over 6 places"));
}

TEST_CASE("curriculum: shortened stories keep every supporting fact, in order, and grow to the whole story", "[babi]") {
  Example e;
  for (int i = 0; i < 20; ++i) e.story.push_back({i + 1, 100 + i});
  e.supporting = {3, 17};
  e.query = {7, 8};
  e.answer = 2;
  e.task = 1;
  const Example s = shorten_story(e, 6, Rng(5, "c"));
  REQUIRE(s.story.size() == 6);
  CHECK(s.query == e.query);
  CHECK(s.answer == 2);
  CHECK(s.task == 1);
  REQUIRE(s.supporting.size() == 2);
  CHECK(s.story[static_cast<size_t>(s.supporting[0])] == e.story[3]);
  CHECK(s.story[static_cast<size_t>(s.supporting[1])] == e.story[17]);
  for (size_t i = 1; i < s.story.size(); ++i) CHECK(s.story[i][0] > s.story[i - 1][0]);  // story order kept
  // seeded: the same stream picks the same sentences, another stream (almost surely) others
  CHECK(shorten_story(e, 6, Rng(5, "c")).story == s.story);
  bool differs = false;
  for (std::uint64_t k = 0; k < 8 && !differs; ++k) differs = shorten_story(e, 6, Rng(5, "c").child(k)).story != s.story;
  CHECK(differs);
  // every other sentence is chosen about equally often (4 of 18 per draw)
  std::vector<int> picked(20, 0);
  for (std::uint64_t k = 0; k < 1800; ++k)
    for (const auto& sentence : shorten_story(e, 6, Rng(9, "u").child(k)).story) ++picked[static_cast<size_t>(sentence[0] - 1)];
  CHECK(picked[3] == 1800);
  CHECK(picked[17] == 1800);
  for (int i = 0; i < 20; ++i)
    if (i != 3 && i != 17) CHECK(std::abs(picked[static_cast<size_t>(i)] - 400) < 80);
  // the supporting facts stay even when they alone exceed `keep`; keep >= n changes nothing
  CHECK(shorten_story(e, 1, Rng(1, "c")).story.size() == 2);
  CHECK(shorten_story(e, 20, Rng(1, "c")).story == e.story);
  CHECK(shorten_story(e, 50, Rng(1, "c")).supporting == e.supporting);

  const StoryCurriculum c{10, 5};
  CHECK(c.length(0, 80) == 5);
  CHECK(c.length(5, 80) == 42);  // 5 + 75 * 5 / 10, rounded down
  CHECK(c.length(9, 80) == 72);
  CHECK(c.length(10, 80) == 80);
  CHECK(c.length(0, 3) == 3);  // never longer than the story
  CHECK(StoryCurriculum{}.length(0, 80) == 80);
}

TEST_CASE("curriculum: read from the task section of babi and kv_recall, errors at file:line", "[babi]") {
  TempDir d;
  const auto t = build(d, "seed: 3\ntask:\n  name: babi\n  data: {generate: {stories: 20}}\n  curriculum: {epochs: 12, start: 4}\n");
  CHECK(story_task(t).curriculum().epochs == 12);
  CHECK(story_task(t).curriculum().start == 4);
  const auto plain = build(d, "seed: 3\ntask:\n  name: babi\n  data: {generate: {stories: 20}}\n");
  CHECK(story_task(plain).curriculum().epochs == 0);
  const auto kv = build(d, "seed: 3\ntask: {name: kv_recall, pairs: 4, key_bits: 4, value_bits: 2, curriculum: {epochs: 3, start: 2}}\n");
  CHECK(story_task(kv).curriculum().epochs == 3);
  const std::string yaml = d.path.string() + "/babi.yaml";
  const auto error = [&](const std::string& text) { return build_error(d, text); };
  CHECK_THAT(error("seed: 1\ntask:\n  name: babi\n  data: {generate: {stories: 20}}\n  curriculum: {epochs: 0}\n"),
             Catch::StartsWith(yaml + ":5: task.curriculum.epochs must be in [1, 1000000]"));
  CHECK_THAT(error("seed: 1\ntask:\n  name: babi\n  data: {generate: {stories: 20}}\n  curriculum: {epochs: 3, strat: 2}\n"),
             Catch::StartsWith(yaml + ":5: unknown key task.curriculum.strat"));
}
