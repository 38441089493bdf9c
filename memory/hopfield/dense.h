// engram/memory/hopfield/dense.h — dense associative memory (Krotov & Hopfield 2016;
// Demircigil et al. 2017): binary +-1 states, stored patterns X: [P x N] (one per row).
//
//   energy      E(s) = -sum_mu F(m_mu),   m_mu = x_mu . s   (the overlaps, integers in [-N, N])
//   unit gap    g_i(s) = E(s with s_i = -1) - E(s with s_i = +1)
//                      = sum_mu [F(a_mu + x_mu,i) - F(a_mu - x_mu,i)],  a_mu = m_mu - x_mu,i s_i
//                      = sum_mu x_mu,i [F(a_mu + 1) - F(a_mu - 1)]       (x_mu,i = +-1)
//   update      s_i <- sign(g_i)   (sign(0) = +1, as everywhere in engram): the value of s_i with
//               the lower energy. g_i does not depend on s_i, so an asynchronous update never
//               raises E, and a unit with g_i = 0 settles at +1 and stays there.
//
// Interaction functions F (Interaction::make by name, options in brackets):
//   "polynomial"           F(x) = x^n          [n: integer in [1, 64], default 3]
//   "rectified_polynomial" F(x) = max(x, 0)^n  [n: integer in [1, 64], default 3]
//   "exp"                  F(x) = exp(x)       [no options]
// F = x^2 is the classical Hopfield network: g_i = 4 N h_i with the Hebbian field
// h_i = sum_{j != i} W_ij s_j, W = X^T X / N (zero diagonal), and E = 2 N E_hebb - P N with
// E_hebb = -1/2 s^T W s (tests/memory/hopfield/dense_test.cpp checks both identities).
//
// The exp interaction is computed in the log domain, since exp(x_mu . s) overflows a double
// above N ~ 709: energy() returns -log(-E) = -log sum_mu exp(m_mu) (a strictly increasing
// function of E, so it orders states, and decreases under updates, exactly as E does), and
// the gaps are scaled by exp(-max_mu m_mu) (a positive factor common to all units of a state,
// so every sign is kept). Polynomial energies and gaps are the plain values in double.
//
// Dynamics (run / retrieve):
//   asynchronous: each sweep visits the N units in a fresh random order, rng.permutation(N),
//     and updates them one at a time. The overlaps m are kept up to date incrementally: deciding
//     unit i costs O(P), a flip adds 2 s_i x_mu,i to every m_mu in O(P), so a sweep is O(N P).
//   synchronous: every unit is decided from the same state (g of the state before the sweep),
//     then all are set at once and m is recomputed (O(N P)). May end in a 2-cycle: it then runs
//     to the sweep limit and reports converged = false.
//   A run stops after the first sweep that changes no unit (a fixed point: converged = true,
//   that sweep is counted) or after max_sweeps sweeps.
// Batches: probe b uses rng.child(b) (so results do not depend on the thread count or on the
// other probes) and probes run on the optional ThreadPool.
//
// Every public function checks its arguments (binary +-1 states, matching N) and throws
// std::invalid_argument naming the function and the shapes. Const methods are thread-safe.
#pragma once

#include "core/options.h"
#include "memory/hopfield/patterns.h"

#include <string>
#include <vector>

namespace engram {
class ThreadPool;
}

namespace engram::hopfield {

// The interaction function F of a dense associative memory.
class Interaction {
 public:
  enum class Kind { polynomial, rectified_polynomial, exp };

  // By name, reading its options and rejecting unknown ones ("interaction 'exp': ...").
  static Interaction make(const std::string& name, const Options& options = {});
  static Interaction polynomial(int n);
  static Interaction rectified_polynomial(int n);
  static Interaction exponential();

  Kind kind() const { return kind_; }
  int degree() const { return n_; }  // n of the polynomials; 0 for exp
  std::string name() const;          // "polynomial" | "rectified_polynomial" | "exp"

  // F(x). For exp this is the plain exp (inf above ~709); the memory itself never calls it
  // for exp, it works in the log domain.
  double operator()(double x) const;

 private:
  Interaction(Kind kind, int n) : kind_(kind), n_(n) {}
  Kind kind_;
  int n_;
};

enum class Dynamics { asynchronous, synchronous };

struct DenseRunOptions {
  Dynamics dynamics = Dynamics::asynchronous;
  int max_sweeps = 100;  // >= 1
  // run() only: record the energy (as energy() reports it) of the initial state and after every
  // unit update (asynchronous) or every sweep (synchronous).
  bool trace = false;
};

// One probe's trajectory.
struct DenseRun {
  States state;                      // [1 x N], the final state
  int sweeps = 0;                    // sweeps performed (including the final unchanged one)
  bool converged = false;            // ended at a fixed point
  Index flips = 0;                   // unit changes in total
  double energy = 0;                 // energy() of the final state
  std::vector<double> energy_trace;  // only with options.trace
};

// A batch of probes (no traces).
struct DenseRetrieval {
  States states;                // [B x N]
  std::vector<int> sweeps;      // B
  std::vector<bool> converged;  // B
  std::vector<double> energy;   // B, final energies
};

class DenseMemory {
 public:
  // patterns: [P x N] of +-1, P >= 1, N >= 1.
  DenseMemory(States patterns, Interaction interaction);
  DenseMemory(States patterns, const std::string& interaction, const Options& options = {});

  Index num_patterns() const { return x_.rows(); }
  Index dim() const { return x_.cols(); }
  const States& patterns() const { return x_; }
  const Interaction& interaction() const { return f_; }

  // s: [B x N] of +-1 -> B energies (log domain for exp, see the header comment).
  std::vector<double> energy(const States& s) const;
  // s: [1 x N] of +-1 -> [1 x N] unit gaps g_i (scaled by exp(-max_mu m_mu) for exp).
  MatD gaps(const States& s) const;

  // One probe ([1 x N] of +-1), its sweep orders drawn from `rng`.
  DenseRun run(const States& probe, const DenseRunOptions& options, Rng& rng) const;
  // probes: [B x N] of +-1; probe b uses rng.child(b). options.trace is ignored.
  DenseRetrieval retrieve(const States& probes, const DenseRunOptions& options, const Rng& rng,
                          ThreadPool* pool = nullptr) const;

 private:
  double energy_of(const std::vector<double>& m) const;
  double gap(Index i, const std::vector<double>& m, float si, double shift) const;
  void check_probe(const States& s, const char* where, bool single) const;

  States x_;   // [P x N]
  States xt_;  // [N x P]: row i is unit i's column of X, contiguous for the O(P) decisions
  Interaction f_;
};

}  // namespace engram::hopfield
