#include "networks/story_reader.h"

#include "core/ops.h"

#include <algorithm>

namespace engram::networks {

template <class T>
BatchReadout<T> stack_readouts(const std::vector<MemoryReadout<T>>& readouts) {
  require(!readouts.empty(), "stack_readouts", "no readouts");
  BatchReadout<T> b;
  size_t hops = 0;
  for (const auto& r : readouts) hops = std::max(hops, r.attention.size());
  std::vector<Var<T>> logits;
  std::vector<std::vector<Var<T>>> columns(hops);
  b.offsets.push_back(0);
  for (size_t i = 0; i < readouts.size(); ++i) {
    const MemoryReadout<T>& r = readouts[i];
    const Index n = static_cast<Index>(r.slots.size());
    require_lazy(r.attention.size() == hops || (r.attention.empty() && n == 0), "stack_readouts", [&] {
      return "readout " + std::to_string(i) + " has " + std::to_string(r.attention.size()) + " hops, the others " +
          std::to_string(hops);
    });
    logits.push_back(r.logits);
    for (size_t h = 0; h < r.attention.size(); ++h) columns[h].push_back(reshape(r.attention[h], n, 1));
    b.slots.insert(b.slots.end(), r.slots.begin(), r.slots.end());
    b.offsets.push_back(b.offsets.back() + static_cast<int>(n));
  }
  b.logits = logits.size() == 1 ? logits[0] : concat(logits, 0);
  for (auto& c : columns) b.attention.push_back(c.size() == 1 ? c[0] : concat(c, 0));
  return b;
}

template <class T>
BatchReadout<T> StoryReader<T>::forward_batch(std::span<const StoryQuestion> questions) const {
  std::vector<MemoryReadout<T>> each;
  each.reserve(questions.size());
  for (const auto& q : questions) each.push_back(forward(q.story, q.query, q.noise_rng));
  return stack_readouts(each);
}

template BatchReadout<float> stack_readouts(const std::vector<MemoryReadout<float>>&);
template BatchReadout<double> stack_readouts(const std::vector<MemoryReadout<double>>&);
template class StoryReader<float>;
template class StoryReader<double>;

}  // namespace engram::networks
