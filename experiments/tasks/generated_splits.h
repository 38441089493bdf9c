// engram/experiments/tasks/generated_splits.h — the seeded examples of a generated task: training
// example `id` from the stream root.child("<name>-train").child(id), example i of split s from
// root.child("<name>-<s>").child(i), generated when the split is added. A split therefore never
// changes when another split or the training distribution does, and any example can be made
// again from its id alone (what resumable, thread-count-independent training needs).
// Used by the bit-sequence tasks (tasks/algorithmic/bit_sequence.h) and the pointer tasks
// (tasks/pointer/pointer_task.h).
#pragma once

#include "core/rng.h"
#include "core/tensor.h"

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace engram::experiments {

template <class Example>
class GeneratedSplits {
 public:
  using Generator = std::function<Example(Rng&)>;

  GeneratedSplits(std::string name, const Rng& root) : name_(std::move(name)), root_(root) {}

  void set_train_generator(Generator g) { train_ = std::move(g); }
  Example train_example(std::uint64_t id) const {
    Rng r = root_.child(name_ + "-train").child(id);
    return train_(r);
  }
  // Generates `size` examples now; a name used twice is an std::invalid_argument.
  void add_split(const std::string& split, int size, const Generator& g) {
    const Rng r = root_.child(name_ + "-" + split);
    std::vector<Example> examples;
    examples.reserve(static_cast<size_t>(size));
    for (int i = 0; i < size; ++i) {
      Rng ri = r.child(static_cast<std::uint64_t>(i));
      examples.push_back(g(ri));
    }
    add_split(split, std::move(examples));
  }
  // A split of given examples (read from a file).
  void add_split(const std::string& split, std::vector<Example> examples) {
    require(!splits_.count(split), name_.c_str(), "split '" + split + "' is defined twice");
    names_.push_back(split);
    splits_[split] = std::move(examples);
  }
  // Throws std::invalid_argument naming the known splits for an unknown name.
  const std::vector<Example>& split(const std::string& name) const {
    auto it = splits_.find(name);
    if (it == splits_.end()) {
      std::string known;
      for (const auto& s : names_) known += (known.empty() ? "" : ", ") + s;
      throw std::invalid_argument(name_ + ": unknown split '" + name + "'; splits: " + known);
    }
    return it->second;
  }
  const std::vector<std::string>& names() const { return names_; }  // in the order added

 private:
  std::string name_;
  Rng root_;
  Generator train_;
  std::vector<std::string> names_;
  std::map<std::string, std::vector<Example>> splits_;
};

}  // namespace engram::experiments
