#include "memory/hopfield/binary.h"

#include "core/parallel.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace engram::hopfield {

namespace {
// Probes per block of synchronous run_batch: one GEMM per step over a block's unfinished
// probes. Fixed (not derived from the thread count), so results do not depend on the pool.
// bench_hopfield (1024 probes, N = 1024): 256 is as fast as one GEMM over all probes, 64 is 6%
// slower.
constexpr Index kSyncBlock = 256;
}  // namespace

Index BatchResult::converged_count() const {
  return Index(std::count_if(stats.begin(), stats.end(), [](const RunStats& s) { return s.converged; }));
}

void check_run_options(const RunOptions& options, const char* where) {
  require(options.max_sweeps >= 1, where, "max_sweeps must be >= 1, got " + std::to_string(options.max_sweeps));
  require(!options.record_flips || options.update == Update::asynchronous, where,
          "record_flips needs asynchronous updates");
}

void check_probe_shape(const States& probes, Index N, const char* where) {
  require_lazy(probes.cols() == N, where, [&] {
    return "states must be [B x " + std::to_string(N) + "] for N = " + std::to_string(N) + ", got " + shape_str(probes);
  });
}

void check_probes(const States& probes, Index N, const char* where) {
  check_probe_shape(probes, N, where);
  require_binary(probes, where);
}

BinaryHopfield::BinaryHopfield(MatF W, Eigen::RowVectorXf theta, float scale)
    : w_(std::move(W)), theta_(std::move(theta)), scale_(scale) {
  const Index N = w_.rows();
  require(N >= 1 && w_.cols() == N, "BinaryHopfield", "weights must be [N x N] with N >= 1, got " + shape_str(w_));
  require(w_.allFinite(), "BinaryHopfield", "weights must be finite");
  if (theta_.size() == 0) theta_ = Eigen::RowVectorXf::Zero(N);
  require(theta_.cols() == N, "BinaryHopfield",
          "thresholds must be [1 x " + std::to_string(N) + "], got " + shape_str(theta_));
  require(theta_.allFinite(), "BinaryHopfield", "thresholds must be finite");
  require(std::isfinite(scale_) && scale_ > 0.0f, "BinaryHopfield", "scale must be > 0, got " + num_str(scale_));
  if (w_ != w_.transpose()) wt_ = w_.transpose();
}

BinaryHopfield BinaryHopfield::store(const States& patterns, const LearningRule& rule) {
  ScaledWeights w = rule.scaled_weights(patterns);
  return BinaryHopfield(std::move(w.matrix), {}, w.scale);
}

BinaryHopfield BinaryHopfield::masked(const MatF& adjacency) const {
  return BinaryHopfield(mask_weights(w_, adjacency), theta_, scale_);
}

MatF BinaryHopfield::fields(const States& states) const {
  check_probes(states, size(), "BinaryHopfield::fields");
  MatF h = scale_ * (states * w_.transpose());  // [B x N] [N x N] -> [B x N]
  h.rowwise() -= theta_;
  return h;
}

double BinaryHopfield::energy_from_fields(const Eigen::Ref<const Eigen::RowVectorXf>& s,
                                          const Eigen::Ref<const Eigen::RowVectorXf>& f) const {
  const double sws = s.cast<double>().dot(f.cast<double>());  // s^T W s
  return -0.5 * double(scale_) * sws + s.cast<double>().dot(theta_.cast<double>());
}

Eigen::VectorXd BinaryHopfield::energy(const States& states) const {
  check_probes(states, size(), "BinaryHopfield::energy");
  const MatF f = states * w_.transpose();  // [B x N], unscaled W s per row
  Eigen::VectorXd e(states.rows());
  for (Index b = 0; b < states.rows(); ++b) e[b] = energy_from_fields(states.row(b), f.row(b));
  return e;
}

States BinaryHopfield::one_step(const States& probes) const { return sign(fields(probes)); }

int BinaryHopfield::sweep_in_place(Eigen::Ref<Eigen::RowVectorXf> s, Eigen::Ref<Eigen::RowVectorXf> f,
                                   const std::vector<int>& order, const std::function<void()>* on_flip) const {
  const MatF& columns = symmetric() ? w_ : wt_;  // row i holds column i of W
  int flips = 0;
  for (const int i : order) {
    const float h = scale_ * f[i] - theta_[i];
    const float next = h >= 0.0f ? 1.0f : -1.0f;  // sign(0) = +1
    if (next == s[i]) continue;
    const float d = next - s[i];  // +-2
    s[i] = next;
    f += d * columns.row(i);  // W s after the flip: O(N); exact for integer-valued W
    ++flips;
    if (on_flip) (*on_flip)();
  }
  return flips;
}

Eigen::RowVectorXf BinaryHopfield::sweep(const Eigen::RowVectorXf& state, const std::vector<int>& order) const {
  check_probes(state, size(), "BinaryHopfield::sweep");
  for (const int i : order)
    require(i >= 0 && i < size(), "BinaryHopfield::sweep",
            "unit " + std::to_string(i) + " in the order is outside [0, " + std::to_string(size()) + ")");
  Eigen::RowVectorXf s = state;
  Eigen::RowVectorXf f = s * w_.transpose();  // [1 x N]
  sweep_in_place(s, f, order, nullptr);
  return s;
}

RunStats BinaryHopfield::run_async(Eigen::Ref<Eigen::RowVectorXf> state, const RunOptions& options,
                                   Rng& rng) const {
  RunStats stats;
  Eigen::RowVectorXf f = state * w_.transpose();  // [1 x N] unscaled fields W s, kept current
  const std::function<void()> record_flip = [&] { stats.flip_energy.push_back(energy_from_fields(state, f)); };
  detail::async_run(
      stats, size(), options, rng,
      [&](const std::vector<int>& order) {
        return sweep_in_place(state, f, order, options.record_flips ? &record_flip : nullptr);
      },
      [&] { return energy_from_fields(state, f); });
  return stats;
}

void BinaryHopfield::run_sync_block(const States& probes, Index begin, Index end, const RunOptions& options,
                                    BatchResult& out) const {
  const Index rows = end - begin;
  States cur = probes.middleRows(begin, rows);  // s(t-1) of every probe of the block
  States prev(rows, size());                    // s(t-2)
  std::vector<Index> active(static_cast<size_t>(rows)), still;
  std::iota(active.begin(), active.end(), Index{0});
  for (int t = 1; !active.empty(); ++t) {
    const States sa = cur(active, Eigen::all);  // [a x N] the unfinished probes
    const MatF f = sa * w_.transpose();         // [a x N] one GEMM: unscaled fields W s
    still.clear();
    for (size_t k = 0; k < active.size(); ++k) {
      const Index r = active[k];
      Eigen::RowVectorXf next = scale_ * f.row(Index(k)) - theta_;
      next = sign(next);
      const bool same_cur = next == cur.row(r);
      const bool same_prev = t >= 2 && next == prev.row(r);
      const double e_cur = options.record_energy ? energy_from_fields(cur.row(r), f.row(Index(k))) : 0.0;
      const bool done = detail::sync_step(out.stats[size_t(begin + r)], t, same_cur, same_prev, options, e_cur,
                                          [&] { return energy(next)[0]; });
      prev.row(r) = cur.row(r);
      cur.row(r) = next;
      if (!done) still.push_back(r);
    }
    active.swap(still);
  }
  out.states.middleRows(begin, rows) = cur;
}

RunResult BinaryHopfield::run(const Eigen::RowVectorXf& probe, const RunOptions& options, Rng& rng) const {
  check_probes(probe, size(), "BinaryHopfield::run");
  check_run_options(options, "BinaryHopfield::run");
  RunResult result;
  if (options.update == Update::asynchronous) {
    result.state = probe;
    static_cast<RunStats&>(result) = run_async(result.state, options, rng);
  } else {
    BatchResult one{probe, std::vector<RunStats>(1)};
    run_sync_block(one.states, 0, 1, options, one);
    result.state = one.states.row(0);
    static_cast<RunStats&>(result) = std::move(one.stats[0]);
  }
  return result;
}

BatchResult BinaryHopfield::run_batch(const States& probes, const RunOptions& options, const Rng& rng,
                                      ThreadPool* pool) const {
  check_probes(probes, size(), "BinaryHopfield::run_batch");
  check_run_options(options, "BinaryHopfield::run_batch");
  const Index B = probes.rows();
  BatchResult out{States(B, size()), std::vector<RunStats>(static_cast<size_t>(B))};
  if (options.update == Update::asynchronous) {
    detail::parallel_for(pool, B, [&](Index b) {
      Rng r = rng.child(std::uint64_t(b));
      Eigen::RowVectorXf s = probes.row(b);
      out.stats[size_t(b)] = run_async(s, options, r);
      out.states.row(b) = s;
    });
  } else {
    const Index blocks = (B + kSyncBlock - 1) / kSyncBlock;
    detail::parallel_for(pool, blocks, [&](Index k) {
      run_sync_block(probes, k * kSyncBlock, std::min(B, (k + 1) * kSyncBlock), options, out);
    });
  }
  return out;
}

MatF mask_weights(const MatF& W, const MatF& adjacency) {
  require(adjacency.rows() == W.rows() && adjacency.cols() == W.cols(), "mask_weights",
          "adjacency " + shape_str(adjacency) + " does not match weights " + shape_str(W));
  for (Index i = 0; i < adjacency.rows(); ++i)
    for (Index j = 0; j < adjacency.cols(); ++j)
      require(adjacency(i, j) == 0.0f || adjacency(i, j) == 1.0f, "mask_weights",
              "adjacency must be 0/1, got " + num_str(adjacency(i, j)) + " at row " + std::to_string(i) +
                  ", column " + std::to_string(j));
  return W.cwiseProduct(adjacency);
}

namespace detail {

bool sync_step(RunStats& stats, int t, bool same_as_current, bool same_as_previous, const RunOptions& options,
               double energy_current, const std::function<double()>& energy_next) {
  stats.sweeps = t;
  if (options.record_energy) stats.energy.push_back(energy_current);
  if (same_as_current) stats.converged = true;
  else if (same_as_previous) stats.two_cycle = true;
  else if (t < options.max_sweeps) return false;
  if (options.record_energy)
    stats.energy.push_back(same_as_current    ? energy_current
                           : same_as_previous ? stats.energy[stats.energy.size() - 2]
                                              : energy_next());
  return true;
}

void async_run(RunStats& stats, Index N, const RunOptions& options, Rng& rng,
               const std::function<int(const std::vector<int>& order)>& sweep, const std::function<double()>& energy) {
  if (options.record_energy) stats.energy.push_back(energy());
  for (int t = 1; t <= options.max_sweeps; ++t) {
    const int flips = sweep(rng.permutation(int(N)));
    stats.sweeps = t;
    if (options.record_energy) stats.energy.push_back(energy());
    if (flips == 0) {
      stats.converged = true;
      break;
    }
  }
}

void parallel_for(ThreadPool* pool, Index n, const std::function<void(Index)>& fn) {
  if (pool) {
    pool->parallel_for(n, fn);
  } else {
    for (Index i = 0; i < n; ++i) fn(i);
  }
}

}  // namespace detail
}  // namespace engram::hopfield
