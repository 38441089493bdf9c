#include "experiments/table.h"

#include "core/tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace engram::experiments {



void Table::add(std::vector<double> row) {
  require(row.size() == columns.size(), "Table::add",
          "row of " + std::to_string(row.size()) + " values for " + std::to_string(columns.size()) + " columns");
  rows.push_back(std::move(row));
}

namespace {

std::string cell(double v, int precision, bool full) {
  if (std::isnan(v)) return full ? "nan" : "—";
  char buf[64];
  if (full) std::snprintf(buf, sizeof buf, "%.10g", v);
  else if (v == std::floor(v) && std::fabs(v) < 1e12) std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (v != 0 && (std::fabs(v) < 1e-3 || std::fabs(v) >= 1e6)) std::snprintf(buf, sizeof buf, "%.*e", std::max(precision - 1, 1), v);
  else std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  return buf;
}

}  // namespace

std::string Table::csv() const {
  std::ostringstream s;
  for (size_t c = 0; c < columns.size(); ++c) s << (c ? "," : "") << columns[c];
  s << "\n";
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) s << (c ? "," : "") << cell(r[c], 0, true);
    s << "\n";
  }
  return s.str();
}

std::string Table::markdown(int precision) const {
  std::vector<std::vector<std::string>> text;
  text.push_back(columns);
  for (const auto& r : rows) {
    std::vector<std::string> t;
    for (double v : r) t.push_back(cell(v, precision, false));
    text.push_back(t);
  }
  std::vector<size_t> w(columns.size(), 3);
  for (const auto& r : text)
    for (size_t c = 0; c < r.size(); ++c) w[c] = std::max(w[c], r[c].size());
  std::ostringstream s;
  auto line = [&](const std::vector<std::string>& r) {
    s << "|";
    for (size_t c = 0; c < r.size(); ++c) s << " " << std::setw(int(w[c])) << r[c] << " |";
    s << "\n";
  };
  line(text[0]);
  s << "|";
  for (size_t c = 0; c < columns.size(); ++c) s << std::string(w[c] + 1, '-') << ":|";
  s << "\n";
  for (size_t i = 1; i < text.size(); ++i) line(text[i]);
  return s.str();
}

Table Table::from_csv(const std::string& text, const std::string& where) {
  Table t;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    // every comma separates two fields, so "a,b," has three (the last one empty)
    std::vector<std::string> fields;
    for (size_t start = 0;;) {
      const size_t comma = line.find(',', start);
      fields.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (t.columns.empty()) {
      t.columns = fields;
      continue;
    }
    if (fields.size() != t.columns.size())
      throw std::invalid_argument(where + ":" + std::to_string(n) + ": expected " + std::to_string(t.columns.size()) +
                                  " fields, got " + std::to_string(fields.size()));
    std::vector<double> row;
    for (const auto& x : fields) {
      try {
        size_t used = 0;
        row.push_back(x == "nan" ? std::nan("") : std::stod(x, &used));
        if (x != "nan" && used != x.size()) throw std::invalid_argument(x);
      } catch (const std::exception&) {
        throw std::invalid_argument(where + ":" + std::to_string(n) + ": '" + x + "' is not a number");
      }
    }
    t.rows.push_back(std::move(row));
  }
  if (t.columns.empty()) throw std::invalid_argument(where + ": empty table");
  return t;
}

}  // namespace engram::experiments
