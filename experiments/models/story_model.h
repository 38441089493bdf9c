// engram/experiments/models/story_model.h — any story reader (networks/story_reader.h) as a
// trainable Model of the `babi` task family (the reader-backed `babi` task or generated stories).
// A story model's file builds its reader from its config section and hands it here:
//
//   ENGRAM_REGISTER(models(), "memn2n", "...", [](Section& cfg, const Task& task, Rng& rng) {
//     const auto& story = require_family<babi::StoryTask>(task, "memn2n", "babi");
//     ... read the section into the reader's options ...
//     return make_story_model(std::make_unique<networks::MemN2N<float>>(o, rng), story);
//   });
//
// Metrics of evaluate(split): loss, accuracy, error (= 1 - accuracy), error/task_N for every task
// of the split, error/age_q1 .. error/age_q4 (the error of the questions whose newest supporting
// fact lies in the newest .. oldest quarter of the story: retention; reported when each quarter
// has questions), and supporting_fact: the share of questions whose most attended memory at some hop
// holds a supporting fact, over the questions that have a supporting fact in memory (readers
// with attention over memories). inspect(): for the first 32 val questions,
// val_attention_hop<k> [32 x sentences] (hop k's attention summed per story sentence, oldest
// first, zero-padded) and val_supporting (1 at the supporting facts).
#pragma once

#include "experiments/problem.h"
#include "experiments/tasks/babi/babi.h"
#include "networks/recurrent_reader.h"
#include "networks/sentence_encoder.h"
#include "networks/story_encoder.h"
#include "networks/story_reader.h"

#include <memory>

namespace engram::experiments::babi {

std::unique_ptr<Model> make_story_model(std::unique_ptr<networks::StoryReader<float>> reader, const StoryTask& task);

// What the story readers' config sections share:
//   encoding: bow | pe (| attention when `attention` is allowed): the sentence encoding
networks::SentenceEncoding read_encoding(Section& cfg, bool attention);
//   memory_size: memories kept (default: the task's memory_size; a larger window keeps the
//                whole story: the model is built for min(memory_size, the task's))
Index read_memory_size(Section& cfg, const StoryTask& task);
// The shared story encoder of the comparison readers (networks/story_encoder.h):
//   dim: <default_dim>   encoding: bow | pe (pe)   temporal: true   memory_size: <task's>
//   init_stddev: <default_init> (the embedding and temporal tables)
networks::StoryEncoderOptions read_story_encoder(Section& cfg, const StoryTask& task, Index default_dim,
                                                double default_init);
// The recurrent readers' (lstm_reader, ntm, dnc, lru_mann, mann on a story task) `query: end |
// every_step` (networks/recurrent_reader.h): the question read after the story (default) or beside
// every sentence.
networks::QueryInput read_query_input(Section& cfg);
// Retention (docs/compare.md): the quarter of the story (0: the newest, 3: the oldest) holding the
// question's newest supporting fact; -1 without supporting facts or with fewer than 4 sentences.
int age_quarter(const Example& e);
// Adds error/age_q1 .. error/age_q4 (the error of the questions of each quarter; correct[i] is 1
// when examples[i] was answered right) to `m`, when every quarter has questions.
void add_retention(Metrics& m, const std::vector<Example>& examples, const std::vector<int>& correct);
// The word id of each answer class, -1 for an answer that is not a word ("n,s").
std::vector<int> answer_words(const StoryTask& task);

}  // namespace engram::experiments::babi
