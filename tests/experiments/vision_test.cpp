// The image tasks and the cnn model (experiments/tasks/vision/, models/cnn.cpp, networks/cnn.h):
// fashion_mnist read from IDX files written here (splits, errors at the dir key), the backbone's
// Jacobian in double with and without a block, and the cnn learning images whose class is where
// their bright patch is, with every registered block.
#include "attention/vision/block.h"
#include "core/gradcheck.h"
#include "experiments/runner.h"
#include "experiments/tasks/vision/image_task.h"
#include "networks/cnn.h"
#include "tests/experiments/task_fixtures.h"

#include <catch2/catch.hpp>

#include <zlib.h>

#include <fstream>

using namespace engram;
using namespace engram::experiments;
using namespace engram::experiments::vision;
using Catch::Contains;

namespace {

void write_gz(const std::filesystem::path& p, const std::string& raw) {
  gzFile f = gzopen(p.string().c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, raw.data(), static_cast<unsigned>(raw.size())) == static_cast<int>(raw.size()));
  gzclose(f);
}

std::string header(std::vector<std::uint32_t> dims) {
  std::string s{'\0', '\0', 8, static_cast<char>(dims.size())};
  for (auto d : dims)
    for (int k = 3; k >= 0; --k) s.push_back(static_cast<char>((d >> (8 * k)) & 0xFF));
  return s;
}

// n 28x28 noisy images; class 0 holds a bright 6 x 6 square anywhere, class 1 none.
void write_patches(const std::filesystem::path& dir, const std::string& prefix, int n, std::uint64_t seed) {
  Rng rng(seed, "patches");
  std::string images = header({static_cast<std::uint32_t>(n), 28, 28}), labels = header({static_cast<std::uint32_t>(n)});
  for (int i = 0; i < n; ++i) {
    const int cls = static_cast<int>(rng.below(2));
    const int h = cls == 0 ? 6 : 0, w = 6;
    const int top = static_cast<int>(rng.below(static_cast<std::uint64_t>(28 - h))), left = static_cast<int>(rng.below(static_cast<std::uint64_t>(28 - w)));
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) {
        const bool patch = y >= top && y < top + h && x >= left && x < left + w;
        images.push_back(static_cast<char>(patch ? 200 + rng.below(56) : rng.below(60)));
      }
    labels.push_back(static_cast<char>(cls));
  }
  write_gz(dir / (prefix + "-images-idx3-ubyte.gz"), images);
  write_gz(dir / (prefix + "-labels-idx1-ubyte.gz"), labels);
}

std::string task_error(const std::string& yaml) { return test::problem_error(yaml, "{name: cnn}", "v.yaml"); }

}  // namespace

TEST_CASE("fashion_mnist reads its IDX files: the last val_size training images validate, t10k tests", "[vision]") {
  test::TempDir d("fmnist");
  write_patches(d.path, "train", 50, 1);
  write_patches(d.path, "t10k", 20, 2);
  Config c = Config::parse("seed: 1\ntask: {name: fashion_mnist, dir: " + d.path.string() + ", val_size: 10, train_size: 30}\nmodel: {name: cnn}\n", "v.yaml");
  const Built b = build_problem(c);
  const auto& t = dynamic_cast<const ImageTask&>(*b.task);
  CHECK(t.train_size() == 30);
  CHECK(t.split("val").labels.size() == 10);
  CHECK(t.split("test").labels.size() == 20);
  CHECK(t.train().images.cols() == 784);
  CHECK(t.train().images.maxCoeff() <= 1.0f);
  CHECK_THROWS_WITH(t.split("train"), Contains("unknown split 'train'"));
  CHECK_THAT(task_error("{name: fashion_mnist, dir: /nonexistent}"), Contains("v.yaml:2") && Contains("task.dir") && Contains("dataset-fashion-mnist"));
  write_gz(d.path / "t10k-labels-idx1-ubyte.gz", header({3}) + std::string{1, 0, 1});  // 3 labels for 20 images
  CHECK_THAT(task_error("{name: fashion_mnist, dir: " + d.path.string() + ", val_size: 10}"), Contains("task.dir") && Contains("3 labels for 20 images"));
  write_gz(d.path / "t10k-labels-idx1-ubyte.gz", header({20}) + std::string(20, 12));
  CHECK_THAT(task_error("{name: fashion_mnist, dir: " + d.path.string() + ", val_size: 10}"), Contains("label 12 is outside 0..9"));
  CHECK_THAT(task_error("{name: fashion_mnist, dir: " + d.path.string() + ", val_size: 60}"), Contains("leaves no training images"));
}

TEST_CASE("the CNN backbone passes a Jacobian check in double, plain, with group norm and with every registered block", "[vision][gradcheck]") {
  std::vector<std::string> blocks{"", "norm"};
  for (const auto& name : attention::blocks<double>().names()) blocks.push_back(name);
  for (const std::string& block : blocks) {
    INFO("block " << block);
    networks::CnnOptions o;
    o.input = {2, 6, 5};
    o.channels = {3, 4};
    o.classes = 3;
    if (block == "norm") {
      o.norm_groups = 2;  // groups of 2 and of 3 channels
      o.channels = {4, 6};
    } else {
      o.block = block;
    }
    if (block == "cbam") o.block_options.set("reduction", 2.0).set("kernel", 3.0);
    Rng rng(2, "cnn");
    networks::Cnn<double> net(o, rng);
    // every parameter drawn at random: blocks that start as the identity (a zero last layer)
    // would otherwise leave ReLU's tied zeros tied in a max-pool window, a kink under the check
    for (auto p : net.parameters()) p.mutable_value() = random_matrix(p.rows(), p.cols(), rng, -0.5, 0.5);
    std::vector<Var<double>> inputs{Var<double>(random_matrix(2, 60, rng), true)};
    for (const auto& p : net.parameters()) inputs.push_back(p);
    CHECK(check_gradient([&](const std::vector<Var<double>>& v) { return net.logits(v[0]); }, inputs) < 1e-6);
    CHECK(net.first_attention(inputs[0]).defined() == !o.block.empty());
  }
  networks::CnnOptions bad;
  bad.channels = {4, 6};
  bad.norm_groups = 4;
  Rng rng(3, "cnn");
  CHECK_THROWS_WITH(networks::Cnn<double>(bad, rng), Contains("norm_groups (4) must divide stage 1's 6 channels"));
}

// Five short trainings: in the release suite only (under AddressSanitizer the Jacobian check above
// runs the same code).
#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("the cnn learns whether an image holds a bright square, plain and with every registered block", "[vision][learning]") {
  test::TempDir d("patches");
  write_patches(d.path, "train", 300, 3);
  write_patches(d.path, "t10k", 100, 4);
  for (const std::string block : {"none", "se", "eca", "cbam", "simam"}) {
    INFO("block " << block);
    const RunOutcome out = test::run_yaml(d, "c-" + block + ".yaml",
        "name: c\nseed: 1\ntask: {name: fashion_mnist, dir: " + d.path.string() + ", val_size: 50}\nmodel: {name: cnn, channels: [8, 16], block: " +
            block + "}\ntrainer: {epochs: 10, batch: 16, threads: 2, eval_every: epoch, log_every: epoch,"
                    " optimizer: {name: adam, lr: 0.01}, early_stopping: {metric: val/error, mode: min, patience: 0}}\n");
    REQUIRE(out.status == "completed");
    CHECK(out.result.final_metrics.at("test/accuracy") > 0.9);  // chance: 0.5
  }
  const auto model_error = [&](const std::string& model) {
    return test::problem_error("{name: fashion_mnist, dir: " + d.path.string() + ", val_size: 50}", model, "m.yaml");
  };
  CHECK_THAT(model_error("{name: cnn, block: nope}"), Contains("m.yaml:3") && Contains("nope") && Contains("cbam"));
  CHECK_THAT(model_error("{name: cnn, block: {name: se, reduction: 0}}"), Contains("reduction"));
  CHECK_THAT(model_error("{name: cnn, channels: [8, x]}"), Contains("model.channels") && Contains("'x'"));
  CHECK_THAT(model_error("{name: cnn, channels: [8, 12], norm_groups: 8}"), Contains("model.norm_groups") && Contains("stage of 12"));
  CHECK_THAT(model_error("{name: cnn}").substr(0, 10), Contains("(no error)"));
}
#endif
