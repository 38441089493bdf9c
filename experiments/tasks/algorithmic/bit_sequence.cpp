// The shared part of the bit-sequence tasks: the wrong-bits metric, the masked loss, split
// storage and the config helpers.
#include "experiments/tasks/algorithmic/bit_sequence.h"

#include "core/ops.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace engram::experiments::algorithmic {

namespace {

void check_episode_shapes(const char* where, Index rows, Index cols, const BitSequenceExample& e) {
  if (rows != e.target.rows() || cols != e.target.cols() || e.mask.rows() != e.target.rows() || e.mask.cols() != 1)
    require(false, where, "logits " + shape_str(rows, cols) + " must match the episode's target " +
                              shape_str(e.target) + " (mask " + shape_str(e.mask) + ", must be [T x 1])");
}

// The steps whose outputs are scored.
std::vector<int> scored_steps(const BitSequenceExample& e) {
  std::vector<int> steps;
  for (Index t = 0; t < e.mask.rows(); ++t)
    if (e.mask(t, 0) != 0) steps.push_back(static_cast<int>(t));
  return steps;
}

}  // namespace

double wrong_bits(const MatF& logits, const BitSequenceExample& e) {
  check_episode_shapes("wrong_bits", logits.rows(), logits.cols(), e);
  double wrong = 0;
  for (Index t = 0; t < logits.rows(); ++t) {
    if (e.mask(t, 0) == 0) continue;
    for (Index j = 0; j < logits.cols(); ++j) wrong += (logits(t, j) >= 0) != (e.target(t, j) >= 0.5f);
  }
  return wrong;
}

Var<float> masked_bce(const Var<float>& logits, const BitSequenceExample& e) {
  check_episode_shapes("masked_bce", logits.rows(), logits.cols(), e);
  const std::vector<int> steps = scored_steps(e);
  require(!steps.empty(), "masked_bce", "the episode has no scored step (its mask is all zero)");
  if (static_cast<Index>(steps.size()) == logits.rows()) return bce_with_logits(logits, e.target);
  MatF target(static_cast<Index>(steps.size()), e.target.cols());  // [scored x output_size]
  for (size_t k = 0; k < steps.size(); ++k) target.row(static_cast<Index>(k)) = e.target.row(steps[k]);
  // the scored steps of the tasks here are one contiguous block: a slice, else a gather
  const bool contiguous = steps.back() - steps.front() + 1 == static_cast<int>(steps.size());
  const Var<float> z = contiguous ? slice_rows(logits, steps.front(), static_cast<Index>(steps.size()))
                                  : gather_rows(logits, steps);
  return bce_with_logits(z, target);
}

Metrics bit_sequence_metrics(ThreadPool& pool, const std::vector<BitSequenceExample>& episodes,
                             const std::function<Var<float>(const BitSequenceExample&)>& logits) {
  const Index n = static_cast<Index>(episodes.size());
  require(n > 0, "bit_sequence_metrics", "no episodes to evaluate");
  std::vector<double> losses(static_cast<size_t>(n)), wrong(static_cast<size_t>(n));
  pool.parallel_for(n, [&](Index i) {
    NoGradGuard no_grad;  // per thread
    const BitSequenceExample& e = episodes[static_cast<size_t>(i)];
    const Var<float> z = logits(e);
    losses[static_cast<size_t>(i)] = masked_bce(z, e).item();
    wrong[static_cast<size_t>(i)] = wrong_bits(z.value(), e);
  });
  double loss = 0, bits = 0, failed = 0;
  for (size_t i = 0; i < losses.size(); ++i) {
    loss += losses[i];
    bits += wrong[i];
    failed += wrong[i] > 0;
  }
  return {{"loss", loss / double(n)}, {"bits_per_seq", bits / double(n)}, {"error", failed / double(n)}};
}

MatF random_bits(Index rows, Index cols, Rng& rng) {
  MatF m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.next_u64() >> 63);
  return m;
}

int uniform_int(Rng& rng, int lo, int hi) {
  return lo + static_cast<int>(rng.below(static_cast<std::uint64_t>(hi - lo) + 1));
}

std::vector<int> read_int_list(Section& cfg, const std::string& key, const std::vector<int>& def, long long lo,
                               long long hi) {
  std::vector<std::string> defs;
  for (int d : def) defs.push_back(std::to_string(d));
  std::vector<int> out;
  std::set<int> seen;
  for (const std::string& text : cfg.strings(key, defs)) {
    long long v = 0;
    size_t used = 0;
    try {
      v = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size()) cfg.fail(key, "must be a list of integers, got '" + text + "'");
    if (v < lo || v > hi)
      cfg.fail(key, "entries must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + text);
    if (!seen.insert(static_cast<int>(v)).second) cfg.fail(key, "lists " + text + " twice");
    out.push_back(static_cast<int>(v));
  }
  return out;
}

void require_ordered(Section& cfg, const std::string& min_key, long long min, const std::string& max_key,
                     long long max) {
  if (min > max)
    cfg.fail(max_key, "must be >= " + (cfg.path().empty() ? "" : cfg.path() + ".") + min_key + " (" +
                          std::to_string(min) + "), got " + std::to_string(max));
}

}  // namespace engram::experiments::algorithmic
