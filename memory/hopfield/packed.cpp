#include "memory/hopfield/packed.h"

#include "core/parallel.h"
#include "memory/hopfield/packed_kernels.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>


namespace engram::hopfield {

namespace {

// Probes per block of synchronous run_batch (the unit of work on the pool). Results are exact
// integers, so the block size affects speed only.
constexpr Index kSyncBlock = 32;

// Probes per call of the fields kernel (8 share each load of a pattern column: measured 9%
// faster than 4, 35% faster than 1).
constexpr int kKernelProbes = 8;

// A step with f flips updates the fields per flip when f ceil(P/64) 64 <= kFlipUpdateRatio P_pad
// (f <= kFlipUpdateRatio for P a multiple of 64), else runs the kernel. Measured on
// bench_hopfield (N = 1024, P = 128, synchronous): 10% less CPU time than always running the
// kernel; ratios 2 to 4 are alike, 6 and more slower.
constexpr Index kFlipUpdateRatio = 4;

// With the Hamming table (N <= kTableMaxN, P <= 255: N^2 bytes, 1 MiB at N = 1024, 16 MiB at
// most), a step of f <= kTableFlips flips updates the fields from the table's rows (f N byte
// adds) instead of running the kernel (N P multiply-adds). Measured on bench_hopfield (N = 1024,
// P = 128, synchronous, CPU time): limits 16 and 64 alike, 128 and 256 10% slower (the first
// step's ~100 flips are then cheaper by the kernel), 0 (kernel only) twice as slow.
constexpr Index kTableMaxN = 4096;
constexpr Index kTableFlips = 64;

inline int sign_bit(const std::uint64_t* s, Index i) { return (s[i >> 6] >> (i & 63)) & 1u ? 1 : -1; }

}  // namespace

PackedStates::PackedStates(const States& x, const char* where, ThreadPool* pool)
    : rows_(x.rows()), cols_(x.cols()), words_((x.cols() + 63) / 64) {
  bits_.resize(static_cast<size_t>(rows_ * words_));
  if (rows_ == 0 || cols_ == 0) return;
  // each row checked (+-1; NaN is not) and packed in one pass over it, rows in parallel; a bad
  // entry is then named by require_binary's ordered search (the same message at any thread count)
  std::vector<char> binary(static_cast<size_t>(rows_));
  const auto& k = detail::packed_kernels();
  detail::parallel_for(pool, rows_, [&](Index r) {
    const float* v = &x(r, 0);
    binary[size_t(r)] = char(all_binary(v, cols_));
    k.pack_signs(v, cols_, row(r));
  });
  if (std::find(binary.begin(), binary.end(), 0) != binary.end()) require_binary(x, where);
}

States PackedStates::unpack() const {
  States x(rows_, cols_);
  const auto& k = detail::packed_kernels();
  if (cols_ > 0)
    for (Index r = 0; r < rows_; ++r) k.unpack_signs(row(r), cols_, &x(r, 0));
  return x;
}

// Scratch of one thread: a block of probes (synchronous) or one probe (asynchronous).
struct PackedHebbian::Workspace {
  Workspace(Index rows, Index N, Index Pp, Index words, Index P)
      : cur(size_t(rows * words)), prev(size_t(rows * words)), next(size_t(words)), m(size_t(rows * Pp), 0),
        m_next(size_t(Pp), 0), h(size_t(rows * N)), pop(size_t(std::max(N, P))) {
    js.reserve(size_t(N));
    minus.reserve(size_t(N));
  }
  std::vector<std::uint64_t> cur, prev, next;  // [rows x words] s(t-1), s(t-2); [words] s(t)
  std::vector<std::int16_t> m, m_next;         // [rows x Pp] overlaps of cur; [Pp] scratch
  std::vector<std::int32_t> h;                 // [rows x N] fields of cur
  std::vector<std::int32_t> pop;               // [max(N, P)] popcount scratch
  std::vector<std::int32_t> js, minus;         // the flips of a step to +1, to -1
};

PackedHebbian::PackedHebbian(const States& patterns) {
  check_patterns(patterns, "PackedHebbian");
  n_ = patterns.cols();
  p_ = patterns.rows();
  require(n_ <= std::numeric_limits<std::int16_t>::max(), "PackedHebbian",
          "N must be <= 32767 (int16 overlaps), got " + std::to_string(n_));
  require(n_ * p_ < (Index{1} << 31), "PackedHebbian",
          "P N must be < 2^31 (int32 fields), got P = " + std::to_string(p_) + ", N = " + std::to_string(n_));
  p_pad_ = (p_ + 15) / 16 * 16;
  x_ = PackedStates(patterns);
  columns_ = PackedStates(States(patterns.transpose()));
  xt_.assign(size_t(n_ * p_pad_), 0);
  for (Index i = 0; i < n_; ++i)
    for (Index mu = 0; mu < p_; ++mu) xt_[size_t(i * p_pad_ + mu)] = std::int16_t(patterns(mu, i));
  xp_ = detail::pair_layout(xt_.data(), n_, p_pad_);
  if (n_ <= kTableMaxN && p_ >= 1 && p_ <= 255) {
    ham_.resize(size_t(n_ * n_));
    std::vector<std::int32_t> row(static_cast<size_t>(n_));
    for (Index j = 0; j < n_; ++j) {
      detail::packed_kernels().xor_popcounts(columns_.row(0), n_, columns_.words(), columns_.row(j), row.data());
      for (Index i = 0; i < n_; ++i) ham_[size_t(j * n_ + i)] = std::uint8_t(row[size_t(i)]);
    }
  }
}

PackedStates PackedHebbian::pack_probes(const States& probes, const char* where, ThreadPool* pool) const {
  check_probe_shape(probes, n_, where);
  return PackedStates(probes, where, pool);  // checks the +-1 values (one pass over the probes, not two)
}

float PackedHebbian::scale() const { return 1.0f / float(n_); }  // as the dense Hebbian rule

void PackedHebbian::overlaps_of(const std::uint64_t* state, std::int16_t* m, std::int32_t* pop) const {
  detail::packed_kernels().xor_popcounts(x_.row(0), p_, x_.words(), state, pop);
  for (Index mu = 0; mu < p_; ++mu) m[mu] = std::int16_t(n_ - 2 * pop[mu]);  // agreements - disagreements
}

void PackedHebbian::fields_of(const std::int16_t* const* m, const std::uint64_t* const* state, std::int32_t* const* h,
                              int count) const {
  detail::packed_kernels().fields(xp_.data(), n_, p_pad_, std::int32_t(p_), m, state, h, count);
}

void PackedHebbian::add_flip(Index j, std::int32_t s2, std::int16_t* m, std::int32_t* h) const {
  const std::int16_t* xj = xt_.data() + j * p_pad_;
  for (Index k = 0; k < p_pad_; ++k) m[k] = std::int16_t(m[k] + s2 * xj[k]);  // m += 2 s_j x_.j
  if (!h) return;
  // h_i += 2 s_j C_ij for i != j; h_j is unchanged (C_jj = P cancels the - P s_j term)
  const auto& k = detail::packed_kernels();
  if (!ham_.empty()) {
    const std::int32_t jj = std::int32_t(j);
    k.add_flip_rows(ham_.data(), n_, &jj, s2 > 0 ? 1 : 0, 1, std::int32_t(p_), h);
  } else {
    k.add_column_products(columns_.row(0), n_, columns_.words(), columns_.row(j), s2, std::int32_t(p_), h);
  }
  h[j] -= s2 * std::int32_t(p_);
}

void PackedHebbian::flip_update(const std::uint64_t* before, const std::uint64_t* after, std::int16_t* m, std::int32_t* h,
                                std::vector<std::int32_t>& js, std::vector<std::int32_t>& minus) const {
  const bool table = h && !ham_.empty();
  require(!(table && m), "PackedHebbian::flip_update", "with the Hamming table the overlaps are not followed: pass m = null");
  js.clear();
  minus.clear();
  for (Index w = 0; w < x_.words(); ++w)
    for (std::uint64_t diff = before[w] ^ after[w]; diff; diff &= diff - 1) {
      const Index j = w * 64 + std::countr_zero(diff);
      const std::int32_t sj2 = 2 * sign_bit(after, j);
      if (!table) {
        add_flip(j, sj2, m, h);
        continue;
      }
      (sj2 > 0 ? js : minus).push_back(std::int32_t(j));
    }
  if (!table) return;
  // the kernel takes the flips to +1 first, then those to -1; h_j itself is unchanged by its own
  // flip (C_jj = P cancels the - P s_j term), which the kernel's sum includes: taken out here
  const int f_plus = int(js.size());
  js.insert(js.end(), minus.begin(), minus.end());
  if (js.empty()) return;
  detail::packed_kernels().add_flip_rows(ham_.data(), n_, js.data(), f_plus, int(js.size()), std::int32_t(p_), h);
  const std::int32_t two_p = 2 * std::int32_t(p_);
  for (int k = 0; k < f_plus; ++k) h[js[size_t(k)]] -= two_p;
  for (size_t k = size_t(f_plus); k < js.size(); ++k) h[js[k]] += two_p;
}

bool PackedHebbian::few_flips(Index flips) const {
  if (!ham_.empty()) return flips <= kTableFlips;
  return flips * columns_.words() * 64 <= kFlipUpdateRatio * p_pad_;
}

double PackedHebbian::energy(const std::int16_t* m) const {
  std::int64_t mm = 0;
  for (Index mu = 0; mu < p_; ++mu) mm += std::int64_t(m[mu]) * m[mu];
  // s^T (X^T X - P I) s = |m|^2 - P N, times -1/2 scale: the dense network's formula
  return -0.5 * double(scale()) * double(mm - p_ * n_);
}

MatI PackedHebbian::overlaps(const States& probes, ThreadPool* pool) const {
  const PackedStates s = pack_probes(probes, "PackedHebbian::overlaps", pool);
  MatI out(probes.rows(), p_);
  detail::parallel_for(pool, probes.rows(), [&](Index b) {
    std::vector<std::int32_t> pop(static_cast<size_t>(p_));
    detail::packed_kernels().xor_popcounts(x_.row(0), p_, x_.words(), s.row(b), pop.data());
    for (Index mu = 0; mu < p_; ++mu) out(b, mu) = std::int32_t(n_ - 2 * pop[size_t(mu)]);
  });
  return out;
}

MatI PackedHebbian::fields(const States& probes, ThreadPool* pool) const {
  const PackedStates s = pack_probes(probes, "PackedHebbian::fields", pool);
  const Index B = probes.rows();
  MatI out(B, n_);
  detail::parallel_for(pool, (B + kKernelProbes - 1) / kKernelProbes, [&](Index g) {
    const Index begin = g * kKernelProbes, count = std::min<Index>(kKernelProbes, B - begin);
    std::vector<std::int16_t> mbuf(static_cast<size_t>(count * p_pad_), 0);  // [count x Pp] overlaps
    std::vector<std::int32_t> pop(static_cast<size_t>(p_));
    const std::int16_t* m[kKernelProbes];
    const std::uint64_t* st[kKernelProbes];
    std::int32_t* h[kKernelProbes];
    for (Index r = 0; r < count; ++r) {
      overlaps_of(s.row(begin + r), mbuf.data() + r * p_pad_, pop.data());
      m[r] = mbuf.data() + r * p_pad_;
      st[r] = s.row(begin + r);
      h[r] = &out(begin + r, 0);
    }
    fields_of(m, st, h, int(count));
  });
  return out;
}

States PackedHebbian::one_step(const States& probes, ThreadPool* pool) const {
  const MatI h = fields(probes, pool);
  return h.unaryExpr([](std::int32_t v) { return v >= 0 ? 1.0f : -1.0f; });
}

void PackedHebbian::run_sync_block(const PackedStates& probes, Index begin, Index end, const RunOptions& options,
                                   BatchResult& out) const {
  const Index rows = end - begin, words = x_.words();
  const auto& kernels = detail::packed_kernels();
  Workspace ws(rows, n_, p_pad_, words, p_);
  auto cur = [&](Index r) { return ws.cur.data() + r * words; };
  auto prev = [&](Index r) { return ws.prev.data() + r * words; };
  auto m = [&](Index r) { return ws.m.data() + r * p_pad_; };
  auto h = [&](Index r) { return ws.h.data() + r * n_; };
  // fields from the current overlaps by the multiply-add kernel, for the probes in `list`
  auto kernel_fields = [&](const std::vector<Index>& list) {
    for (size_t k = 0; k < list.size(); k += kKernelProbes) {
      const int count = int(std::min<size_t>(kKernelProbes, list.size() - k));
      const std::int16_t* mp[kKernelProbes];
      const std::uint64_t* sp[kKernelProbes];
      std::int32_t* hp[kKernelProbes];
      for (int q = 0; q < count; ++q) {
        const Index r = list[k + size_t(q)];
        mp[q] = m(r), sp[q] = cur(r), hp[q] = h(r);
      }
      fields_of(mp, sp, hp, count);
    }
  };

  std::vector<Index> active(static_cast<size_t>(rows)), still, need_kernel;
  // With the Hamming table the fields follow the flips without the overlaps; the overlaps are
  // then recomputed (P ceil(N/64) popcounts) only when something reads them: the kernel or the
  // energy. Cheaper than following each flip's O(P) once a step flips more than ~16 units.
  std::vector<char> m_stale(static_cast<size_t>(rows), 0);
  const auto fresh_m = [&](Index r) {
    if (!m_stale[size_t(r)]) return;
    overlaps_of(cur(r), m(r), ws.pop.data());
    m_stale[size_t(r)] = 0;
  };
  for (Index r = 0; r < rows; ++r) {
    std::copy_n(probes.row(begin + r), words, cur(r));
    overlaps_of(cur(r), m(r), ws.pop.data());
    active[size_t(r)] = r;
  }
  kernel_fields(active);
  for (int t = 1; !active.empty(); ++t) {
    still.clear();
    need_kernel.clear();
    for (const Index r : active) {
      kernels.pack_signs(h(r), n_, ws.next.data());  // s(t) = sign(h), sign(0) = +1
      const Index flips = kernels.hamming(ws.next.data(), cur(r), words);
      const bool same_prev = t >= 2 && std::equal(ws.next.begin(), ws.next.end(), prev(r));
      if (options.record_energy) fresh_m(r);
      const double e_cur = options.record_energy ? energy(m(r)) : 0.0;
      const bool done = detail::sync_step(out.stats[size_t(begin + r)], t, flips == 0, same_prev, options, e_cur, [&] {
        overlaps_of(ws.next.data(), ws.m_next.data(), ws.pop.data());
        return energy(ws.m_next.data());
      });
      if (done) {
        kernels.unpack_signs(ws.next.data(), n_, &out.states(begin + r, 0));
        continue;
      }
      std::copy_n(cur(r), words, prev(r));
      std::copy_n(ws.next.data(), words, cur(r));
      // Few flips: the fields follow them (the table's rows, or popcounts of the pattern columns
      // with the overlaps following each flip, see kFlipUpdateRatio); many: the kernel on fresh
      // overlaps.
      const bool few = few_flips(flips), table = few && !ham_.empty();
      if (table) {
        flip_update(prev(r), cur(r), nullptr, h(r), ws.js, ws.minus);
        m_stale[size_t(r)] = 1;
      } else if (few) {
        fresh_m(r);
        flip_update(prev(r), cur(r), m(r), h(r), ws.js, ws.minus);
      } else {
        m_stale[size_t(r)] = 1;
        fresh_m(r);
        need_kernel.push_back(r);
      }
      still.push_back(r);
    }
    kernel_fields(need_kernel);
    active.swap(still);
  }
}

RunStats PackedHebbian::run_async(std::uint64_t* state, const RunOptions& options, Rng& rng, Workspace& ws) const {
  RunStats stats;
  std::int16_t* m = ws.m.data();
  std::int32_t* h = ws.h.data();
  overlaps_of(state, m, ws.pop.data());
  const std::int32_t P = std::int32_t(p_);
  // A visit needs h_i. Either from the overlaps, x_.i . m - P s_i (O(P) per visit), or from
  // fields kept current per flip (O(1) per visit, O(N P/64) per flip). Most flips happen in the
  // first sweep, so a sweep switches to kept fields (one kernel call) once the previous sweep
  // flipped few units, by the synchronous path's criterion. (Keeping them from the start with
  // the Hamming table's O(N) per flip measured 1.8x slower at N = 1024, P = 128.)
  bool fields_kept = false;
  Index last_flips = n_;
  detail::async_run(
      stats, n_, options, rng,
      [&](const std::vector<int>& order) {
        if (!fields_kept && few_flips(last_flips)) {
          const std::int16_t* mp = m;
          const std::uint64_t* sp = state;
          fields_of(&mp, &sp, &h, 1);
          fields_kept = true;
        }
        int flips = 0;
        for (const int i : order) {
          const int s = sign_bit(state, i);
          std::int32_t hi;
          if (fields_kept) {
            hi = h[i];
          } else {
            const std::int16_t* x = xt_.data() + Index(i) * p_pad_;
            std::int32_t dot = 0;
            for (Index k = 0; k < p_pad_; ++k) dot += std::int32_t(x[k]) * m[k];
            hi = dot - P * s;  // h_i = x_.i . m - P s_i
          }
          const int next = hi >= 0 ? 1 : -1;  // sign(0) = +1
          if (next == s) continue;
          state[i >> 6] ^= std::uint64_t{1} << (i & 63);
          add_flip(i, 2 * next, m, fields_kept ? h : nullptr);
          ++flips;
          if (options.record_flips) stats.flip_energy.push_back(energy(m));
        }
        last_flips = flips;
        return flips;
      },
      [&] { return energy(m); });
  return stats;
}

BatchResult PackedHebbian::run_batch(const States& probes, const RunOptions& options, const Rng& rng,
                                     ThreadPool* pool) const {
  check_run_options(options, "PackedHebbian::run_batch");
  PackedStates s = pack_probes(probes, "PackedHebbian::run_batch", pool);
  const Index B = probes.rows();
  BatchResult out{States(B, n_), std::vector<RunStats>(size_t(B))};
  if (options.update == Update::asynchronous) {
    detail::parallel_for(pool, B, [&](Index b) {
      Workspace ws(1, n_, p_pad_, x_.words(), p_);
      Rng r = rng.child(std::uint64_t(b));
      out.stats[size_t(b)] = run_async(s.row(b), options, r, ws);
      detail::packed_kernels().unpack_signs(s.row(b), n_, &out.states(b, 0));
    });
  } else {
    const Index blocks = (B + kSyncBlock - 1) / kSyncBlock;
    detail::parallel_for(pool, blocks, [&](Index k) {
      run_sync_block(s, k * kSyncBlock, std::min(B, (k + 1) * kSyncBlock), options, out);
    });
  }
  return out;
}

}  // namespace engram::hopfield
