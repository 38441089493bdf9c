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
  c.finish();  // (the readers' own keys belong to their models: checked when the cells are validated)
  return spec;
}

std::vector<ComparisonCell> comparison_cells(const ComparisonSpec& spec) {
  Config base = Config::load(spec.file, spec.overrides);
  const std::vector<std::string> keys = base.root().keys();
  const std::string model_override = std::find(keys.begin(), keys.end(), "model") != keys.end() ? "model=" : "+model=";
  std::vector<ComparisonCell> cells;
  for (const auto& r : spec.readers)
    for (size_t l = 0; l < spec.loads.size(); ++l)
      for (std::uint64_t seed : spec.seeds) {
        ComparisonCell cell{r, spec.loads[l], spec.load_values[l], seed, spec.overrides, {}, {}};
        cell.overrides.push_back(model_override + "@comparison.readers." + r);
        cell.overrides.push_back(spec.load_key + "=" + spec.loads[l]);
        cell.overrides.push_back("seed=" + std::to_string(seed));
        cell.overrides.push_back("~comparison");
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
      out.all_done = false;
      continue;
    }
    const RunRecord& rec = runs.back();
    const auto get = [&](const std::string& k) { auto it = rec.summary.find(k); return it == rec.summary.end() ? kNaN : it->second; };
    out.values.push_back(get(spec.metric));
    for (size_t q = 0; q < 4; ++q) out.age[q].push_back(get(spec.metric + "/age_q" + std::to_string(q + 1)));
    if (get("plateau") == 0) out.budget = true;
    if (std::isfinite(get("parameters"))) out.parameters = get("parameters");
    if (std::isfinite(get("state_size"))) out.state_size = get("state_size");
  }
  return t;
}

std::optional<double> ComparisonTable::capacity(size_t reader) const {
  std::optional<double> cap;
  for (size_t l = 0; l < spec.loads.size(); ++l) {
    const double m = mean_of(cells[reader][l].values);
    if (!(m <= spec.target)) break;
    cap = spec.load_values[l];
  }
  return cap;
}

std::string ComparisonTable::markdown() const {
  std::string out = "| reader | parameters | state (numbers) |";
  std::string rule = "|---|---:|---:|";
  const std::string short_key = spec.load_key.substr(spec.load_key.rfind('.') + 1);
  for (const auto& l : spec.loads) out += " " + short_key + "=" + l + " |", rule += "---:|";
  out += " capacity |\n" + rule + "---:|\n";
  for (size_t r = 0; r < spec.readers.size(); ++r) {
    const auto& row = cells[r];
    const double params = row.empty() ? -1 : row.front().parameters, state = row.empty() ? -1 : row.back().state_size;
    out += "| " + spec.readers[r] + " | " + (params >= 0 ? compact(params) : "—") + " | " + (state >= 0 ? compact(state) : "—") + " |";
    for (const auto& c : row) {
      const int n = count_of(c.values);
      std::string cell = n == 0 ? "—" : fixed(mean_of(c.values), 3);
      if (n > 1) cell += " ± " + fixed(std_of(c.values), 3);
      if (n > 0 && n < static_cast<int>(c.values.size())) cell += " (n=" + std::to_string(n) + ")";
      if (c.budget) cell += "*";
      out += " " + cell + " |";
    }
    const auto cap = capacity(r);
    const double smallest = row.empty() ? kNaN : mean_of(row.front().values);
    out += " " + (cap ? (*cap == spec.load_values.back() ? "≥ " : "") + compact(*cap)
                      : std::isfinite(smallest) ? std::string("did not learn") : std::string("—")) + " |\n";
  }
  out += "\nCells: " + spec.metric + " at " + spec.load_key + " = the column's value, mean ± std over " + std::to_string(spec.seeds.size()) +
         " seed(s). Capacity: the largest " + spec.load_key + " up to which the mean stays at most " + fixed(spec.target, 3) +
         "; \"did not learn\": above it at the smallest load. * = a run stopped at its training budget, not at a "
         "validation plateau. state: numbers the memory holds between the story and the question, at the largest load.\n";
  // retention at the largest load, when the runs report it
  const size_t last = spec.loads.size() - 1;
  bool any = false;
  for (const auto& row : cells) any = any || count_of(row[last].age[0]) > 0;
  if (!any) return out;
  out += "\nRetention at " + short_key + "=" + spec.loads[last] + ": " + spec.metric +
         " by where the supporting fact lies (quarters of the story, newest first)\n\n| reader | newest | 2nd | 3rd | oldest |\n|---|---:|---:|---:|---:|\n";
  for (size_t r = 0; r < spec.readers.size(); ++r) {
    out += "| " + spec.readers[r] + " |";
    for (const auto& a : cells[r][last].age) out += " " + fixed(mean_of(a), 3) + " |";
    out += "\n";
  }
  return out;
}

std::string ComparisonTable::csv() const {
  std::string out = "reader,load_key,load,mean,std,n,seeds,budget,parameters,state_size\n";
  for (size_t r = 0; r < spec.readers.size(); ++r)
    for (size_t l = 0; l < spec.loads.size(); ++l) {
      const CellResult& c = cells[r][l];
      const auto num = [](double v) { return std::isfinite(v) ? compact(v) : std::string(); };
      out += spec.readers[r] + "," + spec.load_key + "," + spec.loads[l] + "," + num(mean_of(c.values)) + "," +
             num(std_of(c.values)) + "," + std::to_string(count_of(c.values)) + "," + std::to_string(c.values.size()) + "," +
             (c.budget ? "1" : "0") + "," + (c.parameters >= 0 ? compact(c.parameters) : "") + "," +
             (c.state_size >= 0 ? compact(c.state_size) : "") + "\n";
    }
  return out;
}

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
    Series s{t.spec.readers[r], {}, {}, {}, false};
    for (size_t l = 0; l < t.spec.loads.size(); ++l) {
      s.x.push_back(t.spec.load_values[l]);
      s.y.push_back(mean_of(t.cells[r][l].values));
      const double sd = std_of(t.cells[r][l].values);
      s.err.push_back(std::isfinite(sd) ? sd : 0);
    }
    nlohmann::json jr;
    jr["error"] = s.y;
    jr["std"] = s.err;
    const auto cap = t.capacity(r);
    jr["capacity"] = cap ? nlohmann::json(*cap) : nlohmann::json(nullptr);
    jr["learned"] = cap.has_value();
    if (!t.cells[r].empty()) {
      jr["parameters"] = t.cells[r].front().parameters;
      jr["state_size"] = t.cells[r].back().state_size;
    }
    std::vector<double> ages;
    for (const auto& a : t.cells[r].back().age) ages.push_back(mean_of(a));
    if (std::any_of(ages.begin(), ages.end(), [](double v) { return std::isfinite(v); })) jr["retention"] = ages;
    summary["readers"][t.spec.readers[r]] = jr;
    if (cap) bars.bars.emplace_back(t.spec.readers[r], *cap);
    curve.series.push_back(std::move(s));
  }
  summary["loads"] = t.spec.load_values;
  fileio::write_atomic(dir + "/summary.json", summary.dump(2) + "\n");
  lines.push_back("summary: " + dir + "/summary.json");
  std::vector<Plot> plots{curve};
  if (!bars.bars.empty()) plots.push_back(bars);
  Plot retention;
  retention.name = "retention";
  retention.title = t.spec.name + ": error by the age of the fact, " + t.spec.load_key + " = " + t.spec.loads.back();
  retention.xlabel = "quarter of the story holding the supporting fact (1 = newest)";
  retention.ylabel = t.spec.metric;
  for (size_t r = 0; r < t.spec.readers.size(); ++r) {
    Series s{t.spec.readers[r], {1, 2, 3, 4}, {}, {}, false};
    for (const auto& a : t.cells[r].back().age) s.y.push_back(mean_of(a));
    if (std::any_of(s.y.begin(), s.y.end(), [](double v) { return std::isfinite(v); })) retention.series.push_back(std::move(s));
  }
  if (!retention.series.empty()) plots.push_back(retention);
  for (auto& line : draw_plots(plots, dir)) lines.push_back(std::move(line));
  return lines;
}

}  // namespace engram::experiments
