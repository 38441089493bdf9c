// The `lstm_reader` model: the recurrent baseline of the memory comparison
// (networks/recurrent_reader.h): the story's sentences, then the question, fed to a controller
// one vector per step, the answer read from its last output. No external memory: what it
// remembers is its state (an LSTM's h and c).
//
//   model:
//     name: lstm_reader
//     dim: 32                   # sentence encoding size (the shared story encoder)
//     encoding: pe              # bow | pe
//     temporal: true            # learned temporal encoding added to each sentence
//     memory_size: <task's>     # sentences read, the newest
//     init_stddev: 1.0          # embedding scale (recurrent readers learn faster with 1 than 0.1)
//     query: end                # end | every_step: the question after the story or beside every sentence
//     controller: {name: lstm, hidden: 64}   # any registered controller
// The NTM, DNC and LRU-MANN readers are the models ntm, dnc, lru_mann and mann on a story task
// (mann.cpp): the same reader with an external memory.
#include "experiments/models/story_model.h"
#include "networks/recurrent_reader.h"

namespace engram::experiments::babi {

ENGRAM_REGISTER(models(), "lstm_reader", "recurrent story reader without external memory (LSTM baseline) over bAbI stories",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "lstm_reader", "babi");
      const networks::StoryEncoderOptions enc = read_story_encoder(cfg, story, 32, 1.0);
      const networks::QueryInput query = read_query_input(cfg);
      auto controller = build_component(cfg, "controller", networks::controllers<float>(),
                                        networks::ControllerShape{networks::RecurrentReader<float>::input_size(enc.dim, query)}, rng,
                                        "lstm");
      cfg.finish();
      return make_story_model(std::make_unique<networks::RecurrentReader<float>>(enc, story.answers().size(),
                                                                                std::move(controller), std::nullopt, rng, query),
                              story);
    });

}  // namespace engram::experiments::babi
