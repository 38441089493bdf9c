// The image tasks and the cnn model (experiments/tasks/vision/, models/cnn.cpp, networks/cnn.h):
// fashion_mnist read from IDX files written here (splits, errors at the dir key), the backbone's
// Jacobian in double with and without a block, and the cnn learning images whose class is where
// their bright patch is, with every registered block; the cluttered translated canvases (the same
// canvas for the same id, the item whole, clutter only from its own split) and the recurrent
// attention model (ram) learning the bright-square images through its glimpses.
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
  const auto& t = dynamic_cast<const StoredImageTask&>(*b.task);
  CHECK(t.train_size() == 30);
  CHECK(t.size("val") == 10);
  CHECK(t.size("test") == 20);
  CHECK(t.set("train").images.cols() == 784);
  CHECK(t.set("train").images.maxCoeff() <= 1.0f);
  const std::vector<Index> rows{3, 0};
  CHECK(t.images("val", rows).row(0) == t.set("val").images.row(3));
  CHECK(t.labels("test", rows) == std::vector<int>{t.set("test").labels[3], t.set("test").labels[0]});
  CHECK_THROWS_WITH(t.size("nope"), Contains("unknown split 'nope'"));
  CHECK_THROWS_WITH(t.label("val", 10), Contains("image 10 of val is out of range"));
  CHECK_THAT(task_error("{name: fashion_mnist, dir: /nonexistent}"), Contains("v.yaml:2") && Contains("task.dir") && Contains("dataset-fashion-mnist"));
  write_gz(d.path / "t10k-labels-idx1-ubyte.gz", header({3}) + std::string{1, 0, 1});  // 3 labels for 20 images
  CHECK_THAT(task_error("{name: fashion_mnist, dir: " + d.path.string() + ", val_size: 10}"), Contains("task.dir") && Contains("3 labels for 20 images"));
  write_gz(d.path / "t10k-labels-idx1-ubyte.gz", header({20}) + std::string(20, 12));
  CHECK_THAT(task_error("{name: fashion_mnist, dir: " + d.path.string() + ", val_size: 10}"), Contains("label 12 is outside 0..9"));
  CHECK_THAT(task_error("{name: fashion_mnist, dir: " + d.path.string() + ", val_size: 60}"), Contains("leaves no training images"));
}

TEST_CASE("the CNN backbone passes a Jacobian check in double, plain, with group norm, flattened and with every registered block", "[vision][gradcheck]") {
  std::vector<std::string> blocks{"", "norm", "flatten"};
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
    } else if (block == "flatten") {
      o.flatten_head = true;  // the classifier reads the last maps whole:
      o.input = {2, 8, 6};    // 4 channels x 2 x 1 after two poolings, 8 features
    } else {
      o.block = block;
    }
    if (block == "cbam") o.block_options.set("reduction", 2.0).set("kernel", 3.0);
    Rng rng(2, "cnn");
    networks::Cnn<double> net(o, rng);
    // every parameter drawn at random: blocks that start as the identity (a zero last layer)
    // would otherwise leave ReLU's tied zeros tied in a max-pool window, a kink under the check
    for (auto p : net.parameters()) p.mutable_value() = random_matrix(p.rows(), p.cols(), rng, -0.5, 0.5);
    std::vector<Var<double>> inputs{Var<double>(random_matrix(2, o.input.size(), rng), true)};
    for (const auto& p : net.parameters()) inputs.push_back(p);
    CHECK(check_gradient([&](const std::vector<Var<double>>& v) { return net.logits(v[0]); }, inputs) < 1e-6);
    CHECK(net.first_attention(inputs[0]).defined() == !o.block.empty());
    int heads = 0;
    for (const auto& p : net.named_parameters())
      if (p.name == "head.weight") {
        ++heads;
        CHECK(p.var.rows() == (block == "flatten" ? 8 : o.channels.back()));
      }
    CHECK(heads == 1);
  }
  networks::CnnOptions bad;
  bad.channels = {4, 6};
  bad.norm_groups = 4;
  Rng rng(3, "cnn");
  CHECK_THROWS_WITH(networks::Cnn<double>(bad, rng), Contains("norm_groups (4) must divide stage 1's 6 channels"));
}

// Five short trainings: in the release suite only (under AddressSanitizer the Jacobian check above
// runs the same code).
TEST_CASE("classification metrics over batches of examples equal those over single examples", "[vision]") {
  Rng rng(9, "metrics");
  const MatF logits = random_matrix(130, 4, rng, -3, 3).cast<float>();
  std::vector<int> targets;
  for (int i = 0; i < 130; ++i) targets.push_back(static_cast<int>(rng.below(4)));
  ThreadPool pool(2);
  const Metrics one = classification_metrics(pool, 130, [&](Index i) { return std::pair{Var<float>(MatF(logits.row(i))), targets[size_t(i)]}; });
  for (const Index batch : {1, 7, 64, 200}) {
    const Metrics many = classification_metrics(pool, 130, batch, [&](Index first, Index count) {
      return std::pair{Var<float>(MatF(logits.middleRows(first, count))),
                       std::vector<int>(targets.begin() + first, targets.begin() + first + count)};
    });
    CHECK(many.at("accuracy") == one.at("accuracy"));
    CHECK(many.at("loss") == Approx(one.at("loss")).epsilon(1e-6));
  }
  CHECK(one.at("accuracy") > 0.2);  // not degenerate
  CHECK_THROWS_WITH(classification_metrics(pool, 10, 4, [&](Index, Index) { return std::pair{Var<float>(MatF::Zero(1, 4)), std::vector<int>{0}}; }),
                    Contains("4 examples"));
}

TEST_CASE("cluttered_fashion_mnist draws the same canvas for an id, the item whole, clutter from its own split", "[vision]") {
  test::TempDir d("cluttered");
  write_patches(d.path, "train", 40, 5);
  write_patches(d.path, "t10k", 20, 6);
  const auto build = [&](const std::string& extra, std::uint64_t seed) {
    return test::build_task("{name: cluttered_fashion_mnist, dir: " + d.path.string() + ", val_size: 10" + extra + "}", seed, "c.yaml");
  };
  const auto plain = test::build_task("{name: fashion_mnist, dir: " + d.path.string() + ", val_size: 10}", 1, "c.yaml");
  const auto& source = test::as_family<StoredImageTask>(plain);
  const auto t = build(", canvas: 40, clutter: 3, piece: 6", 1);
  const auto& c = test::as_family<ImageTask>(t);
  REQUIRE(c.shape().height == 40);
  REQUIRE(c.size("train") == 30);
  CHECK(c.size("test") == 20);
  const std::vector<Index> rows{0, 7, 7};
  const MatF a = c.images("test", rows), b = c.images("test", rows);
  CHECK(a == b);                        // the same canvas every time it is asked for
  CHECK(a.row(1) == a.row(2));
  CHECK(a.row(0) != a.row(1));
  CHECK(c.label("test", 7) == source.set("test").labels[7]);
  CHECK(test::as_family<ImageTask>(build(", canvas: 40, clutter: 3, piece: 6", 2)).images("test", rows) != a);  // another seed
  // without clutter the canvas is the item moved whole: its 28 x 28 window somewhere equals it
  const auto bare = build(", canvas: 36, clutter: 0", 1);
  for (Index i = 0; i < 5; ++i) {
    const MatF canvas = test::as_family<ImageTask>(bare).images("train", {&i, 1});
    const Eigen::Map<const MatF> plane(canvas.data(), 36, 36);
    const Eigen::Map<const MatF> item(source.set("train").images.row(i).data(), 28, 28);
    int found = 0;
    for (Index y = 0; y <= 8; ++y)
      for (Index x = 0; x <= 8; ++x)
        found += plane.block(y, x, 28, 28) == item && std::abs(plane.sum() - item.sum()) < 1e-3f;
    CHECK(found == 1);
  }
  // clutter only from the same split: with every test image's pixels in {0, 1} and every training
  // image's in {0, 0.5}, test canvases hold 0 and 1 only
  std::string images = header({20, 28, 28}), labels = header({20});
  for (int i = 0; i < 20; ++i) {
    for (int p = 0; p < 784; ++p) images.push_back(static_cast<char>(p % 3 == 0 ? 255 : 0));
    labels.push_back(static_cast<char>(i % 10));
  }
  write_gz(d.path / "t10k-images-idx3-ubyte.gz", images);
  write_gz(d.path / "t10k-labels-idx1-ubyte.gz", labels);
  std::string half = header({40, 28, 28}), half_labels = header({40});
  for (int i = 0; i < 40; ++i) {
    for (int p = 0; p < 784; ++p) half.push_back(static_cast<char>(p % 2 == 0 ? 0 : 255 / 2 + 1));
    half_labels.push_back(static_cast<char>(i % 10));
  }
  write_gz(d.path / "train-images-idx3-ubyte.gz", half);
  write_gz(d.path / "train-labels-idx1-ubyte.gz", half_labels);
  const auto split_only = build(", canvas: 50, clutter: 20", 3);
  for (Index i = 0; i < 20; ++i) {
    const MatF canvas = test::as_family<ImageTask>(split_only).images("test", {&i, 1});
    CHECK((canvas.array() == 0.0f || canvas.array() == 1.0f).all());
  }
  CHECK_THAT(test::task_error("{name: cluttered_fashion_mnist, dir: " + d.path.string() + ", canvas: 20}", "c.yaml"),
             Contains("c.yaml:2") && Contains("task.canvas"));
  CHECK_THAT(test::task_error("{name: cluttered_fashion_mnist, dir: " + d.path.string() + ", piece: 29}", "c.yaml"), Contains("task.piece"));
  CHECK_THAT(test::task_error("{name: cluttered_fashion_mnist, dir: /nonexistent}", "c.yaml"), Contains("task.dir"));
}

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
  CHECK_THAT(model_error("{name: cnn, head: mean}"), Contains("model.head") && Contains("global or flatten"));
  CHECK_THAT(model_error("{name: cnn, channels: [8, 12], norm_groups: 8}"), Contains("model.norm_groups") && Contains("stage of 12"));
  CHECK_THAT(model_error("{name: cnn}").substr(0, 10), Contains("(no error)"));
}
TEST_CASE("the recurrent attention model learns the bright-square images through two glimpses", "[vision][learning]") {
  test::TempDir d("ram");
  write_patches(d.path, "train", 300, 3);
  write_patches(d.path, "t10k", 100, 4);
  const RunOutcome out = test::run_yaml(d, "ram.yaml",
      "name: r\nseed: 1\ntask: {name: fashion_mnist, dir: " + d.path.string() + ", val_size: 50}\n"
      "model: {name: ram, glimpse: 7, scales: 3, glimpses: 2, glimpse_hidden: 32, hidden: 64, examples_per_graph: 16}\n"
      "trainer: {epochs: 12, batch: 16, threads: 2, eval_every: epoch, log_every: epoch,"
      " optimizer: {name: adam, lr: 0.003}, early_stopping: {metric: val/error, mode: min, patience: 0}}\n");
  REQUIRE(out.status == "completed");
  CHECK(out.result.final_metrics.at("test/accuracy") > 0.85);  // chance: 0.5
  // inspect: the first validation image, where its two glimpses looked (a heat map of the image's
  // size whose mass is the retinas' total weight) and the two locations
  const auto npy = [&](const std::string& name) { return std::filesystem::exists(std::filesystem::path(out.dir) / "inspect" / name); };
  CHECK(npy("val0_image.npy"));
  CHECK(npy("val0_glimpses.npy"));
  CHECK(npy("val0_locations.npy"));
  const auto model_error = [&](const std::string& model) {
    return test::problem_error("{name: fashion_mnist, dir: " + d.path.string() + ", val_size: 50}", model, "m.yaml");
  };
  CHECK_THAT(model_error("{name: ram, scales: 9}"), Contains("m.yaml:3") && Contains("model.scales"));
  CHECK_THAT(model_error("{name: ram, location_std: 0}"), Contains("model.location_std"));
  CHECK_THAT(model_error("{name: ram, glimpses: 2}").substr(0, 10), Contains("(no error)"));
  CHECK_THAT(test::problem_error("{name: sort}", "{name: ram}", "m.yaml"), Contains("needs a image task"));
}
#endif
