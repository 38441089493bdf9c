// experiments/idx.h: IDX files written here (plain and gzipped) read back exactly; every kind of
// malformed file an error naming the file and what is wrong; the Fashion-MNIST files that
// scripts/setup installs (dataset-fashion-mnist) read with their published sizes and balanced
// classes.
#include "experiments/idx.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <zlib.h>

#include <fstream>
#include <map>

using namespace engram;
using namespace engram::experiments;
using Catch::Contains;

namespace {

std::string idx_bytes(unsigned type, const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& data) {
  std::string s{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (auto d : dims)
    for (int k = 3; k >= 0; --k) s.push_back(static_cast<char>((d >> (8 * k)) & 0xFF));
  s.append(data.begin(), data.end());
  return s;
}

std::string gzip(const std::string& raw) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, raw.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string error_of(const std::string& bytes) {
  try {
    (void)parse_idx(bytes, "bad.idx", 1000);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("IDX: images and labels read back exactly, plain and gzipped", "[idx]") {
  test::TempDir d("idx");
  std::vector<std::uint8_t> pixels;
  for (int i = 0; i < 2 * 3 * 4; ++i) pixels.push_back(static_cast<std::uint8_t>(i * 10));
  const std::string images = idx_bytes(0x08, {2, 3, 4}, pixels), labels = idx_bytes(0x08, {2}, {7, 1});
  std::ofstream(d.path / "images.idx", std::ios::binary) << images;
  std::ofstream(d.path / "labels.idx.gz", std::ios::binary) << gzip(labels);
  const IdxArray a = read_idx((d.path / "images.idx").string());
  CHECK(a.dims == std::vector<std::uint32_t>{2, 3, 4});
  CHECK(a.data == pixels);
  const MatF m = idx_images(a, "images.idx");
  REQUIRE((m.rows() == 2 && m.cols() == 12));
  CHECK(m(1, 11) == Approx(230.0 / 255));  // image 1, row 2, column 3
  CHECK(idx_labels(read_idx((d.path / "labels.idx.gz").string()), "labels") == std::vector<int>{7, 1});
  CHECK(parse_idx(gzip(images), "g").data == pixels);
  CHECK_THROWS_WITH(idx_images(read_idx((d.path / "labels.idx.gz").string()), "labels.idx.gz"), Contains("labels.idx.gz: images need 3 dimensions"));
  CHECK_THROWS_WITH(idx_labels(a, "images.idx"), Contains("labels need 1 dimension, got 3"));
}

TEST_CASE("IDX: malformed files name the file and what is wrong", "[idx][errors]") {
  CHECK_THAT(error_of(std::string(2, '\0')), Contains("bad.idx: not an IDX file: 2 bytes"));
  CHECK_THAT(error_of("P5\n28 28"), Contains("not an IDX file: it starts 0x50 0x35"));
  CHECK_THAT(error_of(idx_bytes(0x0D, {2}, {0, 0, 0, 0, 0, 0, 0, 0})), Contains("element type 0x0D (float) is not supported"));
  CHECK_THAT(error_of(idx_bytes(0x42, {2}, {0, 0})), Contains("0x42 (unknown)"));
  CHECK_THAT(error_of(idx_bytes(0x08, {}, {})), Contains("0 dimensions"));
  CHECK_THAT(error_of(std::string{'\0', '\0', 8, 2, 0, 0, 0, 1}), Contains("header of 2 sizes is truncated"));
  CHECK_THAT(error_of(idx_bytes(0x08, {3, 2}, {1, 2, 3})), Contains("truncated: the sizes say 6 elements, the file holds 3"));
  CHECK_THAT(error_of(idx_bytes(0x08, {2}, {1, 2, 3})), Contains("1 bytes after the 2 elements"));
  CHECK_THAT(error_of(idx_bytes(0x08, {0xFFFFFFFF, 0xFFFFFFFF}, {})), Contains("multiply past 1000 elements"));
  // a zero size does not hide the others (the product of the non-zero sizes is bounded too)
  CHECK_THAT(error_of(idx_bytes(0x08, {0, 0xFFFFFFFF, 0xFFFFFFFF}, {})), Contains("multiply past 1000 elements"));
  const std::string gz = gzip(idx_bytes(0x08, {5}, {1, 2, 3, 4, 5}));
  CHECK_THAT(error_of(gz.substr(0, gz.size() / 2)), Contains("the gzip stream ends early"));
  std::string broken = gz;
  broken[12] = static_cast<char>(broken[12] ^ 0x5A);
  CHECK_THAT(error_of(broken), Contains("bad.idx"));
  // a stream that inflates past the limit stops there
  CHECK_THAT(error_of(gzip(idx_bytes(0x08, {100000}, std::vector<std::uint8_t>(100000, 0)))), Contains("inflates past 1000 bytes"));
}

TEST_CASE("IDX: the Fashion-MNIST files of dataset-fashion-mnist", "[idx][fashion_mnist]") {
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  const IdxArray test_images = read_idx(dir + "t10k-images-idx3-ubyte.gz"), test_labels = read_idx(dir + "t10k-labels-idx1-ubyte.gz");
  CHECK(test_images.dims == std::vector<std::uint32_t>{10000, 28, 28});
  const std::vector<int> labels = idx_labels(test_labels, "t10k labels");
  REQUIRE(labels.size() == 10000);
  std::map<int, int> per_class;
  for (int l : labels) ++per_class[l];
  CHECK(per_class.size() == 10);
  for (const auto& [c, n] : per_class) CHECK(n == 1000);  // 1000 test images of each of the 10 classes
  CHECK(read_idx(dir + "train-labels-idx1-ubyte.gz").dims == std::vector<std::uint32_t>{60000});
}
