#include "experiments/tasks/vision/image_task.h"

#include "experiments/idx.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace engram::experiments::vision {

MatF ImageTask::images(const std::string& split, std::span<const Index> rows) const {
  MatF out(static_cast<Index>(rows.size()), shape().size());
  for (size_t k = 0; k < rows.size(); ++k) image(split, rows[k], out.row(static_cast<Index>(k)).data());
  return out;
}

std::vector<int> ImageTask::labels(const std::string& split, std::span<const Index> rows) const {
  std::vector<int> out;
  out.reserve(rows.size());
  for (const Index r : rows) out.push_back(label(split, r));
  return out;
}

std::vector<Index> ImageTask::training_rows(std::span<const std::uint64_t> ids) const {
  const auto n = static_cast<std::uint64_t>(size("train"));
  require(n > 0, "image task", "has no training images");
  std::vector<Index> rows;
  rows.reserve(ids.size());
  for (const std::uint64_t id : ids) rows.push_back(static_cast<Index>(id % n));
  return rows;
}

Metrics ImageTask::evaluate(const std::string& split, ThreadPool& pool, const std::function<Var<float>(const MatF&)>& logits) const {
  constexpr Index kBatch = 64;  // images per evaluation graph
  Metrics m = classification_metrics(pool, size(split), kBatch, [&](Index first, Index count) {
    std::vector<Index> rows(static_cast<size_t>(count));
    std::iota(rows.begin(), rows.end(), first);
    return std::pair{logits(images(split, rows)), labels(split, rows)};
  });
  m["error"] = 1 - m.at("accuracy");
  return m;
}

const ImageSet& StoredImageTask::set(const std::string& split) const {
  if (split == "train") return train_;
  if (split == "val") return val_;
  if (split == "test") return test_;
  throw std::invalid_argument(name_ + ": unknown split '" + split + "'; splits: train, val, test");
}

int StoredImageTask::label(const std::string& split, Index i) const {
  const ImageSet& s = set(split);
  require(i >= 0 && i < static_cast<Index>(s.labels.size()), "image task", "image " + std::to_string(i) + " of " + split + " is out of range");
  return s.labels[static_cast<size_t>(i)];
}

void StoredImageTask::image(const std::string& split, Index i, float* out) const {
  const ImageSet& s = set(split);
  require(i >= 0 && i < s.images.rows(), "image task", "image " + std::to_string(i) + " of " + split + " is out of range");
  std::copy_n(s.images.row(i).data(), s.images.cols(), out);
}

namespace {

ImageSet read_set(const std::string& dir, const std::string& prefix) {
  const std::string images = dir + "/" + prefix + "-images-idx3-ubyte.gz", labels = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
  const IdxArray a = read_idx(images);
  if (a.dims.size() != 3 || a.dims[1] != 28 || a.dims[2] != 28) throw std::invalid_argument(images + ": expects N x 28 x 28 images");
  ImageSet s{idx_images(a, images), idx_labels(read_idx(labels), labels)};
  if (static_cast<size_t>(s.images.rows()) != s.labels.size())
    throw std::invalid_argument(labels + ": " + std::to_string(s.labels.size()) + " labels for " +
                                std::to_string(s.images.rows()) + " images");
  for (int l : s.labels)
    if (l < 0 || l > 9) throw std::invalid_argument(labels + ": label " + std::to_string(l) + " is outside 0..9");
  return s;
}

ImageSet rows(const ImageSet& s, Index from, Index count) {
  return {s.images.middleRows(from, count), std::vector<int>(s.labels.begin() + from, s.labels.begin() + from + count)};
}

}  // namespace

FashionMnistSplits read_fashion_mnist(const std::string& dir, Index train_size, Index val_size) {
  const ImageSet all = read_set(dir, "train");
  if (val_size >= all.images.rows()) throw std::invalid_argument("val_size leaves no training images");
  const Index rest = all.images.rows() - val_size;
  return {rows(all, 0, train_size > 0 ? std::min(train_size, rest) : rest), rows(all, rest, val_size), read_set(dir, "t10k")};
}

FashionMnistSource fashion_mnist_source(Section& cfg) {
  FashionMnistSource s;
  s.dir = cfg.path_value("dir", "/usr/share/datasets/fashion-mnist");
  s.train_size = cfg.integer("train_size", 0, 0, 60000);
  s.val_size = cfg.integer("val_size", 5000, 1, 30000);
  return s;
}

FashionMnistSplits read_fashion_mnist(Section& cfg, const FashionMnistSource& source) {
  if (!std::filesystem::is_directory(source.dir))
    cfg.fail("dir", "no directory " + source.dir + " (scripts/setup installs dataset-fashion-mnist there)");
  try {
    return read_fashion_mnist(source.dir, source.train_size, source.val_size);
  } catch (const std::exception& e) {
    cfg.fail("dir", e.what());
  }
}

}  // namespace engram::experiments::vision
