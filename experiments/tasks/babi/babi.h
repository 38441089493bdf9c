// engram/experiments/tasks/babi/babi.h — bAbI question answering (Weston et al. 2015): the
// reader of the v1.2 file format, the `babi` task, and the family interface models read.
//
//   task:
//     name: babi
//     data: {dir: ../shared/data/babi/en, test_dir: ""}   # qaN_*_train.txt (+ qaN_*_test.txt)
//     task: 1              # 1..20, or "all" for joint training
//     memory_size: 50      # keep the last 50 sentences of a story before each question
//     val_fraction: 0.1    # a seeded 10% of each training file
//
// Multi-word answers (tasks 8 and 19, "n,s") are one answer class, as in the paper.
//
// All keys of the `babi` task (experiments/tasks/babi/task.cpp):
//   data.dir         folder of qaN_*_train.txt files (and qaN_*_test.txt when present)
//   data.test_dir    folder of the qaN_*_test.txt files, when they are kept elsewhere; then every
//                    selected task must have one
//   data.generate    instead of dir: stories generated in memory by the bAbI-style generator
//                    (generator.h), for tasks 1 2 3 6 7 8 19; keys: stories (training stories per
//                    task, default 1000), test_stories (default 0: no test split), statements,
//                    questions, actors, objects, places, distractors, path_length, distance
//                    (natural | uniform: GeneratorOptions::uniform_distance) (defaults per
//                    task: default_options()), and `task` as an alternative to the outer `task`.
//                    The text is the same as `engram babi-generate --seed S` writes for seed S.
//   task             1..20 (default 1), "all", or a list [1, 2, 4]. With data.dir, "all" needs the 20 training
//                    files (en-10k has no task 3: the error names the missing file; list the tasks
//                    instead); with data.generate, "all" means the generated tasks.
//   memory_size      default 50: the last memory_size sentences of a story are kept; supporting
//                    indices are remapped and those of dropped sentences removed
//   curriculum       {epochs: E, start: S}: shortened training stories in the first E epochs
//                    (StoryCurriculum below); default none
//   val_fraction     default 0.1, in (0, 1): round(n * val_fraction) questions of EACH training
//                    file (at least 1) form the val split
//   val_split        random (default): drawn from the stream rng.child("babi-val").child(task):
//                    same seed, same split. Questions, not stories, are held out, so a val
//                    question's story may share sentences with training questions of the same
//                    story (never the val question itself).
//                    last: the file's last stories (last_story_indices): whole stories no
//                    training question reads, the same for every seed, as the authors' code holds
//                    out the end of each file (docs/babi.md, the recipe audit).
// Vocabulary: words of train, val and test (test words only index embeddings, and a model never
// meets an unknown id); answers likewise, so a test answer never seen in training is a class the
// model cannot have learned. Ids follow the order of first appearance (task order, train file,
// then test file), so they are the same for the same config.
#pragma once

#include "experiments/problem.h"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace engram::experiments::babi {

// ---- the file format, words as strings --------------------------------------------------
struct Question {
  std::vector<std::vector<std::string>> story;  // sentences before the question, oldest first
  std::vector<std::string> question;            // words, without the '?'
  std::string answer;                           // as written ("kitchen", "n,s")
  std::vector<int> supporting;                  // indices into `story`
  int task = 0;                                 // 1..20 (0 if unknown)
  int story_index = 0;                          // the story's ordinal in its file (0, 1, ...)
  std::string source;                           // "file:line" of the question
};

// Reads one file; a malformed line throws std::invalid_argument "path:line: what was expected".
// Lines are "ID text" (statements) or "ID question<TAB>answer<TAB>supporting ids"; ID 1 starts a
// new story, other ids must increase within a story; supporting ids must be statements of the
// current story before the question. Blank lines are skipped; a trailing '\r' is ignored.
// task 0: taken from a file name "qaN_..." (stays 0 for other names).
std::vector<Question> read_file(const std::string& path, int task = 0);
// The same from text in memory; `name` stands for the file in messages and in Question::source.
std::vector<Question> read_text(const std::string& text, const std::string& name, int task = 0);

// Lower-case words: letters, digits, apostrophes and hyphens make words; '.' and '?' are dropped;
// any other punctuation mark (',', '!', ...) is a word of its own. "Where is Mary?" -> where is mary
std::vector<std::string> tokenize(const std::string& text);
// N of a file name "qaN_..." (directories ignored), 0 if the name does not start that way.
int task_of_file(const std::string& path);
// The file "qa<task>_*_<split>.txt" in `dir` ("" if there is none; several throws
// std::invalid_argument naming them). split: "train" or "test".
std::string find_task_file(const std::string& dir, int task, const std::string& split);

// ---- encoded examples, what models read -------------------------------------------------
class Vocabulary {
 public:
  int add(const std::string& w);                 // id of w, adding it if new
  int id(const std::string& w) const;            // -1 if unknown
  const std::string& word(int id) const;
  int size() const { return static_cast<int>(words_.size()); }
 private:
  std::vector<std::string> words_;
  std::unordered_map<std::string, int> ids_;
};

struct Example {
  std::vector<std::vector<int>> story;  // at most memory_size sentences (the last ones), word ids
  std::vector<int> query;               // word ids
  int answer = 0;                       // id in answers()
  std::vector<int> supporting;          // indices into `story` (facts cut by memory_size dropped)
  int task = 0;                         // 1..20
};

// One question as ids: the last `memory_size` sentences of its story, words and the answer added
// to the vocabularies when new; supporting indices remapped into the kept sentences (dropped ones
// removed, order kept).
Example encode(const Question& q, int memory_size, Vocabulary& words, Vocabulary& answers);
// Indices (ascending) of the held-out share of n items: round(n * fraction), at least 1 when
// n >= 2 and fraction > 0, at most n - 1; a seeded uniform choice from `rng`.
std::vector<std::size_t> validation_indices(std::size_t n, double fraction, const Rng& rng);
// Indices (ascending) of the held-out share at the end of a file, in whole stories: the last
// round(n * fraction) questions (at least 1, at most n - 1), their start moved forward to the
// next story boundary (backward when no boundary follows), so no held-out story is also read in
// training. Throws std::invalid_argument when the questions are one story.
std::vector<std::size_t> last_story_indices(const std::vector<Question>& questions, double fraction);

// How a training file is split into train and val (`task.val_split`).
enum class ValSplit {
  random,  // a seeded uniform choice of questions (validation_indices)
  last,    // the file's last stories (last_story_indices), as the authors' code holds out its end
};

// The training curriculum of a story task (`task.curriculum: {epochs: E, start: S}`, any story
// task): in training epoch e < E each training question reads a shortened story of
// L = S + (n - S) * e / E sentences (n its length, rounded down; never more than n): every
// supporting fact and a uniform, seeded choice of the other sentences, in story order. Supporting
// facts are by definition what decides the answer, so the shortened story keeps it; validation and
// test always read whole stories, and from epoch E on training does too. A recipe for long stories
// that every reader shares (docs/compare.md): it is the distractors, not the facts, that grow.
struct StoryCurriculum {
  std::uint64_t epochs = 0;  // 0: no curriculum
  int start = 1;             // sentences at epoch 0 (at least the supporting facts)
  // The story length of a training question of n sentences in `epoch`.
  int length(std::uint64_t epoch, int n) const;
};
// Reads `curriculum` of a task section (absent: none). epochs >= 1, start >= 1; ConfigError at
// file:line otherwise.
StoryCurriculum read_curriculum(Section& task_cfg);
// e with its story cut to `keep` sentences: every supporting fact (all of them, even when they
// alone are more than `keep`) and a uniform choice of the others drawn from `rng`, in story order;
// supporting indices remapped. keep >= n returns e unchanged.
Example shorten_story(const Example& e, int keep, Rng rng);

// The family interface: models take stories from any task that provides it (the reader-backed
// `babi` task, or generated stories).
class StoryTask : public Task {
 public:
  // The training curriculum (none unless the config asks for one).
  const StoryCurriculum& curriculum() const { return curriculum_; }
  void set_curriculum(const StoryCurriculum& c) { curriculum_ = c; }
  std::string family() const override { return "babi"; }
  std::uint64_t train_size() const override { return split("train").size(); }
  // "train", "val" and, when test files were found, "test".
  virtual const std::vector<Example>& split(const std::string& name) const = 0;
  virtual const Vocabulary& words() const = 0;    // id 0 is the padding word "<nil>"
  virtual const Vocabulary& answers() const = 0;
  virtual int memory_size() const = 0;             // max sentences per story
  virtual int sentence_length() const = 0;         // max words per sentence or query
  virtual std::vector<int> task_ids() const = 0;   // the bAbI tasks present (1..20)

 private:
  StoryCurriculum curriculum_;
};

// The StoryTask of the `babi` config (files or generated stories), also usable directly:
//   BabiTask t(50, 0.1, Rng(1, "task"));
//   t.add(1, read_file(".../qa1_single-supporting-fact_train.txt"));
class BabiTask : public StoryTask {
 public:
  // memory_size >= 1; val_fraction in (0, 1); `rng` seeds the validation choice.
  BabiTask(int memory_size, double val_fraction, const Rng& rng, ValSplit val_split = ValSplit::random);
  // Adds bAbI task `task` (1..20, each at most once): `train` is split into train and val
  // (validation_indices from rng.child("babi-val").child(task), or last_story_indices); `test`, when given, goes to the
  // test split (then every added task must have one). Questions keep their file order.
  void add(int task, const std::vector<Question>& train, const std::vector<Question>* test = nullptr);

  std::vector<std::string> eval_splits() const override;  // {"val"} or {"val", "test"}
  const std::vector<Example>& split(const std::string& name) const override;  // unknown: throws
  const Vocabulary& words() const override { return words_; }
  const Vocabulary& answers() const override { return answers_; }
  int memory_size() const override { return memory_size_; }
  int sentence_length() const override { return sentence_length_; }
  std::vector<int> task_ids() const override { return tasks_; }

 private:
  void keep(Example e, std::vector<Example>& into);
  int memory_size_;
  double val_fraction_;
  ValSplit val_split_;
  Rng rng_;
  Vocabulary words_, answers_;
  std::vector<Example> train_, val_, test_;
  std::vector<int> tasks_;
  bool has_test_ = false;
  int sentence_length_ = 0;
};

}  // namespace engram::experiments::babi
