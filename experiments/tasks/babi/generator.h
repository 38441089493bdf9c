// engram/experiments/tasks/babi/generator.h — bAbI-style stories generated from a seed, in the
// v1.2 file format (babi.h's read_text / read_file read them back), for the tasks
//   1  single supporting fact   "Where is Mary?"                          kitchen   (last move)
//   2  two supporting facts     "Where is the football?"                  garden    (grab/drop + carrier's move)
//   3  three supporting facts   "Where was the football before the office?" hallway (possession + 2 moves)
//   6  yes/no questions         "Is Mary in the garden?"                  no        (last move)
//   7  counting                  "How many objects is Mary carrying?"      two       (her grabs and drops)
//   8  lists/sets               "What is Mary carrying?"                  apple,milk / nothing (same)
//  19  path finding             "How do you go from the kitchen to the garden?"  s,e  (the map sentences of the path)
//
// The world: actors move between places ("Mary went to the kitchen."), pick up objects lying where
// they are or not yet placed ("John took the milk there."; an actor must have moved somewhere first)
// and drop them ("John dropped the milk."); a carried object is where its carrier is. Answers are
// read off this simulated state, so they are correct by construction:
//   2: the carrier's place (or where it was dropped); supporting = the object's last grab/drop and
//      the carrier's move that put it there.
//   3: the object's places in order (consecutive places differ); "before the X" names its current
//      place X and asks where it was before it last came to X (as in bAbI, X may have been visited
//      earlier too); supporting = the object's last grab/drop and the statements that brought it to
//      X and to the answer.
//   7, 8: the objects held (8: in the order they were picked up, "nothing" when none); supporting =
//      every grab and drop by that actor so far.
//  19: a map of rooms on a grid ("The kitchen is north of the hallway."; directions are consistent);
//      questions only for room pairs whose shortest path (Boost.Graph BFS) is unique and has
//      path_length steps; the answer is its directions "n,e", supporting = its map sentences in order.
// Questions are spread evenly over a story's statements (tasks 1 and 6 with uniform_distance: all
// at the end, see GeneratorOptions); a question that cannot be asked yet (e.g.
// no object has two places for task 3) waits for the next statement, and a story is extended with
// relevant statements until all its questions are asked.
//
// Distractors: a share of the statements that no question depends on. Tasks 1-8: moves of
// distractor_names() (never asked about, never carrying anything); task 19: map sentences among
// distractor_places(), a separate part of the map that no asked path can use. Each story has
// round(distractors * statements) of them, at random positions.
//
// Same options and same Rng state: the same text, byte for byte.
#pragma once

#include "core/rng.h"

#include <string>
#include <vector>

namespace engram::experiments::babi {

struct GeneratorOptions {
  int stories = 1000;       // stories in the text
  int statements = 10;      // statements per story, distractors included (more when extended)
  int questions = 5;        // questions per story
  int actors = 4;           // people asked about: the first `actors` of actor_names() (1..12)
  int objects = 3;          // objects (tasks 2 3 7 8): the first `objects` of object_names() (1..8)
  int places = 6;           // places: the first `places` of place_names() (2..8; task 19: rooms drawn from them)
  double distractors = 0;   // share of distractor statements per story, in [0, 0.9]
  int path_length = 2;      // task 19: steps of every asked shortest path (1..places-1)
  // Tasks 1 and 6: where the supporting facts lie. false (bAbI's way): questions spread over
  // the story, so the asked actor's last move is usually a few statements back. true: every
  // question comes after the last statement and asks about an actor whose last move is at a
  // position drawn uniformly over the story (distinct per question; questions <= actors - 1), so
  // the distance from question to supporting fact is uniform in 1..statements and a reader with
  // a memory window of w sentences can only be right by chance on the share 1 - w / statements.
  bool uniform_distance = false;
};

// The tasks generate() knows: 1 2 3 6 7 8 19.
const std::vector<int>& generated_tasks();
// bAbI-like defaults for `task`: statements 10 (task 2: 15, 3: 30, 7 and 8: 12, 19: 5),
// questions 5 (19: 1), the rest as in GeneratorOptions. Throws for other tasks.
GeneratorOptions default_options(int task);
// Throws std::invalid_argument "<key>: must be ..., got ..." (key = the option's name, e.g.
// "actors", as the config and the command line spell it) for an unknown task or a bad option.
void validate(int task, const GeneratorOptions& o);

// The text of a task file: o.stories stories, each line "ID text" or
// "ID question? \tanswer\tsupporting ids" (the space before the tab as in the bAbI files).
std::string generate(int task, const GeneratorOptions& o, Rng& rng);

// Writes <dir>/qa<task>_generated_train.txt (o.stories stories, from rng.child("train")) and, when
// test_stories > 0, <dir>/qa<task>_generated_test.txt (from rng.child("test")); creates `dir`.
// Returns the paths written. The `babi` task with data.generate makes the same texts in memory
// from the stream Rng(seed, "task").child("babi-generate").child(task).
std::vector<std::string> write_files(const std::string& dir, int task, const GeneratorOptions& o,
                                     int test_stories, const Rng& rng);

// `engram babi-generate`: options as given on the command line, -1 = the task's default.
struct GenerateRequest {
  std::vector<std::string> tasks;  // numbers or "all"
  std::string out;
  std::uint64_t seed = 0;
  int stories = -1, test_stories = 0, statements = -1, questions = -1, actors = -1, objects = -1,
      places = -1, path_length = -1;
  double distractors = -1;
  std::string distance = "natural";  // natural | uniform (GeneratorOptions::uniform_distance)
};
// Writes the files of every requested task; returns their paths. A bad request throws
// ConfigError ("babi-generate: task 1: --actors: must be ...").
std::vector<std::string> run_generate(const GenerateRequest& r);

// Name pools (sentences write actors and distractor names capitalised, as bAbI does).
const std::vector<std::string>& actor_names();        // Mary, John, Sandra, Daniel, ...
const std::vector<std::string>& distractor_names();   // Bill, Fred, ...: distractor statements only
const std::vector<std::string>& object_names();       // football, apple, milk, ...
const std::vector<std::string>& place_names();        // kitchen, garden, hallway, ...
const std::vector<std::string>& distractor_places();  // cellar, attic, ...: task 19 distractors only

}  // namespace engram::experiments::babi
