// The `memn2n` model: the end-to-end memory network (Sukhbaatar et al. 2015, networks/memn2n.h)
// as a story model (experiments/models/story_model.h).
//
//   model:
//     name: memn2n
//     dim: 20                  # embedding size d
//     hops: 3
//     encoding: pe             # bow | pe | attention (AttentionPooling over each sentence's words)
//     score: dot               # the score of encoding: attention: a name or {name: ..., <options>}
//                              # (attention_score: still read, deprecated)
//     temporal: true           # learned temporal encoding T_A, T_C
//     tying: adjacent          # adjacent | layerwise
//     answer: tied             # tied (W = answer rows of C_K) | separate (own W); default: tied
//                              # for adjacent tying, separate for layer-wise
//     linear_start_epochs: 0   # softmax removed from the memory layers for the first N epochs
//     random_noise: 0.1        # share of empty memories inserted in training (0 = off)
//     random_noise_mode: insert   # insert (blanks are memories of their own, training only) |
//                              # skip_time (the authors': blanks only shift the recency)
//     memory_slots: 0          # the paper's fixed memory: 0 (off) | N | auto (min(memory_size,
//                              # the longest training story), as the authors' code); a story
//                              # with fewer memories also attends to that many empty slots
//     position_length: sentence   # the J of position encoding: sentence (each sentence's own
//                              # length) | task (the task's longest sentence + 1, the time word's
//                              # column: the authors' code) | a number
//     memory_size: <task's>    # memories kept (a larger window than the task's keeps the whole story)
//     init_stddev: 0.1
//     examples_per_graph: 16   # training questions read in one ragged-batch graph (a speed knob;
//                              # groups of a batch run on trainer.threads; changes only rounding)
#include "experiments/models/story_model.h"
#include "networks/memn2n.h"

namespace engram::experiments::babi {

ENGRAM_REGISTER(models(), "memn2n", "end-to-end memory network (Sukhbaatar et al. 2015) over bAbI stories",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "memn2n", "babi");
      networks::MemN2NOptions o;
      o.vocab = story.words().size();
      o.answer_words = answer_words(story);
      o.dim = cfg.integer("dim", 20, 1, 100000);
      o.hops = static_cast<int>(cfg.integer("hops", 3, 1, 100));
      o.encoding = read_encoding(cfg, true);
      Rng validate(0, "validate");  // (the model's own stream stays untouched)
      const Choice score = read_choice(cfg, cfg.renamed("attention_score", "score"), "dot");
      (void)build_choice(score, attention::scores<float>(), attention::ScoreShape{o.dim, o.dim}, validate);  // checked here
      o.attention_score = score.name;
      o.attention_score_options = score.options;
      o.temporal = cfg.boolean("temporal", true);
      o.tying = cfg.choice("tying", "adjacent", {"adjacent", "layerwise"}) == "adjacent" ? networks::WeightTying::adjacent
                                                                                       : networks::WeightTying::layerwise;
      o.tied_answers = cfg.choice("answer", o.tying == networks::WeightTying::adjacent ? "tied" : "separate",
                                  {"tied", "separate"}) == "tied";
      o.linear_start_epochs = static_cast<std::uint64_t>(cfg.integer("linear_start_epochs", 0, 0));
      o.random_noise = cfg.number("random_noise", 0.1, 0.0, 1.0);
      o.noise_mode = cfg.choice("random_noise_mode", "insert", {"insert", "skip_time"}) == "insert"
                         ? networks::RandomNoise::insert
                         : networks::RandomNoise::skip_time;
      o.memory_size = read_memory_size(cfg, story);
      // memory_slots: 0 (off), a number, or auto: min(memory_size, the longest training story), as
      // the authors' code sizes its buffer per task
      const std::string slots = cfg.string("memory_slots", "0");
      if (slots == "auto") {
        Index longest = 0;
        for (const auto& e : story.split("train")) longest = std::max(longest, static_cast<Index>(e.story.size()));
        o.memory_slots = std::min(o.memory_size, longest);
      } else {
        o.memory_slots = cfg.integer("memory_slots", 0, 0, Index(1) << 24);
      }
      const std::string length = cfg.string("position_length", "sentence");
      if (length == "task") o.position_length = story.sentence_length() + 1;
      else if (length != "sentence") o.position_length = cfg.integer("position_length", 0, 1, 100000);
      o.init_stddev = cfg.number("init_stddev", 0.1, 1e-12);
      o.examples_per_graph = cfg.integer("examples_per_graph", 16, 1, 100000);
      cfg.finish();
      return make_story_model(std::make_unique<networks::MemN2N<float>>(o, rng), story);
    });

}  // namespace engram::experiments::babi
