#include "memory/trackers.h"

#include "core/init.h"
#include "memory/memory_ops.h"

namespace engram::memory {

namespace {

template <class T>
Var<T> detach(const Var<T>& v) {
  return v.defined() ? constant<T>(v.value()) : v;
}

template <class T>
class UsageTracker : public Tracker<T> {
 public:
  explicit UsageTracker(const AddressingShape& shape) : shape_(shape) {}
  std::string key() const override { return "usage"; }
  std::vector<ParamSpec> read_head_params() const override { return {{"free_gate", 1, Activation::sigmoid}}; }
  std::any initial(Index batch) const override {
    const Var<T> zero = constant<T>(Mat<T>::Zero(batch, shape_.slots));  // [B x N]
    return UsageState<T>{zero, zero};
  }
  bool batches() const override { return true; }
  void before_writes(std::any& value, const StepView<T>& v) const override {
    auto& s = std::any_cast<UsageState<T>&>(value);
    std::vector<Var<T>> gates;
    gates.reserve(v.read_params.size());
    for (const auto* p : v.read_params) gates.push_back((*p)["free_gate"]);
    s.usage = update_usage(s.usage, v.write_weights, gates, v.read_weights);
    s.seen = s.usage;
  }
  void after_write(std::any& value, Index j, const Var<T>& w) const override {
    if (j + 1 >= shape_.write_heads) return;  // nobody writes after the last head
    auto& s = std::any_cast<UsageState<T>&>(value);
    s.seen = sub(add(s.seen, w), mul(s.seen, w));  // u (+) w
  }
  std::any detached(const std::any& value) const override {
    const auto& s = std::any_cast<const UsageState<T>&>(value);
    return UsageState<T>{detach(s.usage), detach(s.seen)};
  }
  std::map<std::string, Mat<T>> inspect(const std::any& value) const override {
    return {{"usage", std::any_cast<const UsageState<T>&>(value).usage.value()}};
  }
  // usage in (0.02, 0.98): allocation's sort sees distinct values away from 0 and 1
  std::any random_value(Rng& rng, bool requires_grad) const override {
    const Var<T> u(init::uniform<T>(1, shape_.slots, 0.02, 0.98, rng), requires_grad);
    return UsageState<T>{u, u};
  }
  std::vector<Var<T>> leaves(const std::any& value) const override {
    return {std::any_cast<const UsageState<T>&>(value).usage};
  }

 private:
  AddressingShape shape_;
};

template <class T>
class LinksTracker : public Tracker<T> {
 public:
  explicit LinksTracker(const AddressingShape& shape) : shape_(shape) {}
  std::string key() const override { return "links"; }
  std::any initial(Index batch) const override {
    const Index n = shape_.slots;
    LinksState<T> s;  // sequence b's links in rows b N .. b N + N - 1, its precedence in row b
    s.links.assign(static_cast<size_t>(shape_.write_heads), constant<T>(Mat<T>::Zero(batch * n, n)));
    s.precedences.assign(static_cast<size_t>(shape_.write_heads), constant<T>(Mat<T>::Zero(batch, n)));
    return s;
  }
  bool batches() const override { return true; }
  void after_write(std::any& value, Index j, const Var<T>& w) const override {
    auto& s = std::any_cast<LinksState<T>&>(value);
    Var<T>& L = s.links[static_cast<size_t>(j)];
    Var<T>& p = s.precedences[static_cast<size_t>(j)];
    L = update_link(L, p, w);
    p = update_precedence(p, w);
  }
  std::any detached(const std::any& value) const override {
    LinksState<T> s = std::any_cast<const LinksState<T>&>(value);
    for (auto& l : s.links) l = detach(l);
    for (auto& p : s.precedences) p = detach(p);
    return s;
  }
  // links >= 0 with a zero diagonal and row and column sums < 1; precedence summing to 0.8
  std::any random_value(Rng& rng, bool requires_grad) const override {
    const Index n = shape_.slots;
    LinksState<T> s;
    for (Index j = 0; j < shape_.write_heads; ++j) {
      Mat<T> L = init::uniform<T>(n, n, 0, 1, rng);
      L.diagonal().setZero();
      const double biggest = std::max(double(L.rowwise().sum().maxCoeff()), double(L.colwise().sum().maxCoeff()));
      if (biggest > 0) L *= static_cast<T>(0.9 / biggest);
      s.links.emplace_back(std::move(L), requires_grad);
      Mat<T> p = init::uniform<T>(1, n, 0.05, 1.0, rng);
      s.precedences.emplace_back(Mat<T>(p * static_cast<T>(0.8 / double(p.sum()))), requires_grad);
    }
    return s;
  }
  std::vector<Var<T>> leaves(const std::any& value) const override {
    const auto& s = std::any_cast<const LinksState<T>&>(value);
    std::vector<Var<T>> out;
    for (size_t j = 0; j < s.links.size(); ++j) {
      out.push_back(s.links[j]);
      out.push_back(s.precedences[j]);
    }
    return out;
  }

 private:
  AddressingShape shape_;
};

template <class T>
class LruTracker : public Tracker<T> {
 public:
  explicit LruTracker(const AddressingShape& shape) : shape_(shape) {}
  std::string key() const override { return "lru"; }
  std::any initial(Index batch) const override {
    require(batch == 1, "tracker 'lru'", "takes one sequence at a time");  // its least-used slots are per sequence
    return LruState<T>{constant<T>(Mat<T>::Zero(1, shape_.slots))};
  }
  void after_reads(std::any& value, const StepView<T>& v) const override {
    auto& s = std::any_cast<LruState<T>&>(value);
    Mat<T> u = T(shape_.lru_decay) * s.usage.value();
    for (const auto& w : v.read_weights) u += w.value();
    for (const auto& w : v.write_weights) u += w.value();
    s.usage = constant<T>(std::move(u));
  }
  std::any detached(const std::any& value) const override { return value; }  // a constant already
  std::map<std::string, Mat<T>> inspect(const std::any& value) const override {
    return {{"lru_usage", std::any_cast<const LruState<T>&>(value).usage.value()}};
  }
  std::any random_value(Rng& rng, bool) const override {
    return LruState<T>{Var<T>(init::uniform<T>(1, shape_.slots, 0, 3, rng), false)};
  }

 private:
  AddressingShape shape_;
};

}  // namespace

template <class T>
std::shared_ptr<const Tracker<T>> usage_tracker(const AddressingShape& shape) {
  return std::make_shared<UsageTracker<T>>(shape);
}
template <class T>
std::shared_ptr<const Tracker<T>> links_tracker(const AddressingShape& shape) {
  return std::make_shared<LinksTracker<T>>(shape);
}
template <class T>
std::shared_ptr<const Tracker<T>> lru_tracker(const AddressingShape& shape) {
  return std::make_shared<LruTracker<T>>(shape);
}

template <class T>
std::shared_ptr<const Tracker<T>> builtin_tracker(const std::string& key, const AddressingShape& shape) {
  if (key == "usage") return usage_tracker<T>(shape);
  if (key == "links") return links_tracker<T>(shape);
  if (key == "lru") return lru_tracker<T>(shape);
  throw std::invalid_argument("unknown tracker '" + key + "'; the built-in ones are usage, links, lru");
}

#define INST(T)                                                                                           \
  template std::shared_ptr<const Tracker<T>> usage_tracker<T>(const AddressingShape&);                   \
  template std::shared_ptr<const Tracker<T>> links_tracker<T>(const AddressingShape&);                   \
  template std::shared_ptr<const Tracker<T>> lru_tracker<T>(const AddressingShape&);                     \
  template std::shared_ptr<const Tracker<T>> builtin_tracker<T>(const std::string&, const AddressingShape&);
INST(float)
INST(double)
#undef INST

}  // namespace engram::memory
