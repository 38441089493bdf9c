// engram/memory/addressing.h — how a memory head turns its controller's parameters into a
// weighting over the memory's slots: a pipeline of registered stages, named by a config.
//
//   addressing: [content, interpolate, {name: shift, range: 1}, sharpen]     NTM read and write
//   addressing: [content, allocate]          DNC write      [content, temporal]   DNC read
//   addressing: [lru]                        Santoro write  [content]             Santoro read
//
// Registered stages (memory/addressing/*.cpp; `engram list addressing`):
//   source stages (compute a weighting from scratch; first in a pipeline):
//     content   softmax(beta * cos(M_i, key)) over slots                      NTM, DNC
//     hopfield  softmax(beta * M key) (one modern-Hopfield update, dot product) Ramsauer et al. 2020
//     topk      content addressing restricted to the k most similar slots      sparse reads (Rae et al. 2016)
//     lru       sigma(alpha) w^r_{t-1} + (1 - sigma(alpha)) least-used slot   Santoro et al. 2016
//   refining stages (transform the weighting of the stage before):
//     interpolate  g w + (1 - g) w_{t-1}                                     NTM
//     shift        circular convolution with a softmax kernel over [-R, R]   NTM
//     sharpen      w^gamma / sum(w^gamma)                                     NTM
//     allocate     g^w (g^a a + (1 - g^a) w), a from the usage (sorted)       DNC write heads
//     temporal     pi_b L^T w^r_{t-1} + pi_c w + pi_f L w^r_{t-1}             DNC read heads
// Each file's header comment gives its formula, options and parameters; docs/addressing.md
// walks through adding one.
//
// CONTRACT for an AddressingStage<T> (what a researcher implements to add a scheme):
//   apply(w, ctx) -> [1 x N], a weighting over the N slots.
//   - w is the weighting of the stage before, [1 x N]. A *source* stage (refines() == false)
//     computes its weighting from scratch, gets an undefined w and must be first in a pipeline;
//     a *refining* stage (refines() == true) is never first and always gets a defined w.
//   - ctx (AddressContext below) holds the memory this head addresses [N x W], this head's
//     weighting of the previous step, the values the stage declared in params() (already
//     activated: ctx.param("key")), and the memory's state, where the values of the trackers it
//     declared in trackers() are (tracked<S>(ctx, k)). A stage that needs state no tracker
//     keeps defines its tracker in its own file (memory/state.h: Tracker).
//   - May assume: the memory is [N x W] of the AddressingShape it was built with; w and the
//     previous weighting are [1 x N], >= 0, summing to at most 1; every declared value has its
//     declared size and activation; the declared trackers' values are defined and valid (usage
//     in [0, 1]; each link matrix >= 0 with a zero diagonal and row and column sums <= 1;
//     precedence >= 0 summing to at most 1).
//   - Must return [1 x N] with entries >= 0 summing to at most 1, differentiable in everything it
//     reads that requires a gradient. Discrete choices (a sort, a top-k, a least-used slot) are
//     constants for the gradient; the stage's file says so. The registry-driven test
//     (tests/memory/addressing_test.cpp) Jacobian-checks every registered stage in double in the
//     interface, the memory, w, the previous weighting and the state, and checks the output
//     invariants; bench/memory/bench_addressing benchmarks it. No new test code is needed.
//   - params(): the values the controller must emit for it, in order, each {name, size,
//     activation} (memory/interface.h). Names must be unique within a head; the standard ones are
//     key, beta, gate, shift, gamma, allocation_gate, write_gate, read_mode, alpha.
//   - Is built from (const AddressingShape&, const Options&, Rng&), reads every option it accepts
//     with its default and range, then calls opt.finish("addressing stage '<name>'") so that an
//     unknown option is an error naming it. It is const and thread-safe afterwards: many
//     sequences run it concurrently. Stages with learned weights register them with
//     add_parameter (a stage is a Module<T>); the built-in ones have none.
// Registering: one file under memory/addressing/ (globbed; re-run CMake), one line:
//   ENGRAM_REGISTER_ADDRESSING("content", "softmax(beta cos(M, key))", ContentAddressing);
// where ContentAddressing is a class template over T (registered for float and double).
#pragma once

#include "core/component.h"
#include "core/module.h"
#include "core/ops.h"
#include "core/options.h"
#include "core/registry.h"
#include "core/rng.h"
#include "memory/interface.h"
#include "memory/memory_ops.h"
#include "memory/state.h"
#include "memory/trackers.h"

#include <memory>
#include <string>
#include <vector>

namespace engram::memory {

// Everything a stage may read when it addresses. The memory fills it for each head and step.
template <class T>
struct AddressContext {
  // The memory as this head sees it, [N x W]: for a write head M_{t-1} after the earlier write
  // heads of this step; for a read head M_t, after all writes of this step.
  Var<T> memory;
  // This head's weighting at the previous step, [1 x N] (the memory's initial weighting at t = 0).
  Var<T> previous;
  // This head's emitted values, by name, activations applied (ctx.param("beta"): [1 x 1]).
  const HeadParams<T>* params = nullptr;
  // The memory's state (state.h): state->read_weights[i] is read head i at t-1 (reads are updated
  // last); the values of the trackers the stage declared are read with tracked<S>(ctx, k), as the
  // trackers leave them when this head addresses (links: already updated by this step's writes
  // when a read head addresses, L_t, not yet when a write head does, L_{t-1}; usage: `seen`
  // holds u_t and the writes of the earlier write heads of this step; lru: w^u_{t-1}).
  const MemoryState<T>* state = nullptr;
  HeadKind kind = HeadKind::read;
  Index head = 0;  // index among the heads of its kind
  Index pair = 0;  // for write heads: the read head it works with (lru: whose last read to reuse)

  const Var<T>& param(const std::string& name) const;
};

template <class T>
class AddressingStage : public Module<T> {
 public:
  // The values the controller emits for this stage (default: none).
  virtual std::vector<ParamSpec> params() const { return {}; }
  // true: transforms the weighting of the stage before; false: a source (first stage).
  virtual bool refines() const = 0;
  // The trackers (state.h) whose values it reads (default: none), built for the shape the stage
  // was built for: built-in ones (memory/trackers.h) or its own.
  virtual std::vector<std::shared_ptr<const Tracker<T>>> trackers() const { return {}; }
  // w: [1 x N] (undefined for a source) -> [1 x N]; see the contract above.
  virtual Var<T> apply(const Var<T>& w, const AddressContext<T>& ctx) const = 0;
  // true: apply() also takes B sequences at once (memory [B N x W], w, the previous weighting and
  // the result [B x N], every value one row per sequence: [B x size]), row b of its result being
  // what it gives sequence b alone. A memory runs batches only when all its stages do
  // (ExternalMemory::batches()); the registry test checks each stage that says so and reads no
  // tracker against its sequences one by one (the DNC's stages, through whole networks). Default
  // false: a new stage is safe without thinking about batches.
  virtual bool batches() const { return false; }

  // Called by the memory when it is built: where the value of each tracker of trackers() (in that
  // order) sits in MemoryState::tracked. Unbound, tracker k is at position k (a stage alone).
  void bind_trackers(std::vector<Index> positions) { positions_ = std::move(positions); }

 protected:
  // The value of the k-th tracker of trackers() in this step's state, as type S.
  template <class S>
  const S& tracked(const AddressContext<T>& ctx, size_t k) const {
    const size_t at = positions_.empty() ? k : static_cast<size_t>(positions_[k]);
    require_lazy(ctx.state && at < ctx.state->tracked.size(), "addressing stage", [&] {
      return "needs the value of its tracker " + std::to_string(k) + " in the memory state";
    });
    return std::any_cast<const S&>(ctx.state->tracked[at]);
  }

 private:
  std::vector<Index> positions_;
};

template <class T>
using AddressingFactory = ComponentFactory<AddressingStage<T>, AddressingShape>;

// The registry of addressing stages (kind "addressing stage"), one per scalar type.
template <class T>
Registry<AddressingFactory<T>>& addressing_stages();

// Builds a registered stage by name; unknown names list the known ones and the nearest, unknown
// options are errors naming them (std::invalid_argument).
template <class T>
std::unique_ptr<AddressingStage<T>> make_stage(const std::string& name, const AddressingShape& shape,
                                               const Options& options, Rng& rng) {
  return addressing_stages<T>().get(name)(shape, options, rng);
}

// Registers class template CLASS<T> for float and double under NAME at start-up.
#define ENGRAM_REGISTER_ADDRESSING(NAME, DESCRIPTION, CLASS)                                              \
  [[maybe_unused]] static const bool engram_addressing_registered_##CLASS = ::engram::register_component<CLASS>( \
      ::engram::memory::addressing_stages<float>(), ::engram::memory::addressing_stages<double>(), NAME, DESCRIPTION)

// ---- helpers for stage authors ---------------------------------------------------------------
// Throws std::invalid_argument naming `who` unless x is [1 x shape.slots].
void check_weighting_shape(const char* who, const AddressingShape& shape, Index rows, Index cols);
// Throws unless shape.slots >= 1 and shape.width >= 1 (every stage constructor calls it).
void check_shape(const char* who, const AddressingShape& shape);
// The differentiable building blocks (slot_cosine, softmax_scaled, interpolate, scale_by,
// allocation_weighting, temporal_weighting, ...) are in memory/memory_ops.h, included here.

// The key strength beta of content-style stages (content, topk): emitted by the controller as
// the parameter "beta" through `beta_activation` (oneplus, default, or softplus), or fixed by
// the option `beta`. Reads both options (giving both is an error); add_params appends the
// "beta" spec when emitted; normalize(s) = softmax(beta * s) over slots.
template <class T>
class KeyStrength {
 public:
  explicit KeyStrength(const Options& opt)
      : fixed_(opt.has("beta")), beta_(static_cast<T>(opt.number("beta", 1.0, 0.0))) {
    require(!(fixed_ && opt.has("beta_activation")), "beta_activation",
            "has no effect when the option beta fixes the key strength");
    activation_ = parse_activation(opt.choice("beta_activation", "oneplus", {"oneplus", "softplus"}));
  }
  void add_params(std::vector<ParamSpec>& p) const {
    if (!fixed_) p.push_back({"beta", 1, activation_});
  }
  // scores: [1 x N] -> [1 x N]
  Var<T> normalize(const Var<T>& scores, const AddressContext<T>& ctx) const {
    return fixed_ ? softmax(scores, beta_) : softmax_scaled(scores, ctx.param("beta"));
  }

 private:
  bool fixed_;
  T beta_;
  Activation activation_ = Activation::oneplus;
};

// ---- pipelines -------------------------------------------------------------------------------
// One stage of a pipeline as a config names it: {name: shift, range: 2} -> {"shift", range=2}.
struct StageConfig {
  std::string name;
  Options options = {};
};

// A list of stage names without options: stages({"content", "interpolate", "shift", "sharpen"}).
std::vector<StageConfig> stages(const std::vector<std::string>& names);

// The stages of one head, run in order. Validated at construction: at least one stage, the first
// a source and the others refining, parameter names unique (std::invalid_argument naming
// `owner`, the position and the stage otherwise). A Module: owns the stages' parameters, if any.
template <class T>
class Pipeline : public Module<T> {
 public:
  Pipeline(const std::vector<StageConfig>& stages, const AddressingShape& shape, Rng& rng,
           const std::string& owner = "addressing");

  // The values all stages need, in stage order.
  const std::vector<ParamSpec>& params() const { return params_; }
  // Every stage's trackers, in stage order (the same kind may appear more than once).
  std::vector<std::shared_ptr<const Tracker<T>>> trackers() const;
  // Binds every stage to the memory's trackers, given the memory's tracker keys in order.
  void bind_trackers(const std::vector<std::string>& memory_keys);
  Index size() const { return static_cast<Index>(stages_.size()); }
  const AddressingStage<T>& stage(Index i) const { return *stages_[static_cast<size_t>(i)]; }
  const std::string& stage_name(Index i) const { return names_[static_cast<size_t>(i)]; }
  // "content -> interpolate -> shift -> sharpen"
  std::string describe() const;
  // The first stage that takes one sequence at a time (AddressingStage::batches()), -1: none.
  Index first_unbatched() const;

  // Runs every stage: ctx -> [1 x N].
  Var<T> apply(const AddressContext<T>& ctx) const;

 private:
  std::vector<std::unique_ptr<AddressingStage<T>>> stages_;
  std::vector<std::string> names_;
  std::vector<ParamSpec> params_;
};

template <class T>
std::unique_ptr<Pipeline<T>> make_pipeline(const std::vector<StageConfig>& stages, const AddressingShape& shape,
                                           Rng& rng) {
  return std::make_unique<Pipeline<T>>(stages, shape, rng);
}

}  // namespace engram::memory
