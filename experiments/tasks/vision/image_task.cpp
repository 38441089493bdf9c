#include "experiments/tasks/vision/image_task.h"

#include "experiments/idx.h"

#include <algorithm>

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

}  // namespace engram::experiments::vision
