#include "core/registry.h"

#include <catch2/catch.hpp>

#include <functional>
#include <thread>

using namespace engram;

TEST_CASE("a registry maps names to factories and lists them sorted", "[registry]") {
  Registry<std::function<int(int)>> r("score");
  CHECK(r.add("double", "twice the input", [](int x) { return 2 * x; }));
  r.add("square", "x^2", [](int x) { return x * x; });
  CHECK(r.get("double")(4) == 8);
  CHECK(r.get("square")(4) == 16);
  CHECK(r.names() == std::vector<std::string>{"double", "square"});
  CHECK(r.entries()[1].description == "x^2");
  CHECK(r.contains("square"));
}

TEST_CASE("unknown names suggest the nearest known one", "[registry]") {
  Registry<std::function<int()>> r("normalizer");
  r.add("softmax", "", [] { return 1; });
  r.add("sparsemax", "", [] { return 2; });
  CHECK_THROWS_WITH(r.get("sofmax"), Catch::Contains("unknown normalizer 'sofmax'") &&
                                         Catch::Contains("did you mean 'softmax'") &&
                                         Catch::Contains("known: softmax, sparsemax"));
  CHECK_THROWS_WITH(r.get("zzzzzzzzzz"), !Catch::Contains("did you mean"));
}

TEST_CASE("duplicates need replace = true, entries can be added at run time", "[registry]") {
  Registry<std::function<int()>> r("task");
  r.add("copy", "", [] { return 1; });
  CHECK_THROWS_WITH(r.add("copy", "", [] { return 2; }), Catch::Contains("already registered"));
  r.add("copy", "", [] { return 3; }, true);
  CHECK(r.get("copy")() == 3);
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&r, t] {
      for (int i = 0; i < 50; ++i) r.add("t" + std::to_string(t) + "_" + std::to_string(i), "", [] { return 0; });
    });
  for (auto& t : ts) t.join();
  CHECK(r.names().size() == 201);
}

TEST_CASE("edit distance", "[registry]") {
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(nearest_name("hops", {"hop", "memory"}) == "hop");
}
