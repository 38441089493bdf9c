// The `kv_memnn` model: the key-value memory network (Miller et al. 2016, networks/kv_memnn.h)
// as a story model (experiments/models/story_model.h).
//
//   model:
//     name: kv_memnn
//     dim: 20
//     hops: 2
//     encoding: pe             # bow | pe (query, keys, sentence values)
//     key_window: 1            # sentences per key: this one and the key_window - 1 before it
//     values: sentence         # sentence | words (one slot per word, keyed by the rest of the window)
//     temporal: true
//     memory_size: <task's>
//     init_stddev: 0.1
#include "experiments/models/story_model.h"
#include "networks/kv_memnn.h"

namespace engram::experiments::babi {

ENGRAM_REGISTER(models(), "kv_memnn", "key-value memory network (Miller et al. 2016) over bAbI stories",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "kv_memnn", "babi");
      networks::KvMemNNOptions o;
      o.vocab = story.words().size();
      o.answers = story.answers().size();
      o.dim = cfg.integer("dim", 20, 1, 100000);
      o.hops = static_cast<int>(cfg.integer("hops", 2, 1, 100));
      o.encoding = read_encoding(cfg, false);
      o.key_window = static_cast<int>(cfg.integer("key_window", 1, 1, 100));
      o.values = cfg.choice("values", "sentence", {"sentence", "words"}) == "sentence" ? networks::ValueMode::sentence
                                                                                      : networks::ValueMode::words;
      o.temporal = cfg.boolean("temporal", true);
      o.memory_size = read_memory_size(cfg, story);
      o.init_stddev = cfg.number("init_stddev", 0.1, 1e-12);
      cfg.finish();
      return make_story_model(std::make_unique<networks::KvMemNN<float>>(o, rng), story);
    });

}  // namespace engram::experiments::babi
