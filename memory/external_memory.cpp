#include "memory/external_memory.h"

#include <algorithm>

#include "core/init.h"
#include "memory/memory_ops.h"

#include <cmath>

namespace engram::memory {

namespace {

const char* kind_name(HeadKind k) { return k == HeadKind::read ? "read" : "write"; }

}  // namespace

HeadConfig head_config(HeadKind kind, std::vector<StageConfig> addressing, const Options& options) {
  HeadConfig h;
  h.kind = kind;
  h.addressing = std::move(addressing);
  const std::string erase = options.choice("erase", "emitted", {"emitted", "none", "least_used"});
  h.erase = erase == "none" ? EraseMode::none : erase == "least_used" ? EraseMode::least_used : EraseMode::emitted;
  h.add = options.choice("add", "emitted", {"emitted", "read_key"}) == "read_key" ? AddMode::read_key : AddMode::emitted;
  h.add_activation = parse_activation(options.choice(
      "add_activation", "identity", {"identity", "tanh", "sigmoid", "softplus", "oneplus", "softmax"}));
  h.pair = options.integer("pair", -1, -1);
  options.finish(std::string(kind_name(kind)) + " head");
  return h;
}

MemoryConfig memory_config(std::vector<HeadConfig> heads, const Options& options) {
  MemoryConfig c;
  c.heads = std::move(heads);
  c.slots = options.integer("slots", c.slots, 1);
  c.width = options.integer("width", c.width, 1);
  const std::string init = options.choice("init", "constant", {"constant", "random", "learned"});
  c.init = init == "random" ? InitMode::random : init == "learned" ? InitMode::learned : InitMode::constant;
  c.init_value = options.number("init_value", c.init_value);
  c.init_scale = options.number("init_scale", c.init_scale, 0);
  const std::string w0 = options.choice("initial_weighting", "zero", {"zero", "uniform", "first_slot"});
  c.initial_weighting = w0 == "uniform" ? InitialWeighting::uniform
                        : w0 == "first_slot" ? InitialWeighting::first_slot
                                             : InitialWeighting::zero;
  c.reset_between_sequences = options.boolean("reset", true);
  c.lru_decay = options.number("lru_decay", c.lru_decay, 0, 1);
  options.finish("memory");
  return c;
}

// ---- Head --------------------------------------------------------------------------------------

template <class T>
Head<T>::Head(const HeadConfig& config, Index index, const AddressingShape& shape, Rng& rng)
    : config_(config),
      index_(index),
      name_(std::string(kind_name(config.kind)) + std::to_string(index)),
      pipeline_(config.addressing, shape, rng, name_) {
  params_ = pipeline_.params();
  if (config_.kind == HeadKind::write) {
    if (config_.erase == EraseMode::emitted) params_.push_back({"erase", shape.width, Activation::sigmoid});
    if (config_.add == AddMode::emitted) params_.push_back({"add", shape.width, config_.add_activation});
  } else {
    require(config_.erase == EraseMode::emitted && config_.add == AddMode::emitted, name_.c_str(),
            "erase and add modes are for write heads");
  }
  check_specs(params_, name_);
  this->add_module("addressing", pipeline_);
}

template <class T>
void Head<T>::add_params(const std::vector<ParamSpec>& specs) {
  params_.insert(params_.end(), specs.begin(), specs.end());
  check_specs(params_, name_);
}

// ---- ExternalMemory ----------------------------------------------------------------------------

template <class T>
ExternalMemory<T>::ExternalMemory(const MemoryConfig& config, Rng& rng) : config_(config) {
  const char* who = "external memory";
  require_lazy(config.slots >= 1 && config.width >= 1, who, [&] {
    return "needs N >= 1 slots of width W >= 1, got N = " + std::to_string(config.slots) + ", W = " +
        std::to_string(config.width);
  });
  require_lazy(config.lru_decay >= 0 && config.lru_decay <= 1, who, [&] {
    return "lru_decay must be in [0, 1], got " + num_str(config.lru_decay);
  });
  Index nr = 0, nw = 0;
  for (const auto& h : config.heads) (h.kind == HeadKind::read ? nr : nw) += 1;
  require_lazy(nr >= 1, who, [&] { return "needs at least one read head, got " + std::to_string(nr); });
  shape_ = {config.slots, config.width, nr, nw, config.lru_decay};

  for (size_t p = 0; p < config.heads.size(); ++p) {
    const HeadConfig& hc = config.heads[p];
    const bool read = hc.kind == HeadKind::read;
    const Index index = read ? static_cast<Index>(reads_.size()) : static_cast<Index>(writes_.size());
    Rng head_rng = rng.child(std::string(kind_name(hc.kind)) + std::to_string(index));
    auto h = std::make_unique<Head<T>>(hc, index, shape_, head_rng);
    for (auto& t : h->pipeline().trackers())  // one tracker per kind, in order of first use
      if (std::find(tracker_keys_.begin(), tracker_keys_.end(), t->key()) == tracker_keys_.end()) {
        tracker_keys_.push_back(t->key());
        trackers_.push_back(std::move(t));
      }
    (read ? read_pos_ : write_pos_).push_back(static_cast<Index>(p));
    heads_.push_back(h.get());
    (read ? reads_ : writes_).push_back(std::move(h));
  }
  for (const auto& t : trackers_)
    for (auto& h : reads_) h->add_params(t->read_head_params());
  for (auto& h : reads_) h->bind_trackers(tracker_keys_);
  for (auto& h : writes_) h->bind_trackers(tracker_keys_);
  const auto lru = std::find(tracker_keys_.begin(), tracker_keys_.end(), "lru");
  if (lru != tracker_keys_.end()) lru_at_ = static_cast<Index>(lru - tracker_keys_.begin());
  for (const auto& h : reads_) this->add_module(h->name(), *h);
  for (const auto& h : writes_) this->add_module(h->name(), *h);

  for (const auto& h : writes_) {
    const HeadConfig& hc = h->config();
    const Index pair = hc.pair >= 0 ? hc.pair : (h->index() < nr ? h->index() : 0);
    require_lazy(pair < nr, h->name().c_str(), [&] {
      return "is paired with read head " + std::to_string(pair) + ", but there are " + std::to_string(nr);
    });
    pairs_.push_back(pair);
    if (hc.add == AddMode::read_key) {
      bool has_key = false;
      for (const auto& s : read_head(pair).params()) has_key = has_key || (s.name == "key" && s.size == config.width);
      require_lazy(has_key, h->name().c_str(), [&] {
        return "writes the key of read head " + std::to_string(pair) + " (add: read_key), which has no key [1 x " +
            std::to_string(config.width) + "]";
      });
    }
    if (hc.erase == EraseMode::least_used)
      require(lru_at_ >= 0, h->name().c_str(), "erase: least_used needs the LRU usage (an lru stage in some head)");
  }

  Index at = 0;
  for (const Head<T>* h : heads_) {
    offsets_.push_back(at);
    for (const auto& s : h->params()) interface_.push_back({h->name() + "." + s.name, s.size, s.activation});
    at += h->interface_size();
  }

  const double scale = config.init_scale > 0 ? config.init_scale : 1.0 / std::sqrt(double(config.slots + config.width));
  Rng init_rng = rng.child("initial_memory");
  switch (config.init) {
    case InitMode::constant: init_ = Mat<T>::Constant(config.slots, config.width, T(config.init_value)); break;
    case InitMode::random: init_ = init::uniform<T>(config.slots, config.width, -scale, scale, init_rng); break;
    case InitMode::learned:
      learned_init_ = this->add_parameter("initial_memory",
                                          init::uniform<T>(config.slots, config.width, -scale, scale, init_rng));
      break;
  }
}

template <class T>
std::string ExternalMemory<T>::describe() const {
  std::string s = "N=" + std::to_string(slots()) + " W=" + std::to_string(width());
  for (const Head<T>* h : heads_) s += " | " + h->name() + ": " + h->pipeline().describe();
  return s;
}

template <class T>
bool ExternalMemory<T>::tracks(const std::string& key) const {
  return std::find(tracker_keys_.begin(), tracker_keys_.end(), key) != tracker_keys_.end();
}

template <class T>
bool ExternalMemory<T>::batches() const {
  for (const auto& t : trackers_)
    if (!t->batches()) return false;
  for (const Head<T>* h : heads_)
    if (h->pipeline().first_unbatched() >= 0) return false;
  return true;
}

template <class T>
MemoryState<T> ExternalMemory<T>::initial_state(Index batch) const {
  require_lazy(batch >= 1, "external memory", [&] { return "a state of " + std::to_string(batch) + " sequences"; });
  if (batch > 1) {
    const auto refuse = [&](const std::string& why) {
      require_lazy(false, "external memory", [&] {
        return "cannot advance " + std::to_string(batch) + " sequences together: " + why +
            " takes one sequence at a time (" + describe() + ")";
      });
    };
    for (const Head<T>* h : heads_)
      if (const Index at = h->pipeline().first_unbatched(); at >= 0) refuse(h->name() + "'s stage '" + h->pipeline().stage_name(at) + "'");
    for (size_t k = 0; k < trackers_.size(); ++k)
      if (!trackers_[k]->batches()) refuse("its tracker '" + tracker_keys_[k] + "'");
  }
  const Index n = slots();
  MemoryState<T> s;
  s.batch = batch;
  if (config_.init == InitMode::learned)
    s.memory = batch == 1 ? learned_init_ : concat(std::vector<Var<T>>(static_cast<size_t>(batch), learned_init_), 0);
  else
    s.memory = constant<T>(batch == 1 ? init_ : Mat<T>(init_.replicate(batch, 1)));
  Mat<T> w0 = Mat<T>::Zero(batch, n);
  if (config_.initial_weighting == InitialWeighting::uniform) w0.setConstant(T(1) / T(n));
  if (config_.initial_weighting == InitialWeighting::first_slot) w0.col(0).setOnes();
  const Var<T> w = constant<T>(w0);
  s.read_weights.assign(reads_.size(), w);
  s.write_weights.assign(writes_.size(), w);
  for (const auto& t : trackers_) s.tracked.push_back(t->initial(batch));
  s.tracked_keys = tracker_keys_;
  return s;
}

template <class T>
MemoryState<T> ExternalMemory<T>::next_sequence(const MemoryState<T>& last) const {
  if (config_.reset_between_sequences || !last.memory.defined()) return initial_state(last.batch);
  const auto detach = [](const Var<T>& v) { return v.defined() ? constant<T>(v.value()) : v; };
  const auto detach_all = [&](const std::vector<Var<T>>& vs) {
    std::vector<Var<T>> out;
    for (const auto& v : vs) out.push_back(detach(v));
    return out;
  };
  MemoryState<T> s;
  s.batch = last.batch;
  s.memory = detach(last.memory);
  s.read_weights = detach_all(last.read_weights);
  s.write_weights = detach_all(last.write_weights);
  for (size_t k = 0; k < trackers_.size(); ++k) s.tracked.push_back(trackers_[k]->detached(last.tracked[k]));
  s.tracked_keys = tracker_keys_;
  return s;
}

template <class T>
std::vector<HeadParams<T>> ExternalMemory<T>::split(const Var<T>& interface) const {
  require_lazy(interface.rows() >= 1 && interface.cols() == interface_size(), "external memory", [&] {
    return "the interface must be [B x " + std::to_string(interface_size()) + "] (" + describe() + "), got " +
        interface.shape();
  });
  const Var<T> activated = activate_segments(interface, 0, interface_);  // one node for all heads
  std::vector<HeadParams<T>> out;
  out.reserve(heads_.size());
  for (size_t p = 0; p < heads_.size(); ++p)
    out.push_back(slice_activated(activated, offsets_[p], heads_[p]->params(), heads_[p]->name()));
  return out;
}

template <class T>
Var<T> ExternalMemory<T>::step(MemoryState<T>& state, const Var<T>& interface) const {
  require(state.memory.defined() && state.read_weights.size() == reads_.size() &&
              state.write_weights.size() == writes_.size() && state.tracked.size() == trackers_.size(),
          "external memory", "step() needs a state made by initial_state() or next_sequence() of this memory");
  require_lazy(interface.rows() == state.batch, "external memory", [&] {
    return "the interface " + interface.shape() + " must have one row per sequence of the state (" +
        std::to_string(state.batch) + ")";
  });
  const std::vector<HeadParams<T>> params = split(interface);
  const auto read_params = [&](Index i) -> const HeadParams<T>& { return params[static_cast<size_t>(read_pos_[static_cast<size_t>(i)])]; };
  const auto write_params = [&](Index j) -> const HeadParams<T>& { return params[static_cast<size_t>(write_pos_[static_cast<size_t>(j)])]; };
  std::vector<const HeadParams<T>*> read_values;
  for (Index i = 0; i < read_heads(); ++i) read_values.push_back(&read_params(i));
  const Index n = slots();

  // 2. the trackers, from the last step's weightings and this step's read-head values
  for (size_t k = 0; k < trackers_.size(); ++k)
    trackers_[k]->before_writes(state.tracked[k], {state.read_weights, state.write_weights, read_values});

  // 3. writes, one head after the other
  Var<T> M = state.memory;
  std::vector<Var<T>> writes(writes_.size());
  for (Index j = 0; j < write_heads(); ++j) {
    const Head<T>& h = *writes_[static_cast<size_t>(j)];
    const HeadParams<T>& p = write_params(j);
    AddressContext<T> ctx;
    ctx.memory = M;
    ctx.previous = state.write_weights[static_cast<size_t>(j)];
    ctx.params = &p;
    ctx.state = &state;
    ctx.kind = HeadKind::write;
    ctx.head = j;
    ctx.pair = pairs_[static_cast<size_t>(j)];
    const Var<T> w = h.address(ctx);  // [1 x N]
    Var<T> erase;
    if (h.config().erase == EraseMode::least_used) {  // zero the head's least-used slot (no gradient there)
      const Mat<T>& lru = std::any_cast<const LruState<T>&>(state.tracked[static_cast<size_t>(lru_at_)]).usage.value();
      Mat<T> mask = Mat<T>::Zero(n, 1);
      mask(least_used_slots(lru, j + 1).back(), 0) = T(1);
      M = masked_fill(M, mask, T(0));
    }
    if (h.config().erase == EraseMode::emitted) erase = p["erase"];
    else erase = constant<T>(Mat<T>::Zero(state.batch, width()));
    const Var<T>& added = h.config().add == AddMode::emitted ? p["add"] : read_params(ctx.pair)["key"];
    M = erase_add(M, w, erase, added);  // [N x W]
    writes[static_cast<size_t>(j)] = w;
    for (size_t k = 0; k < trackers_.size(); ++k) trackers_[k]->after_write(state.tracked[k], j, w);
  }
  state.memory = M;
  state.write_weights = writes;

  // 4. reads from the written memory
  std::vector<Var<T>> reads(reads_.size());
  for (Index i = 0; i < read_heads(); ++i) {
    AddressContext<T> ctx;
    ctx.memory = M;
    ctx.previous = state.read_weights[static_cast<size_t>(i)];
    ctx.params = &read_params(i);
    ctx.state = &state;
    ctx.kind = HeadKind::read;
    ctx.head = i;
    ctx.pair = i;
    reads[static_cast<size_t>(i)] = reads_[static_cast<size_t>(i)]->address(ctx);
  }
  const Var<T> out = read_memory(reads, M);  // [1 x R W]
  state.read_weights = reads;

  // 5. the trackers, from this step's weightings
  for (size_t k = 0; k < trackers_.size(); ++k)
    trackers_[k]->after_reads(state.tracked[k], {reads, writes, read_values});
  ++state.steps;
  return out;
}

#define INST(T)                       \
  template class Head<T>;             \
  template class ExternalMemory<T>;
INST(float)
INST(double)
#undef INST

}  // namespace engram::memory
