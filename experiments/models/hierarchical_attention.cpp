// The `hierarchical_attention` model: attention::HierarchicalAttention as a story reader
// (networks/hierarchical_reader.h): words -> sentence vectors -> document vector (learned
// queries, no question conditioning), then logits = Linear([document; bag of query words]). A
// query-independent baseline: what attention without memory hops reads from a story.
//
//   model:
//     name: hierarchical_attention
//     dim: 32
//     score: dot               # both levels' score: a name or {name: ..., <options>}
#include "experiments/models/story_model.h"
#include "networks/hierarchical_reader.h"

namespace engram::experiments::babi {

ENGRAM_REGISTER(models(), "hierarchical_attention",
                "hierarchical attention reader (words -> sentences -> document) over bAbI stories",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "hierarchical_attention", "babi");
      networks::HierarchicalReaderOptions o;
      o.vocab = story.words().size();
      o.answers = story.answers().size();
      o.dim = cfg.integer("dim", 32, 1, 100000);
      Rng validate(0, "validate");  // (the model's own stream stays untouched)
      const Choice score = read_choice(cfg, "score", "dot");
      (void)build_choice(score, attention::scores<float>(), attention::ScoreShape{o.dim, o.dim}, validate);  // checked here
      o.score = score.name;
      o.score_options = score.options;
      cfg.finish();
      return make_story_model(std::make_unique<networks::HierarchicalReader<float>>(o, rng), story);
    });

}  // namespace engram::experiments::babi
