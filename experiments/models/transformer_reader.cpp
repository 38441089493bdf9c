// The `transformer_reader` model: the Transformer baseline of the memory comparison
// (networks/transformer_reader.h): sentences as tokens with temporal encoding, the question a
// last token attending over them through `layers` encoder blocks.
//
//   model:
//     name: transformer_reader
//     dim: 32            encoding: pe     temporal: true     memory_size: <task's>   init_stddev: 0.1
//     layers: 2
//     heads: 2           # must divide dim
//     ff: 0              # feed-forward width; 0 = 2 x dim
//     dropout: 0
//     norm: pre          # pre | post (layer norm placement)
#include "experiments/models/story_model.h"
#include "networks/transformer_reader.h"

namespace engram::experiments::babi {

ENGRAM_REGISTER(models(), "transformer_reader", "Transformer encoder story reader (the question token attends over the sentences)",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "transformer_reader", "babi");
      networks::TransformerReaderOptions o;
      o.encoder = read_story_encoder(cfg, story, 32, 0.1);
      o.answers = story.answers().size();
      o.layers = cfg.integer("layers", 2, 1, 64);
      o.heads = cfg.integer("heads", 2, 1, 1024);
      if (o.encoder.dim % o.heads != 0)
        cfg.fail("heads", "must divide dim (" + std::to_string(o.encoder.dim) + "), got " + std::to_string(o.heads));
      o.ff = cfg.integer("ff", 0, 0, 1 << 20);
      o.dropout = cfg.number("dropout", 0.0, 0.0, 0.99);
      o.pre_norm = cfg.choice("norm", "pre", {"pre", "post"}) == "pre";
      cfg.finish();
      return make_story_model(std::make_unique<networks::TransformerReader<float>>(o, rng), story);
    });

}  // namespace engram::experiments::babi
