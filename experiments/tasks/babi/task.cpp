// The `babi` task: bAbI files (or generated stories) as encoded train/val/test splits. Config
// keys: see babi.h.
#include "experiments/tasks/babi/babi.h"
#include "experiments/tasks/babi/generator.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <stdexcept>

namespace engram::experiments::babi {

namespace fs = std::filesystem;

BabiTask::BabiTask(int memory_size, double val_fraction, const Rng& rng, ValSplit val_split)
    : memory_size_(memory_size), val_fraction_(val_fraction), val_split_(val_split), rng_(rng) {
  require(memory_size >= 1, "BabiTask", "memory_size must be >= 1, got " + std::to_string(memory_size));
  require(val_fraction > 0 && val_fraction < 1, "BabiTask", "val_fraction must be in (0, 1), got " + num_str(val_fraction));
  words_.add("<nil>");
}

void BabiTask::keep(Example e, std::vector<Example>& into) {
  for (const auto& s : e.story) sentence_length_ = std::max(sentence_length_, static_cast<int>(s.size()));
  sentence_length_ = std::max(sentence_length_, static_cast<int>(e.query.size()));
  into.push_back(std::move(e));
}

void BabiTask::add(int task, const std::vector<Question>& train, const std::vector<Question>* test) {
  require(task >= 1, "BabiTask::add", "task must be >= 1, got " + std::to_string(task));
  require(std::find(tasks_.begin(), tasks_.end(), task) == tasks_.end(), "BabiTask::add",
          "task " + std::to_string(task) + " was already added");
  require(tasks_.empty() || (test != nullptr) == has_test_, "BabiTask::add",
          "task " + std::to_string(task) + (test ? " has" : " has no") + " test questions, unlike the tasks added before");
  require(train.size() >= 2, "BabiTask::add",
          "task " + std::to_string(task) + " needs at least 2 training questions (train and val), got " + std::to_string(train.size()));
  tasks_.push_back(task);
  has_test_ = test != nullptr;
  const auto val = val_split_ == ValSplit::last
                       ? last_story_indices(train, val_fraction_)
                       : validation_indices(train.size(), val_fraction_, rng_.child("babi-val").child(static_cast<std::uint64_t>(task)));
  std::size_t next_val = 0;
  for (std::size_t i = 0; i < train.size(); ++i) {
    Example e = encode(train[i], memory_size_, words_, answers_);
    e.task = task;
    const bool is_val = next_val < val.size() && val[next_val] == i;
    if (is_val) ++next_val;
    keep(std::move(e), is_val ? val_ : train_);
  }
  if (test)
    for (const auto& q : *test) {
      Example e = encode(q, memory_size_, words_, answers_);
      e.task = task;
      keep(std::move(e), test_);
    }
}

std::vector<std::string> BabiTask::eval_splits() const {
  if (!has_test_) return {"val"};
  return {"val", "test"};
}

const std::vector<Example>& BabiTask::split(const std::string& name) const {
  if (name == "train") return train_;
  if (name == "val") return val_;
  if (name == "test" && has_test_) return test_;
  throw std::invalid_argument("babi: unknown split '" + name + "'; splits: train, " +
                              (has_test_ ? std::string("val, test") : std::string("val (no test files were given)")));
}

namespace {

std::string join_ints(const std::vector<int>& v, const std::string& sep = ", ") {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : sep) + std::to_string(x);
  return s;
}

// The `task` value: 1..20, "all" (= `all`), or a list of numbers.
std::vector<int> read_tasks(Section& cfg, const std::string& key, const std::vector<int>& all, const std::vector<int>& allowed) {
  const std::vector<std::string> items = cfg.strings(key, {"1"});
  std::vector<int> out;
  for (const auto& it : items) {
    if (it == "all" && items.size() == 1) return all;
    int n = 0;
    try {
      std::size_t used = 0;
      n = std::stoi(it, &used);
      if (used != it.size()) n = 0;
    } catch (const std::exception&) {
      n = 0;
    }
    if (std::find(allowed.begin(), allowed.end(), n) == allowed.end())
      cfg.fail(key, "must be a task number (" + join_ints(allowed, " ") + "), a list of them, or all; got '" + it + "'");
    if (std::find(out.begin(), out.end(), n) != out.end()) cfg.fail(key, "lists task " + it + " twice");
    out.push_back(n);
  }
  if (out.empty()) cfg.fail(key, "must name at least one task");
  return out;
}

// data.generate: {task, stories, test_stories, statements, questions, actors, objects, places,
// path_length, distractors, distance: natural | uniform}: generated stories of each task, with a test set when asked.
void add_generated(BabiTask& task, Section& cfg, Section& data, const Rng& rng) {
  if (data.has("dir") || data.has("test_dir")) data.fail("generate", "cannot be combined with data.dir or data.test_dir: give one");
  Section g = data.section("generate");
  if (g.has("task") && cfg.has("task"))
    g.fail("task", "and " + cfg.path() + ".task both name the tasks (" + cfg.source("task") + "): give one");
  Section& where = g.has("task") ? g : cfg;
  const std::vector<int> tasks = read_tasks(where, "task", generated_tasks(), generated_tasks());
  const int stories = static_cast<int>(g.integer("stories", 1000, 2, 100000000));
  const int test_stories = static_cast<int>(g.integer("test_stories", 0, 0, 100000000));
  const auto opt_int = [&](const char* key) -> std::optional<int> {
    if (!g.has(key)) return std::nullopt;
    return static_cast<int>(g.integer(key, 0, -1000000000, 1000000000));
  };
  const auto statements = opt_int("statements"), questions = opt_int("questions"), actors = opt_int("actors"),
             objects = opt_int("objects"), places = opt_int("places"), path_length = opt_int("path_length");
  const std::optional<double> distractors = g.has("distractors") ? std::optional(g.number("distractors", 0)) : std::nullopt;
  const bool uniform = g.choice("distance", "natural", {"natural", "uniform"}) == "uniform";
  g.finish();
  data.finish();
  cfg.finish();
  for (int t : tasks) {
    GeneratorOptions o = default_options(t);
    o.stories = stories;
    if (statements) o.statements = *statements;
    if (questions) o.questions = *questions;
    if (actors) o.actors = *actors;
    if (objects) o.objects = *objects;
    if (places) o.places = *places;
    if (path_length) o.path_length = *path_length;
    if (distractors) o.distractors = *distractors;
    o.uniform_distance = uniform;
    const Rng stream = rng.child("babi-generate").child(static_cast<std::uint64_t>(t));
    const std::string name = "qa" + std::to_string(t) + "_generated_";
    std::vector<Question> train, test;
    with_config_errors(g, [&] {
      validate(t, o);
      Rng r = stream.child("train");
      train = read_text(generate(t, o, r), name + "train.txt", t);
      if (test_stories > 0) {
        GeneratorOptions to = o;
        to.stories = test_stories;
        Rng rt = stream.child("test");
        test = read_text(generate(t, to, rt), name + "test.txt", t);
      }
      return 0;
    });
    task.add(t, train, test_stories > 0 ? &test : nullptr);
  }
}

// The training (and test) file of each task in data.dir (and data.test_dir), all found before
// any is read, so that a missing one is reported at once.
struct TaskFiles {
  std::vector<std::string> train, test;  // per task; test "" when there is none
};

TaskFiles find_task_files(Section& cfg, Section& data, const std::vector<int>& tasks, const std::string& dir,
                          const std::string& test_dir) {
  const auto find = [&](const std::string& key, const std::string& d, int t, const std::string& split) {
    try {
      return find_task_file(d, t, split);
    } catch (const std::invalid_argument& e) {
      data.fail(key, e.what());
    }
  };
  TaskFiles files;
  std::vector<int> with_test, without_test;
  for (int t : tasks) {
    const std::string f = find("dir", dir, t, "train");
    if (f.empty()) {
      std::string hint;
      if (tasks.size() > 1) {
        std::vector<int> present;
        for (int u : tasks)
          if (!find("dir", dir, u, "train").empty()) present.push_back(u);
        hint = "; to train on the others, list them: " + cfg.path() + ".task: [" + join_ints(present) + "]";
      }
      data.fail("dir", "'" + dir + "' has no training file qa" + std::to_string(t) + "_*_train.txt for task " +
                           std::to_string(t) + hint);
    }
    files.train.push_back(f);
    const std::string tf = find(test_dir.empty() ? "dir" : "test_dir", test_dir.empty() ? dir : test_dir, t, "test");
    if (tf.empty() && !test_dir.empty())
      data.fail("test_dir", "'" + test_dir + "' has no test file qa" + std::to_string(t) + "_*_test.txt for task " + std::to_string(t));
    (tf.empty() ? without_test : with_test).push_back(t);
    files.test.push_back(tf);
  }
  if (!with_test.empty() && !without_test.empty())
    data.fail("dir", "'" + dir + "' has test files for tasks " + join_ints(with_test) + " but not for tasks " +
                         join_ints(without_test) + ": give all or none (or data.test_dir)");
  return files;
}

// data.dir (and data.test_dir): the v1.2 files of each task.
void add_from_files(BabiTask& task, Section& cfg, Section& data) {
  std::vector<int> all20(20);
  for (int i = 0; i < 20; ++i) all20[static_cast<std::size_t>(i)] = i + 1;
  const std::vector<int> tasks = read_tasks(cfg, "task", all20, all20);
  const std::string dir = data.path_value("dir", "");
  const std::string test_dir = data.path_value("test_dir", "");
  data.finish();
  cfg.finish();
  if (dir.empty()) data.fail("dir", "is required: the folder of the qaN_*_train.txt files (or data.generate: {...})");
  if (!fs::is_directory(dir)) data.fail("dir", "'" + dir + "' is not a directory");
  if (!test_dir.empty() && !fs::is_directory(test_dir)) data.fail("test_dir", "'" + test_dir + "' is not a directory");
  const TaskFiles files = find_task_files(cfg, data, tasks, dir, test_dir);
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const int t = tasks[i];
    const auto train = read_file(files.train[i], t);
    if (train.size() < 2) data.fail("dir", files.train[i] + " has " + std::to_string(train.size()) + " questions, expected at least 2");
    if (files.test[i].empty()) {
      task.add(t, train);
    } else {
      const auto test = read_file(files.test[i], t);
      task.add(t, train, &test);
    }
  }
}

std::unique_ptr<Task> make_babi(Section& cfg, const Rng& rng) {
  const StoryCurriculum curriculum = read_curriculum(cfg);
  const int memory = static_cast<int>(cfg.integer("memory_size", 50, 1, 100000));
  const double val_fraction = cfg.number("val_fraction", 0.1, 0.0, 1.0);
  if (!(val_fraction > 0 && val_fraction < 1)) cfg.fail("val_fraction", "must be in (0, 1), got " + num_str(val_fraction));
  const ValSplit val_split = cfg.choice("val_split", "random", {"random", "last"}) == "last" ? ValSplit::last : ValSplit::random;
  Section data = cfg.section("data");
  auto task = std::make_unique<BabiTask>(memory, val_fraction, rng, val_split);
  if (data.has("generate")) add_generated(*task, cfg, data, rng);
  else add_from_files(*task, cfg, data);
  task->set_curriculum(curriculum);
  return task;
}

}  // namespace

int StoryCurriculum::length(std::uint64_t epoch, int n) const {
  if (epoch >= epochs || n <= start) return n;
  const auto grown = static_cast<std::uint64_t>(n - start) * epoch / epochs;
  return start + static_cast<int>(grown);
}

StoryCurriculum read_curriculum(Section& task_cfg) {
  StoryCurriculum c;
  if (!task_cfg.has("curriculum")) return c;
  Section s = task_cfg.section("curriculum");
  c.epochs = static_cast<std::uint64_t>(s.integer("epochs", 1, 1, 1000000));
  c.start = static_cast<int>(s.integer("start", 1, 1, 1000000));
  s.finish();
  return c;
}

Example shorten_story(const Example& e, int keep, Rng rng) {
  const int n = static_cast<int>(e.story.size());
  if (keep >= n) return e;
  std::vector<char> kept(static_cast<size_t>(n), 0);
  for (int s : e.supporting) kept[static_cast<size_t>(s)] = 1;
  std::vector<int> others;
  for (int i = 0; i < n; ++i)
    if (!kept[static_cast<size_t>(i)]) others.push_back(i);
  const int supports = n - static_cast<int>(others.size());
  const int extra = std::max(0, keep - supports);
  for (int i = 0; i < extra; ++i) {  // partial Fisher-Yates: a uniform choice of `extra` others
    std::swap(others[static_cast<size_t>(i)], others[static_cast<size_t>(i) + rng.below(others.size() - static_cast<size_t>(i))]);
    kept[static_cast<size_t>(others[static_cast<size_t>(i)])] = 1;
  }
  Example out;
  out.query = e.query;
  out.answer = e.answer;
  out.task = e.task;
  std::vector<int> index(static_cast<size_t>(n), -1);
  for (int i = 0; i < n; ++i)
    if (kept[static_cast<size_t>(i)]) {
      index[static_cast<size_t>(i)] = static_cast<int>(out.story.size());
      out.story.push_back(e.story[static_cast<size_t>(i)]);
    }
  for (int s : e.supporting) out.supporting.push_back(index[static_cast<size_t>(s)]);
  return out;
}

ENGRAM_REGISTER(tasks(), "babi",
                "bAbI question answering (Weston et al. 2015): v1.2 files from data.dir, or generated stories (data.generate)",
                make_babi);

}  // namespace engram::experiments::babi
