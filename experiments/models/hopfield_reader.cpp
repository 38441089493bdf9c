// The `hopfield_reader` model: the modern-Hopfield reader of the memory comparison
// (networks/hopfield_reader.h): the sentences stored as patterns, the question retrieving
// through `steps` update steps.
//
//   model:
//     name: hopfield_reader
//     dim: 32            encoding: pe     temporal: true     memory_size: <task's>   init_stddev: 0.1
//     steps: 1           # K update steps
//     beta: 1.0          # inverse temperature (> 0): fixed, or where the learned one starts
//     learn_beta: true
// inspect() adds the attention of every step (val_attention_hop<k>) like every story model.
#include "experiments/models/story_model.h"
#include "networks/hopfield_reader.h"

namespace engram::experiments::babi {

ENGRAM_REGISTER(models(), "hopfield_reader", "modern Hopfield story reader (sentences stored as patterns, K update steps)",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "hopfield_reader", "babi");
      networks::HopfieldReaderOptions o;
      o.encoder = read_story_encoder(cfg, story, 32, 0.1);
      o.answers = story.answers().size();
      o.steps = static_cast<int>(cfg.integer("steps", 1, 1, 100));
      o.beta = cfg.number("beta", 1.0, 1e-6, 1e6);
      o.learn_beta = cfg.boolean("learn_beta", true);
      cfg.finish();
      return make_story_model(std::make_unique<networks::HopfieldReader<float>>(o, rng), story);
    });

}  // namespace engram::experiments::babi
