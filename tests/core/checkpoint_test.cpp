#include "core/checkpoint.h"
#include "core/gradcheck.h"
#include "core/layers.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace engram;
namespace fs = std::filesystem;

namespace {
struct TempDir : engram::test::TempDir {
  TempDir() : engram::test::TempDir("engram-ck") {}
};

std::string read_all(const fs::path& p) { return test::slurp(p); }
void write_all(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}

struct TwoLayer : Module<float> {
  Linear<float> a, b;
  TwoLayer(Rng& rng) : a(3, 4, rng), b(4, 2, rng) {
    add_module("a", a);
    add_module("b", b);
  }
};
}  // namespace

TEST_CASE("a checkpoint round-trips every entry kind exactly", "[checkpoint]") {
  TempDir dir;
  Rng rng(3, "stream");
  rng.next_u64();
  Rng values(4, "checkpoint-values");
  MatF f = random_matrix(3, 5, values).cast<float>();
  MatD d = random_matrix(2, 2, values);
  Checkpoint ck;
  ck.put_tensor("f", f);
  ck.put_tensor("d", d);
  ck.put_tensor("empty", MatF(0, 4));
  ck.put_u64s("steps", {1, 2, 99});
  ck.put_string("meta", "{\"epoch\": 3}");
  ck.put_rng("rng", rng);
  const auto path = (dir.path / "a.ck").string();
  ck.save(path);
  CHECK_FALSE(fs::exists(path + ".tmp"));

  const Checkpoint back = Checkpoint::load(path);
  CHECK(back.get_tensor<float>("f") == f);
  CHECK(back.get_tensor<double>("d") == d);
  CHECK(back.get_tensor<float>("empty").cols() == 4);
  CHECK(back.get_u64s("steps") == std::vector<std::uint64_t>{1, 2, 99});
  CHECK(back.get_string("meta") == "{\"epoch\": 3}");
  Rng restored(3, "stream");
  back.get_rng("rng", restored);
  CHECK(restored.next_u64() == rng.next_u64());
  Rng other(4, "stream");
  CHECK_THROWS_AS(back.get_rng("rng", other), CheckpointError);
}

TEST_CASE("model parameters round-trip and a mismatch loads nothing", "[checkpoint]") {
  TempDir dir;
  Rng r1(1), r2(2);
  TwoLayer m1(r1), m2(r2);
  Checkpoint ck;
  save_parameters(ck, m1.named_parameters());
  ck.save((dir.path / "m.ck").string());
  load_parameters(Checkpoint::load((dir.path / "m.ck").string()), m2.named_parameters());
  CHECK(m2.a.weight.value() == m1.a.weight.value());
  CHECK(m2.b.bias.value() == m1.b.bias.value());

  // a model whose second layer has another shape: the first layer must stay untouched
  struct Other : Module<float> {
    Linear<float> a, b;
    Other(Rng& rng) : a(3, 4, rng), b(4, 3, rng) {
      add_module("a", a);
      add_module("b", b);
    }
  };
  Rng r3(3);
  Other o(r3);
  const MatF before = o.a.weight.value();
  CHECK_THROWS_WITH(load_parameters(ck, o.named_parameters()),
                    Catch::Contains("param/b.weight") && Catch::Contains("[4 x 2]") &&
                        Catch::Contains("[4 x 3]"));
  CHECK(o.a.weight.value() == before);
}

TEST_CASE("damaged checkpoint files are refused with a clear error", "[checkpoint]") {
  TempDir dir;
  Checkpoint ck;
  Rng values(5, "checkpoint-values");
  ck.put_tensor("w", MatF(random_matrix(10, 10, values).cast<float>()));
  ck.put_string("meta", "hello");
  const auto path = dir.path / "ok.ck";
  ck.save(path.string());
  const std::string good = read_all(path);
  const auto bad = dir.path / "bad.ck";

  SECTION("truncated at every length") {
    for (size_t n : {size_t{0}, size_t{5}, size_t{20}, good.size() / 2, good.size() - 1}) {
      write_all(bad, good.substr(0, n));
      INFO("length " << n);
      CHECK_THROWS_AS(Checkpoint::load(bad.string()), CheckpointError);
    }
  }
  SECTION("one flipped bit anywhere in the payload") {
    for (size_t pos = 20; pos < good.size() - 8; pos += 37) {
      std::string s = good;
      s[pos] ^= 0x10;
      write_all(bad, s);
      INFO("byte " << pos);
      CHECK_THROWS_WITH(Checkpoint::load(bad.string()), Catch::Contains("checksum"));
    }
  }
  SECTION("not a checkpoint, another version, missing file") {
    write_all(bad, std::string(100, 'x'));
    CHECK_THROWS_WITH(Checkpoint::load(bad.string()), Catch::Contains("not an engram checkpoint"));
    std::string s = good;
    s[8] = 9;
    write_all(bad, s);
    CHECK_THROWS_WITH(Checkpoint::load(bad.string()), Catch::Contains("version 9"));
    CHECK_THROWS_WITH(Checkpoint::load((dir.path / "none.ck").string()), Catch::Contains("cannot open"));
  }
  SECTION("missing and mistyped entries") {
    const Checkpoint back = Checkpoint::load(path.string());
    CHECK_THROWS_WITH(back.get_tensor<float>("nope"), Catch::Contains("no entry 'nope'"));
    CHECK_THROWS_WITH(back.get_u64s("w"), Catch::Contains("f32 tensor"));
    CHECK_THROWS_WITH(back.get_tensor<float>("w", 10, 11), Catch::Contains("[10 x 11]"));
  }
}

TEST_CASE("saving over an existing checkpoint replaces it whole", "[checkpoint]") {
  TempDir dir;
  const auto path = (dir.path / "c.ck").string();
  Checkpoint a, b;
  a.put_string("v", "first");
  b.put_string("v", "second");
  a.save(path);
  b.save(path);
  CHECK(Checkpoint::load(path).get_string("v") == "second");
  CHECK_THROWS_AS(a.save((dir.path / "no/such/dir/c.ck").string()), CheckpointError);
}
