// Every row of the op table (core/op_table.h; rows in tests/ops/*_rows.cpp) through every check
// of its op: the double-precision Jacobian, backward adds into pre-filled gradients, float against
// double, zero-size inputs. And the coverage: every op declared in core/ops.h, memory/memory_ops.h
// and memory/interface.h has a row.
#include "core/op_table.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace engram;

TEST_CASE("every op passes a double-precision Jacobian check", "[ops][gradcheck]") {
  REQUIRE(op_table().size() > 80);
  for (const auto& c : op_table()) {
    for (std::uint64_t seed : {1u, 2u}) {
      INFO(c.name << " seed " << seed);
      CHECK(check_gradient(c.f64, c.inputs(seed)) < c.tolerance);
    }
  }
}

TEST_CASE("every op's backward adds into existing gradients", "[ops][gradcheck]") {
  for (const auto& c : op_table()) {
    INFO(c.name);
    CHECK(check_backward_adds(c.f64, c.inputs(5)) < 1e-12);
  }
}

TEST_CASE("every op computes in float what it computes in double, within float rounding", "[ops][float]") {
  for (const auto& c : op_table()) {
    INFO(c.name);
    CHECK(float_double_gap(c, 3) < 1e-5);
  }
}

TEST_CASE("every op takes zero-size inputs: a defined result or an invalid_argument", "[ops][empty]") {
  int results = 0, refusals = 0;
  for (const auto& c : op_table()) {
    INFO(c.name);
    const ZeroSizeReport r = check_zero_size(c.f64, c.inputs(1));
    CHECK(r.problem == "");
    results += r.results;
    refusals += r.refusals;
  }
  CHECK(results > 50);
  CHECK(refusals > 10);
}

namespace {

// The names of the functions returning Var<T> that `header` declares (not the operators, not
// constant(), which makes a leaf).
std::set<std::string> declared_ops(const std::string& header) {
  std::ifstream in(std::string(ENGRAM_SOURCE_DIR) + "/" + header);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::set<std::string> out;
  const std::regex decl(R"(\bVar<T>\s+([a-z_][a-z0-9_]*)\s*\()");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), decl); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
  out.erase("constant");
  return out;
}

}  // namespace

TEST_CASE("every op declared in core/ops.h and the memory ops has a row of the op table", "[ops][coverage]") {
  std::set<std::string> with_rows;
  for (const auto& c : op_table()) with_rows.insert(c.op);
  for (const char* header : {"core/ops.h", "core/ops_image.h", "memory/memory_ops.h", "memory/interface.h"}) {
    const auto ops = declared_ops(header);
    CHECK(!ops.empty());
    for (const auto& op : ops) {
      INFO(header << ": " << op << " has no row in tests/ops/");
      CHECK(with_rows.count(op) == 1);
    }
  }
}

TEST_CASE("the checks catch a wrong gradient, an assigning backward and a float-only difference", "[ops][gradcheck]") {
  // exp with the derivative of x^2 instead: a checker that passes this is broken.
  const OpFn<double> wrong = [](const std::vector<Var<double>>& x) {
    return Var<double>::make(x[0].value().array().exp().matrix(), {x[0]},
        [](const Node<double>& self, const MatD& g, GradSpan<double> gin) {
          if (gin[0]) gin[0]->array() += g.array() * 2 * self.inputs[0]->value.array();
        }, "wrong_exp");
  };
  Rng rng(1, "checker-meta");
  CHECK(check_gradient(wrong, {Var<double>(random_matrix(2, 3, rng), true)}) > 1e-2);
  const OpFn<double> assigns = [](const std::vector<Var<double>>& x) {
    return Var<double>::make(x[0].value(), {x[0]},
        [](const Node<double>&, const MatD& g, GradSpan<double> gin) { if (gin[0]) *gin[0] = g; }, "assigning_identity");
  };
  CHECK(check_backward_adds(assigns, {Var<double>(random_matrix(2, 3, rng), true)}) > 0.5);
  OpCase drift = op_case("drift", "drift", {{2, 2}}, ENGRAM_OP_EXPR(add_scalar(x[0], T(sizeof(T) == 4 ? 0.1 : 0))));
  CHECK(float_double_gap(drift, 1) > 0.01);
}
