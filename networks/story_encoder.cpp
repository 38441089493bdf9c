#include "networks/story_encoder.h"

#include "core/init.h"
#include "core/ops.h"

#include <string>

namespace engram::networks {

template <class T>
StoryEncoder<T>::StoryEncoder(const StoryEncoderOptions& o, Rng& rng) : o_(o) {
  require_lazy(o.vocab >= 1 && o.dim >= 1 && o.memory_size >= 1, "StoryEncoder", [&] {
    return "needs vocab, dim and memory_size >= 1, got " + std::to_string(o.vocab) + ", " + std::to_string(o.dim) +
           " and " + std::to_string(o.memory_size);
  });
  require(o.encoding != SentenceEncoding::attention, "StoryEncoder", "encodes sentences as bow or pe, not attention");
  embed_ = this->add_parameter("embed", init::normal<T>(o.vocab, o.dim, 0, o.init_stddev, rng));
  if (o.temporal) temporal_ = this->add_parameter("temporal", init::normal<T>(o.memory_size, o.dim, 0, o.init_stddev, rng));
}

template <class T>
EncodedStory<T> StoryEncoder<T>::encode(std::span<const std::vector<int>> story, std::span<const int> query) const {
  const auto check = [&](std::span<const int> ids, const char* what) {
    for (int id : ids)
      require_lazy(id >= 0 && id < o_.vocab, "StoryEncoder::encode",
                   [&] { return std::string(what) + " word id " + std::to_string(id) + " is outside [0, " + std::to_string(o_.vocab) + ")"; });
  };
  EncodedStory<T> out;
  for (Index i = static_cast<Index>(story.size()) - 1; i >= 0 && static_cast<Index>(out.slots.size()) < o_.memory_size; --i)
    if (!story[static_cast<size_t>(i)].empty()) out.slots.insert(out.slots.begin(), static_cast<int>(i));
  WordBags<T> bags(o_.dim, o_.encoding == SentenceEncoding::pe);
  for (int s : out.slots) {
    check(story[static_cast<size_t>(s)], "story");
    bags.add(story[static_cast<size_t>(s)]);
  }
  check(query, "query");
  bags.add(query);
  bags.finish();
  const Var<T> all = bags.encode(embed_);  // [S + 1 x d]
  const Index S = static_cast<Index>(out.slots.size());
  out.query = slice_rows(all, S, 1);
  out.sentences = slice_rows(all, 0, S);
  if (o_.temporal && S > 0) {
    std::vector<int> age(static_cast<size_t>(S));
    for (Index i = 0; i < S; ++i) age[static_cast<size_t>(i)] = static_cast<int>(S - 1 - i);
    out.sentences = add(out.sentences, gather_rows(temporal_, age));
  }
  return out;
}

template class StoryEncoder<float>;
template class StoryEncoder<double>;

}  // namespace engram::networks
