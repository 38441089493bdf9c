// The `attention_sum` model: the Attention-Sum Reader (networks/attention_sum_reader.h), a
// pointer network that answers by pointing at a word of the story, on any task of the babi
// family (the bAbI files, the generator) and as a row of the memory comparison.
//
//   model:
//     name: attention_sum
//     dim: 64                                      # word embeddings
//     encoder: {name: gru, hidden: 64}             # any registered controller, read both ways
#include "experiments/models/story_model.h"
#include "networks/attention_sum_reader.h"

namespace engram::experiments::babi {

ENGRAM_REGISTER(models(), "attention_sum", "Attention-Sum Reader (Kadlec et al. 2016): points at the answer among the story's words",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& story = require_family<StoryTask>(task, "attention_sum", "babi");
      networks::AttentionSumOptions o;
      o.vocab = story.words().size();
      o.dim = cfg.integer("dim", 64, 1, 1 << 16);
      Section enc = cfg.section("encoder");
      o.encoder = to_options(enc, {});
      if (!o.encoder.has("name")) o.encoder.set("name", "gru");
      if (!o.encoder.has("hidden")) o.encoder.set("hidden", 64.0);
      for (int c = 0; c < story.answers().size(); ++c) o.answer_words.push_back(story.words().id(story.answers().word(c)));
      cfg.finish();
      auto reader = with_config_errors(enc, [&] { return std::make_unique<networks::AttentionSumReader<float>>(o, rng); });
      return make_story_model(std::move(reader), story);
    });

}  // namespace engram::experiments::babi
