#include "core/checkpoint.h"
#include "core/gradcheck.h"
#include "core/layers.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
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
  SECTION("a u64 array that claims zero rows of many columns (found by the fuzzer)") {
    // the fuzzer's input: the file checks out (0 x 119 entries hold 0 bytes), the array does not
    // (fuzz/regressions/checkpoint/u64-array-of-zero-rows, which the fuzz replay also runs)
    const std::string fuzzed(
        "\x45\x4e\x47\x52\x41\x4d\x43\x4b\x01\x00\x00\x00\xd3\x05\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00"
        "\x01\x00\x00\x00\x1a\x00\x00\x00\x6f\x70\x74\x69\x6f\x70\x74\x69\x6d\x2f\x65\x78\x30\x5f\x74\x2e"
        "\x6f\x75\xf4\x2e\x77\x65\x69\x67\x68\x74\x02\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00"
        "\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x84\x89\x9d\xbd\x84\x89\x9d\x3d\xae\x26\x43\xbc\xae\x26"
        "\x43\x3c\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x77\x00\x00\x00\x00"
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x6f\x70\x74\x69",
        139);
    // with its header's payload size and its checksum made right, as the fuzz target does
    std::string bytes = fuzzed;
    constexpr size_t header = 8 + 4 + 8;
    const std::uint64_t payload = bytes.size() - header - 8;
    std::memcpy(bytes.data() + 12, &payload, 8);
    const std::uint64_t sum = fnv1a64(bytes.data() + header, payload);
    std::memcpy(bytes.data() + header + payload, &sum, 8);
    write_all(bad, bytes);
    const Checkpoint odd = Checkpoint::load(bad.string());
    // two entries: an f32 tensor (refused for its kind) and the u64 array named "\0" of 0 x 119
    // (refused for its rows; it used to read 119 numbers from no data)
    REQUIRE(odd.names().size() == 2);
    int refused = 0;
    for (const auto& name : odd.names())
      try {
        (void)odd.get_u64s(name);
      } catch (const CheckpointError&) {
        ++refused;
      }
    CHECK(refused == 2);
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
