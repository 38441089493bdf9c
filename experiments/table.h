// engram/experiments/table.h — the numeric tables that studies and comparisons write
// (table.csv, table.md) and `engram compare --rows` reads back.
#pragma once

#include <string>
#include <vector>

namespace engram::experiments {

// A numeric table with named columns.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;

  void add(std::vector<double> row);         // throws if the width differs from columns
  std::string csv() const;                   // full precision (%.10g)
  std::string markdown(int precision = 4) const;
  static Table from_csv(const std::string& text, const std::string& where);
};

}  // namespace engram::experiments
