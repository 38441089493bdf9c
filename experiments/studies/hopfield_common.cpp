#include "experiments/studies/hopfield_common.h"

#include <cstdio>
#include <mutex>

namespace engram::experiments::hopfield_studies {

MeanSem mean_sem(const std::vector<double>& v) {
  MeanSem r;
  if (v.empty()) return {std::nan(""), std::nan("")};
  for (double x : v) r.mean += x;
  r.mean /= double(v.size());
  if (v.size() < 2) return r;
  double ss = 0;
  for (double x : v) ss += (x - r.mean) * (x - r.mean);
  r.sem = std::sqrt(ss / double(v.size() - 1)) / std::sqrt(double(v.size()));
  return r;
}

std::vector<std::vector<double>> over_trials_multi(StudyContext& ctx, int trials,
                                                   const std::function<std::vector<double>(int)>& fn) {
  std::vector<std::vector<double>> out(static_cast<size_t>(trials));
  ctx.pool().parallel_for(trials, [&](Index t) { out[size_t(t)] = fn(int(t)); });
  return out;
}

std::vector<double> over_trials(StudyContext& ctx, int trials, const std::function<double(int)>& fn) {
  std::vector<double> out;
  for (const auto& v : over_trials_multi(ctx, trials, [&](int t) { return std::vector<double>{fn(t)}; }))
    out.push_back(v[0]);
  return out;
}

double crossing(const std::vector<double>& xs, const std::vector<double>& ys, double level) {
  for (size_t i = 0; i < xs.size(); ++i) {
    if (ys[i] >= level) continue;
    if (i == 0) return xs[0];
    const double f = (ys[i - 1] - level) / (ys[i - 1] - ys[i]);
    return xs[i - 1] + f * (xs[i] - xs[i - 1]);
  }
  return std::nan("");
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string key(const std::vector<std::pair<std::string, double>>& parts) {
  std::string k;
  for (const auto& [name, v] : parts) k += (k.empty() ? "" : "/") + name + "=" + fmt(v);
  return k;
}

std::vector<Choice> rule_choices(Section& cfg, const std::string& k, std::vector<std::string> def) {
  std::vector<Choice> rules = read_choices(cfg, k, def);
  if (rules.empty()) cfg.fail(k, "needs at least one learning rule");
  for (const auto& c : rules) (void)make_rule(c);  // a bad name or option: an error at its line
  return rules;
}

std::unique_ptr<hopfield::LearningRule> make_rule(const Choice& c) {
  try {
    (void)hopfield::learning_rules().get(c.name);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(c.source + ": " + c.path + ": " + e.what());
  }
  return with_choice_errors(c, [&] { return hopfield::make_rule(c.name, c.options); });
}

int largest_ok(int lo, int hi, const std::function<bool(int)>& ok) {
  // exponential search for the first failure above lo, then bisection
  int good = lo, step = 1;
  int bad = hi + 1;
  while (good + step <= hi) {
    if (ok(good + step)) {
      good += step;
      step *= 2;
    } else {
      bad = good + step;
      break;
    }
  }
  if (bad == hi + 1 && good + step > hi) {
    // probe the remaining range [good+1, hi]
    if (good < hi && ok(hi)) return hi;
    bad = good < hi ? hi : hi + 1;
  }
  while (bad - good > 1) {
    const int mid = good + (bad - good) / 2;
    if (ok(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

}  // namespace engram::experiments::hopfield_studies
