// engram/memory/hopfield/packed.h — bit-packed Hebbian retrieval: the same dynamics as
// BinaryHopfield::store(X, hebbian) (binary.h), in integers, without an N x N weight matrix.
//
// Packing: 64 +-1 values per std::uint64_t, bit j % 64 of word j / 64 set where the value is +1;
// the padding bits of a row's last word are 0 (so XOR of two rows has 0 padding).
// With patterns X: [P x N] and a state s: [1 x N]
//   overlaps  m_mu = x_mu . s = N - 2 popcount(x_mu XOR s)          (integers in [-N, N])
//   fields    h = X^T m - P s  = (X^T X - P I) s                    (= N x the dense fields)
// i.e. the Hebbian field with zero diagonal through the pattern overlaps. Signs of h are
// exactly those of the dense network (whose fields are these integers times 1/N, computed
// exactly in float; see binary.h), so every run here returns the same final states, sweeps,
// converged and two_cycle flags as BinaryHopfield::run_batch for the same probes, options and
// Rng, and the same recorded energies E = -(|m|^2 - P N) / (2N).
//
// Costs per probe (B probes run as a batch, parallel over probes on an optional ThreadPool):
//   overlaps: P * ceil(N/64) XOR + popcount;
//   fields:   N * P int16 multiply-adds (m_mu fits int16), 8 probes per pass over the int16
//             patterns, 32 units at a time (packed int16 multiply-adds; vpdpwssd with VNNI);
//   the integer kernels run at the CPU's instruction-set level, picked at run time
//   (packed_kernels.h, core/simd.h);
//   synchronous step: with f flipped units the fields are updated per flip, h_i += 2 s_j C_ij
//             with C_ij = P - 2 ham_ij, the Hamming distance of the packed pattern columns c_i,
//             c_j: read from an [N x N] byte table when it is small (N <= 4096, P <= 255:
//             O(f N) byte adds, up to f = kTableFlips; the overlaps then recomputed only when
//             read), else by popcounts
//             with the overlaps following each flip (O(f N P/64) and O(f P), f <= 4 for
//             P <= 128); the kernel recomputes the fields, from fresh overlaps, when more flip;
//   asynchronous: per flip m += 2 s_i x_.i (O(P)); per visited unit h_i = x_.i . m - P s_i
//             (O(P)) until a sweep follows one with few flips, from then on fields kept per
//             flip as in the synchronous case (O(1) per visit, O(N) per flip with the table).
// bench/memory/bench_hopfield: N = 1024, P = 128, 1024 probes with 10% noise, synchronous to
// convergence: ~14x less CPU time than the dense float path (one Eigen GEMM per step;
// docs/performance.md has both against PyTorch);
// asynchronous: about 2-3x (the dense path there is already O(N) per flip).
// Limits: N <= 32767 (int16 overlaps) and P N < 2^31 (int32 fields); equality with the dense
// path additionally needs (N-1) P < 2^24 (exact float fields there).
#pragma once

#include "memory/hopfield/binary.h"

#include <cstdint>
#include <vector>

namespace engram::hopfield {

using MatI = Mat<std::int32_t>;

// Rows of +-1 states, 64 per word (see above).
class PackedStates {
 public:
  PackedStates() = default;
  // x: [rows x N] +-1; otherwise throws std::invalid_argument naming `where` and the entry.
  // Rows are checked and packed in parallel on `pool` when given.
  explicit PackedStates(const States& x, const char* where = "PackedStates", ThreadPool* pool = nullptr);
  Index rows() const { return rows_; }
  Index cols() const { return cols_; }
  Index words() const { return words_; }  // per row: ceil(N / 64)
  const std::uint64_t* row(Index r) const { return bits_.data() + r * words_; }
  std::uint64_t* row(Index r) { return bits_.data() + r * words_; }
  States unpack() const;  // [rows x N] +-1

 private:
  Index rows_ = 0, cols_ = 0, words_ = 0;
  std::vector<std::uint64_t> bits_;
};

class PackedHebbian {
 public:
  // patterns: [P x N] +-1, P >= 0, 1 <= N <= 32767, P N < 2^31.
  explicit PackedHebbian(const States& patterns);

  Index size() const { return n_; }      // N
  Index patterns() const { return p_; }  // P
  float scale() const;                   // 1/N, the scale of the dense Hebbian network's energy

  // probes: [B x N] +-1 -> [B x P] integer overlaps x_mu . s.
  MatI overlaps(const States& probes, ThreadPool* pool = nullptr) const;
  // probes: [B x N] +-1 -> [B x N] integer fields h = X^T m - P s.
  MatI fields(const States& probes, ThreadPool* pool = nullptr) const;
  // One synchronous update of a batch: [B x N] -> sign(h). Same as BinaryHopfield::one_step.
  States one_step(const States& probes, ThreadPool* pool = nullptr) const;

  // The dynamics of BinaryHopfield::run_batch (same RunOptions semantics, probe b draws from
  // rng.child(b)), with the same results bit for bit; independent of `pool`.
  BatchResult run_batch(const States& probes, const RunOptions& options, const Rng& rng,
                        ThreadPool* pool = nullptr) const;

 private:
  struct Workspace;
  // Checks probes are [B x N] (and +-1, while packing, rows in parallel on `pool`) naming `where`.
  PackedStates pack_probes(const States& probes, const char* where, ThreadPool* pool) const;
  // m ([p_pad_], int16) = overlaps of one packed state; pop: [P] scratch.
  void overlaps_of(const std::uint64_t* state, std::int16_t* m, std::int32_t* pop) const;
  // h[r] ([N]) = X^T m[r] - P state[r] for r < count (the int16 multiply-add kernel).
  void fields_of(const std::int16_t* const* m, const std::uint64_t* const* state, std::int32_t* const* h,
                 int count) const;
  // Unit j flipped to s_j (s2 = 2 s_j): m += s2 x_.j, O(P), and, when h is not null,
  // h_i += s2 C_ij (i != j) from the Hamming table (O(N)) or by popcounts of the packed pattern
  // columns (O(N P/64)).
  void add_flip(Index j, std::int32_t s2, std::int16_t* m, std::int32_t* h) const;
  // add_flip for every unit that differs between `before` and `after`; with the table (and h),
  // the fields' updates in one pass of the kernel and the overlaps not followed (m must be null:
  // the caller marks them stale and recomputes them when read); js, minus: scratch.
  void flip_update(const std::uint64_t* before, const std::uint64_t* after, std::int16_t* m, std::int32_t* h,
                   std::vector<std::int32_t>& js, std::vector<std::int32_t>& minus) const;
  // Whether f flips are cheaper to apply to the fields one by one than to recompute them.
  bool few_flips(Index flips) const;
  // Runs probes rows [begin, end) synchronously into `out`.
  void run_sync_block(const PackedStates& probes, Index begin, Index end, const RunOptions& options,
                      BatchResult& out) const;
  // One probe asynchronously; `state` (packed, [words]) in and out.
  RunStats run_async(std::uint64_t* state, const RunOptions& options, Rng& rng, Workspace& ws) const;
  // E from the overlaps: -(|m|^2 - P N) / (2N), as the dense network computes it.
  double energy(const std::int16_t* m) const;

  Index n_ = 0, p_ = 0;
  Index p_pad_ = 0;            // P rounded up to a multiple of 16 (int16 kernel width)
  PackedStates x_;             // [P x N] patterns, packed by rows
  PackedStates columns_;       // [N x P] pattern columns c_i, packed (bit mu of c_i = x_mu,i > 0)
  std::vector<std::int16_t> xt_;  // [N x p_pad_] pattern columns as int16 +-1, zero padded
  std::vector<std::int16_t> xp_;  // the same in the fields kernel's pair layout (packed_kernels.h)
  std::vector<std::uint8_t> ham_;  // [N x N] popcount(c_i XOR c_j) when N <= 4096 and P <= 255, else empty
};

}  // namespace engram::hopfield
