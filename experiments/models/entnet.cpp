// The `entnet` model: the recurrent entity network (Henaff et al. 2017, networks/entnet.h): M
// memory blocks with learned keys, each a gated recurrent cell updated at every sentence, read by
// the question's attention over the blocks.
//
//   model:
//     name: entnet
//     dim: 100           encoding: pe     temporal: true     memory_size: <task's>   init_stddev: 0.1
//     blocks: 20         # M, the memory blocks (Henaff et al. use 20 on bAbI)
//     prelu_init: 1.0    # the PReLU's negative slope at the start (1: phi starts linear)
#include "experiments/models/story_model.h"
#include "networks/entnet.h"

namespace engram::experiments::babi {

ENGRAM_REGISTER(models(), "entnet", "recurrent entity network (Henaff et al. 2017): gated memory blocks with keys, over bAbI stories",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "entnet", "babi");
      networks::EntNetOptions o;
      o.encoder = read_story_encoder(cfg, story, 100, 0.1);
      o.answers = story.answers().size();
      o.blocks = static_cast<Index>(cfg.integer("blocks", 20, 1, 4096));
      o.prelu_init = cfg.number("prelu_init", 1.0, -10, 10);
      cfg.finish();
      return make_story_model(std::make_unique<networks::EntNet<float>>(o, rng), story);
    });

}  // namespace engram::experiments::babi
