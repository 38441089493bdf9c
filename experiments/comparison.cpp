#include "experiments/comparison.h"

#include "core/fileio.h"
#include "experiments/runner.h"
#include "experiments/study.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <numeric>

namespace engram::experiments {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return "—";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string compact(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  int n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += x, ++n;
  return n ? s / n : kNaN;
}

double std_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  int n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += (x - m) * (x - m), ++n;
  return n > 1 ? std::sqrt(s / (n - 1)) : kNaN;
}

int count_of(const std::vector<double>& v) {
  return static_cast<int>(std::count_if(v.begin(), v.end(), [](double x) { return std::isfinite(x); }));
}

bool valid_label(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
}

// "1e+06" style numbers would make bad override values: write loads as the file spells them.
std::vector<std::string> load_texts(Section& load, const std::vector<double>& values) {
  std::vector<std::string> out = load.strings("values", {});
  if (out.size() != values.size()) out.clear();
  for (size_t i = out.size(); i < values.size(); ++i) out.push_back(compact(values[i]));
  return out;
}

// The file's base config has a `model` key (then a cell overrides it, else adds it).
std::string model_override(const ComparisonSpec& spec) {
  Config base = Config::load(spec.file, spec.overrides);
  const std::vector<std::string> keys = base.root().keys();
  return std::find(keys.begin(), keys.end(), "model") != keys.end() ? "model=" : "+model=";
}

// The overrides that make the comparison file the run of row `label` at load index l, seed s.
std::vector<std::string> cell_overrides(const ComparisonSpec& spec, const std::string& label, size_t l, std::uint64_t seed,
                                        const std::string& model_key) {
  std::vector<std::string> o = spec.overrides;
  const auto src = spec.source.find(label);
  o.push_back(model_key + "@comparison.readers." + (src == spec.source.end() ? label : src->second));
  if (const auto extra = spec.reader_overrides.find(label); extra != spec.reader_overrides.end())
    o.insert(o.end(), extra->second.begin(), extra->second.end());
  o.push_back(spec.load_key + "=" + spec.loads[l]);
  o.push_back("seed=" + std::to_string(seed));
  o.push_back("~comparison");
  return o;
}

// match_parameters: for each listed reader, the value of its key whose parameter count at the
// smallest load is closest to the target (parameters grow with the key: a binary search over
// 1 .. 8192, values the model rejects skipped upwards); a new row "<reader>-matched".
void match_parameters(ComparisonSpec& spec, Section& c) {
  Section m = c.section("match_parameters");
  const double target = m.number("target", 0, 1, 1e12);
  const double tolerance = m.number("tolerance", 0.2, 0, 10);
  Section keys = m.section("keys");
  const std::vector<std::string> listed = keys.keys();
  if (listed.empty()) m.fail("keys", "must name at least one reader: {<reader>: <model key>, ...}");
  const std::string model_key = model_override(spec);
  for (const auto& r : listed) {
    if (std::find(spec.readers.begin(), spec.readers.end(), r) == spec.readers.end()) keys.fail(r, "is not a reader of comparison.readers");
    const std::string key = keys.string(r);
    const std::string label = r + "-matched";
    // parameters at value v (nullopt when the model rejects v)
    bool plus = false;
    std::string last_error;
    const auto params = [&](Index v) -> std::optional<double> {
      for (int attempt = 0; attempt < 2; ++attempt) {
        ComparisonSpec probe = spec;
        probe.reader_overrides[r] = {std::string(plus ? "+" : "") + "model." + key + "=" + std::to_string(v)};
        try {
          Config cfg = Config::load(spec.file, cell_overrides(probe, r, 0, spec.seeds.front(), model_key));
          return double(build_problem(cfg).model->num_parameters());
        } catch (const ConfigError& e) {
          last_error = e.what();
          if (attempt == 0 && last_error.find("unknown key") != std::string::npos) {
            plus = true;
            continue;
          }
          if (last_error.find("unknown key") != std::string::npos) keys.fail(r, "names '" + key + "', not a key of the reader's model: " + last_error);
          return std::nullopt;
        }
      }
      return std::nullopt;
    };
    // the smallest valid value at or above v (within 64 steps)
    const auto valid_from = [&](Index v) -> std::optional<std::pair<Index, double>> {
      for (Index u = v; u < v + 64; ++u)
        if (const auto p = params(u)) return std::make_pair(u, *p);
      return std::nullopt;
    };
    Index lo = 1, hi = 8192;
    std::optional<std::pair<Index, double>> best;
    const auto consider = [&](const std::optional<std::pair<Index, double>>& c2) {
      if (c2 && (!best || std::abs(c2->second - target) < std::abs(best->second - target))) best = c2;
    };
    while (lo < hi) {  // the smallest valid value with parameters >= target
      const Index mid = lo + (hi - lo) / 2;
      const auto at = valid_from(mid);
      if (!at) {
        lo = mid + 1;
        continue;
      }
      consider(at);
      if (at->second >= target) hi = mid;
      else lo = at->first + 1;
    }
    consider(valid_from(lo));
    if (!best || std::abs(best->second - target) > tolerance * target)
      keys.fail(r, "no value of " + key + " brings the parameters within " + fixed(100 * tolerance, 0) + "% of " + compact(target) +
                       (best ? " (closest: " + key + "=" + std::to_string(best->first) + ", " + compact(best->second) + " parameters)"
                             : (" (" + last_error + ")")));
    spec.readers.push_back(label);
    spec.source[label] = r;
    spec.reader_overrides[label] = {std::string(plus ? "+" : "") + "model." + key + "=" + std::to_string(best->first)};
    spec.matched_parameters[label] = best->second;
    if (const auto ml = spec.max_load.find(r); ml != spec.max_load.end()) spec.max_load[label] = ml->second;
  }
  keys.finish();
  m.finish();
}

}  // namespace

bool is_comparison(const std::string& file, const std::vector<std::string>& overrides) {
  Config cfg = Config::load(file, overrides);
  return cfg.root().has("comparison");
}

ComparisonSpec read_comparison(const std::string& file, const std::vector<std::string>& overrides) {
  Config cfg = Config::load(file, overrides);
  ComparisonSpec spec;
  spec.file = file;
  spec.name = cfg.experiment_name();
  spec.overrides = overrides;
  Section c = cfg.section("comparison");
  Section readers = c.section("readers");
  spec.readers = readers.keys();
  if (spec.readers.empty()) c.fail("readers", "needs at least one reader (label: {name: <model>, ...})");
  for (const auto& r : spec.readers) {
    if (!valid_label(r)) readers.fail(r, "is not a valid reader label (use letters, digits, '_' and '-')");
    if (readers.is_scalar(r) || !readers.has(r)) readers.fail(r, "must be a model section ({name: <model>, ...})");
    (void)readers.section(r);  // (its keys are read by the model when the cell is validated)
  }
  Section load = c.section("load");
  spec.load_key = load.string("key");
  spec.load_values = number_list(load, "values", {});
  spec.loads = load_texts(load, spec.load_values);
  for (size_t i = 1; i < spec.load_values.size(); ++i)
    if (spec.load_values[i] <= spec.load_values[i - 1]) load.fail("values", "must increase, got " + spec.loads[i - 1] + " then " + spec.loads[i]);
  load.finish();
  for (double s : integer_list(c, "seeds", {0}, 0, 1e15)) spec.seeds.push_back(static_cast<std::uint64_t>(s));
  spec.metric = c.string("metric", spec.metric);
  spec.target = c.number("target", spec.target, 0, 1);
  if (c.has("max_load")) {
    Section ml = c.section("max_load");
    for (const auto& r : ml.keys()) {
      if (std::find(spec.readers.begin(), spec.readers.end(), r) == spec.readers.end())
        ml.fail(r, "is not a reader of comparison.readers");
      spec.max_load[r] = ml.number(r, 0);
      if (spec.load_values.empty() || !(spec.max_load[r] >= spec.load_values.front()))
        ml.fail(r, "must be at least the smallest load (" + (spec.loads.empty() ? std::string("none") : spec.loads.front()) +
                       "): a reader runs at the smallest load at least");
    }
    ml.finish();
  }
  if (c.has("retention_load")) {
    spec.retention_load = c.number("retention_load", 0);
    if (std::find(spec.load_values.begin(), spec.load_values.end(), *spec.retention_load) == spec.load_values.end())
      c.fail("retention_load", "must be one of load.values");
  }
  if (c.has("match_parameters")) {
    if (spec.seeds.empty()) c.fail("seeds", "must list a seed");
    match_parameters(spec, c);
  }
  c.finish();  // (the readers' own keys belong to their models: checked when the cells are validated)
  return spec;
}

std::string ComparisonSpec::theory_metric() const {
  const auto slash = metric.rfind('/');
  return slash == std::string::npos ? "theory_" + metric : metric.substr(0, slash + 1) + "theory_" + metric.substr(slash + 1);
}

size_t ComparisonSpec::retention_index() const {
  for (size_t l = 0; l < load_values.size(); ++l)
    if (retention_load && load_values[l] == *retention_load) return l;
  return load_values.empty() ? 0 : load_values.size() - 1;
}

bool ComparisonSpec::runs(const std::string& reader, size_t l) const {
  const auto it = max_load.find(reader);
  return it == max_load.end() || load_values[l] <= it->second;
}

std::vector<ComparisonCell> comparison_cells(const ComparisonSpec& spec) {
  const std::string model_key = model_override(spec);
  std::vector<ComparisonCell> cells;
  for (const auto& r : spec.readers)
    for (size_t l = 0; l < spec.loads.size(); ++l)
      for (std::uint64_t seed : spec.seeds) {
        if (!spec.runs(r, l)) continue;
        ComparisonCell cell{r, spec.loads[l], spec.load_values[l], seed, cell_overrides(spec, r, l, seed, model_key), {}, {}};
        try {
          Config cfg = Config::load(spec.file, cell.overrides);
          validate_config(cfg);
          cell.experiment = cfg.experiment_name();
          cell.config_hash = config_hash(cfg);
        } catch (const ConfigError& e) {
          throw ConfigError(std::string(e.what()) + "\n  (in the comparison cell reader '" + r + "', " + spec.load_key + "=" +
                            spec.loads[l] + ", seed " + std::to_string(seed) + ")");
        }
        cells.push_back(std::move(cell));
      }
  return cells;
}

ComparisonTable collect_comparison(const ComparisonSpec& spec, const std::vector<ComparisonCell>& cells,
                                   const ResultsIndex& index) {
  ComparisonTable t;
  t.spec = spec;
  t.cells.assign(spec.readers.size(), std::vector<CellResult>(spec.loads.size()));
  for (size_t r = 0; r < spec.readers.size(); ++r)
    for (size_t l = 0; l < spec.loads.size(); ++l) t.cells[r][l].skipped = !spec.runs(spec.readers[r], l);
  for (const auto& cell : cells) {
    const size_t r = static_cast<size_t>(std::find(spec.readers.begin(), spec.readers.end(), cell.reader) - spec.readers.begin());
    const size_t l = static_cast<size_t>(std::find(spec.loads.begin(), spec.loads.end(), cell.load) - spec.loads.begin());
    CellResult& out = t.cells[r][l];
    RunFilter f;
    f.experiment = cell.experiment;
    f.status = "completed";
    f.config_hash = cell.config_hash;
    const std::vector<RunRecord> runs = index.list(f);
    if (runs.empty()) {
      for (auto& a : out.age) a.push_back(kNaN);
      out.values.push_back(kNaN);
      out.theory.push_back(kNaN);
      out.all_done = false;
      continue;
    }
    const RunRecord& rec = runs.back();
    const auto get = [&](const std::string& k) { auto it = rec.summary.find(k); return it == rec.summary.end() ? kNaN : it->second; };
    out.values.push_back(get(spec.metric));
    out.theory.push_back(get(spec.theory_metric()));
    for (size_t q = 0; q < 4; ++q) out.age[q].push_back(get(spec.metric + "/age_q" + std::to_string(q + 1)));
    if (get("plateau") == 0) out.budget = true;
    if (std::isfinite(get("parameters"))) out.parameters = get("parameters");
    if (std::isfinite(get("state_size"))) out.state_size = get("state_size");
  }
  return t;
}

namespace {

// The largest load, counting from the smallest, whose mean of `of(cell)` is at most target.
template <class Of>
std::optional<double> capacity_of(const ComparisonTable& t, size_t reader, Of of) {
  std::optional<double> cap;
  for (size_t l = 0; l < t.spec.loads.size(); ++l) {
    if (t.cells[reader][l].skipped) break;
    const double m = mean_of(of(t.cells[reader][l]));
    if (!(m <= t.spec.target)) break;
    cap = t.spec.load_values[l];
  }
  return cap;
}

// The reader's parameter count / state size at `load` (-1: not known).
double at_load(const std::vector<CellResult>& row, const std::vector<double>& loads, double load, double CellResult::*field) {
  for (size_t l = 0; l < row.size(); ++l)
    if (loads[l] == load) return row[l].*field;
  return -1;
}

double last_known(const std::vector<CellResult>& row, double CellResult::*field) {
  for (auto it = row.rbegin(); it != row.rend(); ++it)
    if ((*it).*field >= 0) return (*it).*field;
  return -1;
}

}  // namespace

std::optional<double> ComparisonTable::capacity(size_t reader) const {
  return capacity_of(*this, reader, [](const CellResult& c) -> const std::vector<double>& { return c.values; });
}

std::optional<double> ComparisonTable::theory_capacity(size_t reader) const {
  return capacity_of(*this, reader, [](const CellResult& c) -> const std::vector<double>& { return c.theory; });
}

bool ComparisonTable::capacity_is_bound(size_t reader) const {
  const auto cap = capacity(reader);
  if (!cap) return false;
  for (size_t l = 0; l < spec.loads.size(); ++l)
    if (spec.load_values[l] > *cap) return cells[reader][l].skipped;
  return true;  // the largest load of all
}

std::string ComparisonTable::markdown() const {
  std::string out = "| reader | parameters | state (numbers) |";
  std::string rule = "|---|---:|---:|";
  const std::string short_key = spec.load_key.substr(spec.load_key.rfind('.') + 1);
  for (const auto& l : spec.loads) out += " " + short_key + "=" + l + " |", rule += "---:|";
  out += " capacity | per 1k parameters | per KiB of state |\n" + rule + "---:|---:|---:|\n";
  const auto mean_cell = [](const std::vector<double>& v, bool budget) {
    const int n = count_of(v);
    std::string cell = n == 0 ? "—" : fixed(mean_of(v), 3);
    if (n > 1) cell += " ± " + fixed(std_of(v), 3);
    if (n > 0 && n < static_cast<int>(v.size())) cell += " (n=" + std::to_string(n) + ")";
    if (budget) cell += "*";
    return cell;
  };
  bool any_skipped = false, any_theory = false;
  for (size_t r = 0; r < spec.readers.size(); ++r) {
    const auto& row = cells[r];
    const double params = row.empty() ? -1 : row.front().parameters, state = last_known(row, &CellResult::state_size);
    out += "| " + spec.readers[r] + " | " + (params >= 0 ? compact(params) : "—") + " | " + (state >= 0 ? compact(state) : "—") + " |";
    for (const auto& c : row) {
      any_skipped = any_skipped || c.skipped;
      out += " " + (c.skipped ? std::string("·") : mean_cell(c.values, c.budget)) + " |";
    }
    const auto cap = capacity(r);
    const double smallest = row.empty() ? kNaN : mean_of(row.front().values);
    out += " " + (cap ? (capacity_is_bound(r) ? "≥ " : "") + compact(*cap)
                      : std::isfinite(smallest) ? std::string("did not learn") : std::string("—")) + " |";
    const double p_at = cap ? at_load(row, spec.load_values, *cap, &CellResult::parameters) : -1;
    const double s_at = cap ? at_load(row, spec.load_values, *cap, &CellResult::state_size) : -1;
    out += " " + (p_at > 0 ? fixed(*cap / p_at * 1000, 3) : std::string("—")) + " | " +
           (s_at > 0 ? fixed(*cap / (4 * s_at) * 1024, 3) : std::string("—")) + " |\n";
    const bool has_theory = std::any_of(row.begin(), row.end(), [](const CellResult& c) { return count_of(c.theory) > 0; });
    if (!has_theory) continue;
    any_theory = true;
    out += "| ↳ theory | | |";
    for (const auto& c : row) out += " " + (c.skipped ? std::string("·") : mean_cell(c.theory, false)) + " |";
    const auto tcap = theory_capacity(r);
    out += " " + (tcap ? compact(*tcap) : std::string("—")) + " | | |\n";
  }
  out += "\nCells: " + spec.metric + " at " + spec.load_key + " = the column's value, mean ± std over " + std::to_string(spec.seeds.size()) +
         " seed(s). Capacity: the largest " + spec.load_key + " up to which the mean stays at most " + fixed(spec.target, 3) +
         " (≥: it holds at the largest load the reader ran at); \"did not learn\": above it at the smallest load; per 1k "
         "parameters and per KiB of state (4 bytes per number) at the capacity's load. * = a run stopped at its training budget, "
         "not at a validation plateau. state: numbers the memory holds between the story and the question, at the largest load run.\n";
  if (any_skipped) out += "· = not run (comparison.max_load).\n";
  for (const auto& [label, params] : spec.matched_parameters) {
    const auto& o = spec.reader_overrides.at(label).front();
    out += label + " = " + spec.source.at(label) + " with " + (o[0] == '+' ? o.substr(1) : o) + " (" + compact(params) +
           " parameters at the smallest load: comparison.match_parameters).\n";
  }
  if (any_theory) out += "↳ theory: what the run reports as " + spec.theory_metric() + " (the memory's theory at that load).\n";
  // retention at the largest load, when the runs report it
  const size_t last = spec.retention_index();
  bool any = false;
  for (const auto& row : cells) any = any || count_of(row[last].age[0]) > 0;
  if (!any) return out;
  out += "\nRetention at " + short_key + "=" + spec.loads[last] + ": " + spec.metric +
         " by where the supporting fact lies (quarters of the story, newest first)\n\n| reader | newest | 2nd | 3rd | oldest |\n|---|---:|---:|---:|---:|\n";
  for (size_t r = 0; r < spec.readers.size(); ++r) {
    out += "| " + spec.readers[r] + " |";
    for (const auto& a : cells[r][last].age) out += " " + (cells[r][last].skipped ? std::string("·") : fixed(mean_of(a), 3)) + " |";
    out += "\n";
  }
  return out;
}

std::string ComparisonTable::csv() const {
  std::string out = "reader,load_key,load,mean,std,n,seeds,budget,parameters,state_size,skipped,theory\n";
  for (size_t r = 0; r < spec.readers.size(); ++r)
    for (size_t l = 0; l < spec.loads.size(); ++l) {
      const CellResult& c = cells[r][l];
      const auto num = [](double v) { return std::isfinite(v) ? compact(v) : std::string(); };
      out += spec.readers[r] + "," + spec.load_key + "," + spec.loads[l] + "," + num(mean_of(c.values)) + "," +
             num(std_of(c.values)) + "," + std::to_string(count_of(c.values)) + "," + std::to_string(c.values.size()) + "," +
             (c.budget ? "1" : "0") + "," + (c.parameters >= 0 ? compact(c.parameters) : "") + "," +
             (c.state_size >= 0 ? compact(c.state_size) : "") + "," + (c.skipped ? "1" : "0") + "," + num(mean_of(c.theory)) + "\n";
    }
  return out;
}

namespace {

// Reader r's curve over the loads it ran at, and its theory curve (empty when it has none).
std::pair<Series, Series> reader_curves(const ComparisonTable& t, size_t r) {
  Series s{t.spec.readers[r], {}, {}, {}, false}, theory{t.spec.readers[r] + " (theory)", {}, {}, {}, true};
  for (size_t l = 0; l < t.spec.loads.size(); ++l) {
    if (t.cells[r][l].skipped) continue;
    if (const double th = mean_of(t.cells[r][l].theory); std::isfinite(th)) {
      theory.x.push_back(t.spec.load_values[l]);
      theory.y.push_back(th);
    }
    s.x.push_back(t.spec.load_values[l]);
    s.y.push_back(mean_of(t.cells[r][l].values));
    const double sd = std_of(t.cells[r][l].values);
    s.err.push_back(std::isfinite(sd) ? sd : 0);
  }
  return {std::move(s), std::move(theory)};
}

// Reader r's block of summary.json: errors, capacity (per parameter, per byte), theory, retention.
nlohmann::json reader_summary(const ComparisonTable& t, size_t r, const Series& s, const Series& theory) {
  nlohmann::json jr;
  jr["error"] = s.y;
  jr["std"] = s.err;
  const auto cap = t.capacity(r);
  jr["capacity"] = cap ? nlohmann::json(*cap) : nlohmann::json(nullptr);
  jr["learned"] = cap.has_value();
  jr["capacity_is_bound"] = t.capacity_is_bound(r);
  if (!t.cells[r].empty()) {
    jr["parameters"] = t.cells[r].front().parameters;
    jr["state_size"] = last_known(t.cells[r], &CellResult::state_size);
  }
  if (cap) {
    const double p = at_load(t.cells[r], t.spec.load_values, *cap, &CellResult::parameters);
    const double st = at_load(t.cells[r], t.spec.load_values, *cap, &CellResult::state_size);
    jr["capacity_per_parameter"] = p > 0 ? nlohmann::json(*cap / p) : nlohmann::json(nullptr);
    jr["capacity_per_byte"] = st > 0 ? nlohmann::json(*cap / (4 * st)) : nlohmann::json(nullptr);
  }
  if (!theory.y.empty()) {
    jr["theory"] = theory.y;
    const auto tcap = t.theory_capacity(r);
    jr["theory_capacity"] = tcap ? nlohmann::json(*tcap) : nlohmann::json(nullptr);
  }
  std::vector<double> ages;
  for (const auto& a : t.cells[r][t.spec.retention_index()].age) ages.push_back(mean_of(a));
  if (std::any_of(ages.begin(), ages.end(), [](double v) { return std::isfinite(v); })) jr["retention"] = ages;
  return jr;
}

// Error by the age of the fact at the retention load, one line per reader that reports it.
Plot retention_plot(const ComparisonTable& t) {
  Plot retention;
  retention.name = "retention";
  retention.title = t.spec.name + ": error by the age of the fact, " + t.spec.load_key + " = " + t.spec.loads[t.spec.retention_index()];
  retention.xlabel = "quarter of the story holding the supporting fact (1 = newest)";
  retention.ylabel = t.spec.metric;
  for (size_t r = 0; r < t.spec.readers.size(); ++r) {
    Series s{t.spec.readers[r], {1, 2, 3, 4}, {}, {}, false};
    for (const auto& a : t.cells[r][t.spec.retention_index()].age) s.y.push_back(mean_of(a));
    if (std::any_of(s.y.begin(), s.y.end(), [](double v) { return std::isfinite(v); })) retention.series.push_back(std::move(s));
  }
  return retention;
}

}  // namespace

std::vector<std::string> write_comparison(const ComparisonTable& t, const std::string& dir) {
  std::filesystem::create_directories(dir);
  fileio::write_atomic(dir + "/table.md", t.markdown());
  fileio::write_atomic(dir + "/table.csv", t.csv());
  std::vector<std::string> lines{"table: " + dir + "/table.md (.csv)"};
  Plot curve, bars;
  curve.name = "error_vs_load";
  curve.title = t.spec.name + ": " + t.spec.metric + " as the load grows";
  curve.xlabel = t.spec.load_key;
  curve.ylabel = t.spec.metric;
  curve.logx = true;
  bars.name = "capacity";
  bars.title = t.spec.name + ": capacity at error <= " + fixed(t.spec.target, 3);
  bars.xlabel = "reader";
  bars.ylabel = t.spec.load_key;
  nlohmann::json summary;
  summary["name"] = t.spec.name;
  summary["metric"] = t.spec.metric;
  summary["target"] = t.spec.target;
  summary["load_key"] = t.spec.load_key;
  summary["readers"] = nlohmann::json::object();
  for (size_t r = 0; r < t.spec.readers.size(); ++r) {
    auto [s, theory] = reader_curves(t, r);
    summary["readers"][t.spec.readers[r]] = reader_summary(t, r, s, theory);
    if (const auto cap = t.capacity(r)) bars.bars.emplace_back(t.spec.readers[r], *cap);
    curve.series.push_back(std::move(s));
    if (!theory.y.empty()) curve.series.push_back(std::move(theory));
  }
  summary["loads"] = t.spec.load_values;
  fileio::write_atomic(dir + "/summary.json", summary.dump(2) + "\n");
  lines.push_back("summary: " + dir + "/summary.json");
  std::vector<Plot> plots{curve};
  if (!bars.bars.empty()) plots.push_back(bars);
  if (Plot retention = retention_plot(t); !retention.series.empty()) plots.push_back(std::move(retention));
  for (auto& line : draw_plots(plots, dir)) lines.push_back(std::move(line));
  return lines;
}

}  // namespace engram::experiments
