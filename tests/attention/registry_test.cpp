#include "attention/normalizer.h"
#include "attention/score.h"

#include <catch2/catch.hpp>

using namespace engram;
using namespace engram::attention;

TEST_CASE("registered scores are linked in", "[attention][registry]") {
  CHECK(scores<float>().contains("dot"));
  CHECK(scores<double>().contains("dot"));
}
