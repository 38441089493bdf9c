// engram/experiments/studies/hopfield_common.h — what the Hopfield studies share: statistics
// over trials, the theory curves they are plotted against, and reading rules from config.
#pragma once

#include "experiments/study.h"
#include "memory/hopfield/binary.h"
#include "memory/hopfield/rules.h"

#include <cmath>
#include <string>
#include <vector>

namespace engram::experiments::hopfield_studies {

// Mean and standard error of the mean (sample std / sqrt(n); 0 for one value).
struct MeanSem {
  double mean = 0, sem = 0;
};
MeanSem mean_sem(const std::vector<double>& v);

// Runs fn(trial) for trial in [0, trials) on the context's pool and returns the results in
// trial order (each trial must draw only from its own stream, e.g. rng.child(trial)).
std::vector<double> over_trials(StudyContext& ctx, int trials, const std::function<double(int)>& fn);
std::vector<std::vector<double>> over_trials_multi(StudyContext& ctx, int trials,
                                                   const std::function<std::vector<double>(int)>& fn);

// ---- theory ---------------------------------------------------------------------------------
// One-step bit-error probability of Hebbian storage at load alpha (signal-to-noise):
// P_err = 1/2 erfc(1 / sqrt(2 alpha)).
inline double one_step_error_theory(double alpha) { return 0.5 * std::erfc(1.0 / std::sqrt(2.0 * alpha)); }
// Capacity (patterns) of perfect recall: Hebbian N/(2 ln N) (each pattern stable with high
// probability) and N/(4 ln N) (all of them at once); Storkey N/sqrt(2 ln N); pseudo-inverse N.
inline double hebbian_capacity_2ln(double N) { return N / (2.0 * std::log(N)); }
inline double hebbian_capacity_4ln(double N) { return N / (4.0 * std::log(N)); }
inline double storkey_capacity(double N) { return N / std::sqrt(2.0 * std::log(N)); }
// Amit, Gutfreund & Sompolinsky (1985): retrieval states vanish above alpha_c ~ 0.138.
constexpr double kAlphaC = 0.138;

// The x where y (sampled at xs, in order) first crosses `level` downwards, by linear
// interpolation; NaN if it never does.
double crossing(const std::vector<double>& xs, const std::vector<double>& ys, double level);

// Key for StudyContext::point: "a=1/b=0.5" with numbers printed to full precision.
std::string key(const std::vector<std::pair<std::string, double>>& parts);
std::string fmt(double v);  // shortest text of a number, for keys and labels

// The learning rules chosen at cfg[key]: each a name or {name: ..., <options>} (a lone one counts
// as a list of one); each is built once here, so that a bad name or option is an error at its
// file:line. make_rule(c) builds a chosen one.
std::vector<Choice> rule_choices(Section& cfg, const std::string& key, std::vector<std::string> def);
std::unique_ptr<hopfield::LearningRule> make_rule(const Choice& c);

// Largest P in [lo, hi] with ok(P) true, assuming ok is monotone (true then false) over the
// nested pattern sets the callers use; ok(lo) is assumed. Exponential then binary search:
// O(log hi) evaluations.
int largest_ok(int lo, int hi, const std::function<bool(int)>& ok);

// Integer load P = round(alpha N), at least 1.
inline int load_patterns(double alpha, int N) { return std::max(1, int(std::lround(alpha * N))); }

}  // namespace engram::experiments::hopfield_studies
