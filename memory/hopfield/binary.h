// engram/memory/hopfield/binary.h — the binary (+-1) Hopfield network: weights, thresholds,
// energy, synchronous and asynchronous dynamics, batched retrieval.
//
//   W: [N x N] weights (effective weights are scale * W, see below), theta: [1 x N] thresholds.
//   fields  h = scale * W s - theta                      (s a +-1 state, a [1 x N] row)
//   energy  E(s) = -1/2 scale s^T W s + theta^T s
//   update  s_i <- sign(h_i) with sign(0) = +1 (hopfield::sign), everywhere in engram.
// For symmetric W with W_ii >= 0, every asynchronous flip lowers E or leaves it unchanged
// (dE = 2 (s_i h_i - scale W_ii) <= 0, s_i before the flip), so asynchronous dynamics reach a
// fixed point; synchronous dynamics reach a fixed point or a 2-cycle (Goles et al. 1985).
//
// Exactness. The weights are kept as scale * matrix: Hebbian storage keeps the integer matrix
// X^T X - P I with scale 1/N (rules.h, ScaledWeights). Then W s is a sum of integers below 2^24
// (need (N-1) P < 2^24), exact in float whatever the summation order, GEMM kernel, batch layout
// or thread count, and with theta = 0 the sign of scale * (W s) is the sign of the integer
// field. That is what makes the dense path agree bit for bit with the bit-packed retrieval of
// packed.h. For non-integer weights (Storkey, pseudo-inverse) fields are ordinary float sums:
// results do not depend on the thread count, but a field within rounding of 0 may round
// differently in run() (a matrix-vector product) and run_batch() (GEMMs over blocks of probes).
#pragma once

#include "memory/hopfield/patterns.h"
#include "memory/hopfield/rules.h"

#include <functional>
#include <vector>

namespace engram {
class ThreadPool;
}

namespace engram::hopfield {

enum class Update { synchronous, asynchronous };

struct RunOptions {
  Update update = Update::synchronous;
  // Synchronous: at most this many updates s(t+1) = sign(h(s(t))). Asynchronous: at most this
  // many sweeps, each visiting every unit once in a fresh random order (rng.permutation(N)).
  int max_sweeps = 100;
  bool record_energy = false;  // RunStats::energy
  bool record_flips = false;   // asynchronous only: RunStats::flip_energy
};

struct RunStats {
  // Sweeps (synchronous updates) performed, including the last one that found the fixed
  // point or closed the 2-cycle: a probe that already is a fixed point has sweeps = 1.
  int sweeps = 0;
  bool converged = false;  // ended at a fixed point
  bool two_cycle = false;  // synchronous only: s(t) == s(t-2) != s(t-1); the run stops there
  // With record_energy: E of the initial state, then of the state after each sweep
  // (sweeps + 1 values).
  std::vector<double> energy;
  // With record_flips (asynchronous): E after every single-unit flip, in order, from the
  // maintained fields (O(N) per flip in the dense path, O(P) in the packed path).
  std::vector<double> flip_energy;
};

struct RunResult : RunStats {
  Eigen::RowVectorXf state;  // [1 x N] final state
};

struct BatchResult {
  States states;                // [B x N] final states, row b for probe b
  std::vector<RunStats> stats;  // one per probe
  Index converged_count() const;
};

// Throws unless `options` are valid (max_sweeps >= 1; record_flips only with asynchronous).
void check_run_options(const RunOptions& options, const char* where);

// Throws std::invalid_argument unless `probes` is [B x N] (any B >= 0) of +-1 values; the
// message names `where` and the expected and actual shapes, or the offending entry.
void check_probes(const States& probes, Index N, const char* where);
// The shape half of check_probes (for callers whose next step checks the values anyway).
void check_probe_shape(const States& probes, Index N, const char* where);

class BinaryHopfield {
 public:
  // W: [N x N], N >= 1, finite. theta: empty (zero thresholds) or [1 x N]. scale > 0.
  explicit BinaryHopfield(MatF W, Eigen::RowVectorXf theta = {}, float scale = 1.0f);

  // Weights from a learning rule (its scaled_weights), zero thresholds.
  // patterns: [P x N] +-1.
  static BinaryHopfield store(const States& patterns, const LearningRule& rule);

  Index size() const { return w_.rows(); }  // N
  const MatF& matrix() const { return w_; }
  float scale() const { return scale_; }
  MatF weights() const { return scale_ * w_; }  // effective [N x N]
  const Eigen::RowVectorXf& thresholds() const { return theta_; }  // [1 x N]
  bool symmetric() const { return wt_.size() == 0; }

  // The same network with W replaced by W .* adjacency (adjacency: [N x N] of 0/1, see
  // mask_weights): diluted connectivity, e.g. a graph from topology.h.
  BinaryHopfield masked(const MatF& adjacency) const;

  // states: [B x N] +-1 -> [B x N] fields h = scale * S W^T - theta. One GEMM, O(B N^2).
  MatF fields(const States& states) const;
  // states: [B x N] +-1 -> [B] energies E(s), in double. O(B N^2).
  Eigen::VectorXd energy(const States& states) const;
  // One synchronous update of a batch: [B x N] -> sign(fields). One GEMM.
  States one_step(const States& probes) const;
  // One asynchronous sweep of one state visiting units in `order` (any sequence of unit
  // indices, e.g. 0..N-1 for the deterministic sweep of landscape.h). O(N^2 + flips N).
  Eigen::RowVectorXf sweep(const Eigen::RowVectorXf& state, const std::vector<int>& order) const;

  // Runs the dynamics from one probe ([1 x N] +-1) until a fixed point (or, synchronous, a
  // 2-cycle) or max_sweeps. Asynchronous sweeps draw their orders from `rng`; fields are
  // maintained incrementally, O(N) per flip, so a sweep costs O(N + flips N) after an O(N^2)
  // start. Synchronous: one matrix-vector product per step, O(N^2).
  RunResult run(const Eigen::RowVectorXf& probe, const RunOptions& options, Rng& rng) const;

  // Runs every row of probes ([B x N] +-1) as run() does. Probe b draws from rng.child(b), so
  // the result does not depend on `pool` or its thread count. Synchronous runs go in fixed
  // blocks of probes, one GEMM per step over the block's unfinished probes (O(B N^2) per
  // step); asynchronous runs are independent per probe. Parallel over blocks/probes on `pool`.
  BatchResult run_batch(const States& probes, const RunOptions& options, const Rng& rng,
                        ThreadPool* pool = nullptr) const;

 private:
  // Runs probes rows [begin, end) synchronously into `out` (see run_batch).
  void run_sync_block(const States& probes, Index begin, Index end, const RunOptions& options,
                      BatchResult& out) const;
  // One probe asynchronously: `state` in, final state out.
  RunStats run_async(Eigen::Ref<Eigen::RowVectorXf> state, const RunOptions& options, Rng& rng) const;
  // One sweep over `order` updating state s and fields f = W s in place; calls on_flip (if not
  // null) after each flip. Returns the number of flips.
  int sweep_in_place(Eigen::Ref<Eigen::RowVectorXf> s, Eigen::Ref<Eigen::RowVectorXf> f,
                     const std::vector<int>& order, const std::function<void()>* on_flip) const;
  // E from a state and its unscaled fields f = W s.
  double energy_from_fields(const Eigen::Ref<const Eigen::RowVectorXf>& s,
                            const Eigen::Ref<const Eigen::RowVectorXf>& f) const;

  MatF w_;                    // [N x N]
  MatF wt_;                   // W^T when W is not symmetric (rows = columns of W), else empty
  Eigen::RowVectorXf theta_;  // [1 x N]
  float scale_ = 1.0f;
};

// W .* adjacency. adjacency: [N x N] with entries exactly 0 or 1 (symmetric for a symmetric
// network, not required); throws naming the first bad entry or the shape mismatch.
MatF mask_weights(const MatF& W, const MatF& adjacency);

namespace detail {
// The bookkeeping every synchronous driver shares (dense here, bit-packed in packed.h), one
// probe and one step at a time. Step t (1-based) has computed s(t) from s(t-1).
//   same_as_current:  s(t) == s(t-1)            -> converged
//   same_as_previous: t >= 2 and s(t) == s(t-2)  -> two_cycle
//   otherwise, t == max_sweeps                  -> finished without converging
// With record_energy, appends E(s(t-1)) (`energy_current`), and when the run finishes also
// E(s(t)): known for a fixed point or 2-cycle, else from `energy_next()`.
// Updates stats.sweeps/converged/two_cycle and returns true when the probe is finished.
bool sync_step(RunStats& stats, int t, bool same_as_current, bool same_as_previous, const RunOptions& options,
               double energy_current, const std::function<double()>& energy_next);

// The asynchronous driver every implementation shares: sweep t = 1..max_sweeps draws its
// visiting order as rng.permutation(N) and calls sweep(order) (which returns its number of
// flips and may append to stats.flip_energy); stops after the first sweep without a flip
// (converged). With record_energy, appends energy() before the first and after every sweep.
void async_run(RunStats& stats, Index N, const RunOptions& options, Rng& rng,
               const std::function<int(const std::vector<int>& order)>& sweep, const std::function<double()>& energy);

// fn(i) for i in [0, n): on `pool` when given, else in order on the caller's thread.
void parallel_for(ThreadPool* pool, Index n, const std::function<void(Index)>& fn);
}  // namespace detail

}  // namespace engram::hopfield
