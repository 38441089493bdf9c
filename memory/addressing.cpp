// The addressing-stage registry, the helpers for stage authors, and pipelines.
#include "memory/addressing.h"

#include <algorithm>

namespace engram::memory {

template <class T>
Registry<AddressingFactory<T>>& addressing_stages() {
  static Registry<AddressingFactory<T>> r("addressing stage", "addressing", "addressing stages of external-memory heads (a pipeline: [content, interpolate, shift, sharpen])");
  return r;
}

template <class T>
const Var<T>& AddressContext<T>::param(const std::string& name) const {
  require_lazy(params != nullptr, "AddressContext::param", [&] {
    return "no parameters were given (asked for '" + name + "')";
  });
  return params->get(name);
}

void check_shape(const char* who, const AddressingShape& shape) {
  require_lazy(shape.slots >= 1 && shape.width >= 1 && shape.read_heads >= 0 && shape.write_heads >= 0, who, [&] {
    return "needs a memory of N >= 1 slots of width W >= 1, got N = " + std::to_string(shape.slots) +
        ", W = " + std::to_string(shape.width);
  });
}

void check_weighting_shape(const char* who, const AddressingShape& shape, Index rows, Index cols) {
  if (rows != 1 || cols != shape.slots)
    require_lazy(false, who, [&] {
      return "needs a weighting [1 x " + std::to_string(shape.slots) + "], got " + shape_str(rows, cols);
    });
}

std::vector<StageConfig> stages(const std::vector<std::string>& names) {
  std::vector<StageConfig> out;
  for (const auto& n : names) out.push_back({n, {}});
  return out;
}

template <class T>
Pipeline<T>::Pipeline(const std::vector<StageConfig>& configs, const AddressingShape& shape, Rng& rng,
                      const std::string& owner) {
  require(!configs.empty(), owner.c_str(), "an addressing pipeline needs at least one stage, e.g. [content]");
  for (size_t i = 0; i < configs.size(); ++i) {
    const std::string& name = configs[i].name;
    const std::string where = owner + " stage " + std::to_string(i) + " '" + name + "'";
    std::unique_ptr<AddressingStage<T>> stage;
    try {
      Rng stage_rng = rng.child(std::to_string(i) + ":" + name);
      stage = make_stage<T>(name, shape, configs[i].options, stage_rng);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(owner + " stage " + std::to_string(i) + ": " + e.what());
    }
    if (i == 0)
      require_lazy(!stage->refines(), where.c_str(), [&] {
        return "refines the weighting of a stage before it, so it cannot come first; start with a source stage "
            "(content, hopfield, topk, lru)";
      });
    else
      require_lazy(stage->refines(), where.c_str(), [&] {
        return "computes a weighting from scratch and would discard what the stages before it computed; it must "
            "be the first stage";
      });
    for (const auto& p : stage->params()) params_.push_back(p);
    this->add_module(std::to_string(i) + "_" + name, *stage);
    stages_.push_back(std::move(stage));
    names_.push_back(name);
  }
  check_specs(params_, owner);
}

template <class T>
std::vector<std::shared_ptr<const Tracker<T>>> Pipeline<T>::trackers() const {
  std::vector<std::shared_ptr<const Tracker<T>>> out;
  for (const auto& stage : stages_)
    for (auto& t : stage->trackers()) out.push_back(std::move(t));
  return out;
}

template <class T>
void Pipeline<T>::bind_trackers(const std::vector<std::string>& memory_keys) {
  for (auto& stage : stages_) {
    std::vector<Index> positions;
    for (const auto& t : stage->trackers()) {
      const auto it = std::find(memory_keys.begin(), memory_keys.end(), t->key());
      require_lazy(it != memory_keys.end(), "addressing pipeline", [&] {
        return "the memory keeps no tracker '" + t->key() + "' for a stage of " + describe();
      });
      positions.push_back(static_cast<Index>(it - memory_keys.begin()));
    }
    stage->bind_trackers(std::move(positions));
  }
}

template <class T>
std::string Pipeline<T>::describe() const {
  std::string s;
  for (const auto& n : names_) s += (s.empty() ? "" : " -> ") + n;
  return s;
}

template <class T>
Index Pipeline<T>::first_unbatched() const {
  for (Index i = 0; i < size(); ++i)
    if (!stage(i).batches()) return i;
  return -1;
}

template <class T>
Var<T> Pipeline<T>::apply(const AddressContext<T>& ctx) const {
  Var<T> w;
  for (const auto& stage : stages_) w = stage->apply(w, ctx);
  return w;
}

#define INST(T)                                                          \
  template Registry<AddressingFactory<T>>& addressing_stages<T>();       \
  template struct AddressContext<T>;                                     \
  template class Pipeline<T>;
INST(float)
INST(double)
#undef INST

}  // namespace engram::memory
