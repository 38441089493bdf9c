// The `hebbian_reader` model: the classical associative-memory reader of the memory comparison
// (networks/hebbian_reader.h): the story written into a d x d Hebbian outer-product matrix with
// decay, read once by the question.
//
//   model:
//     name: hebbian_reader
//     dim: 32            encoding: pe     temporal: true     memory_size: <task's>   init_stddev: 0.1
//     decay: 0.9         # lambda in (0, 1): fixed, or where the learned one starts
//     learn_decay: true
#include "experiments/models/story_model.h"
#include "networks/hebbian_reader.h"

namespace engram::experiments::babi {

ENGRAM_REGISTER(models(), "hebbian_reader", "Hebbian fast-weight story reader (outer-product memory matrix, read by the question)",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "hebbian_reader", "babi");
      networks::HebbianReaderOptions o;
      o.encoder = read_story_encoder(cfg, story, 32, 0.1);
      o.answers = story.answers().size();
      o.decay = cfg.number("decay", 0.9, 1e-6, 1 - 1e-6);
      o.learn_decay = cfg.boolean("learn_decay", true);
      cfg.finish();
      return make_story_model(std::make_unique<networks::HebbianReader<float>>(o, rng), story);
    });

}  // namespace engram::experiments::babi
