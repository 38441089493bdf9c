// engram/experiments/idx.h — the IDX file format of MNIST and Fashion-MNIST (LeCun et al.; the
// files of Debian's dataset-fashion-mnist under /usr/share/datasets/fashion-mnist/), plain or
// gzipped:
//   bytes 0-1: 0, 0;  byte 2: the element type (0x08 unsigned byte; the only one engram reads);
//   byte 3: the number of dimensions d (1..8);  then d big-endian uint32 sizes;  then the
//   elements, row-major, exactly as many as the sizes multiply to.
// Hostile bytes are std::invalid_argument naming the file and what is wrong (magic, type, sizes,
// truncation, trailing bytes, a gzip stream that is broken or inflates past the limit); never a
// crash (fuzz/fuzz_idx.cpp).
#pragma once

#include "core/tensor.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace engram::experiments {

struct IdxArray {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;  // dims multiplied, row-major
};

// The array in `bytes` (gzipped when they start with the gzip magic 1f 8b); `name` names the
// source in errors. At most max_bytes of elements.
IdxArray parse_idx(std::string_view bytes, const std::string& name, std::uint64_t max_bytes = std::uint64_t(1) << 31);
// The file at `path` (FileError when it cannot be read), parsed as above.
IdxArray read_idx(const std::string& path, std::uint64_t max_bytes = std::uint64_t(1) << 31);

// Images [N x H x W] as [N x H*W] floats in [0, 1] (value / 255), the layout of core/ops_image.h
// with one channel; labels [N] as ints. std::invalid_argument naming `name` for other ranks.
MatF idx_images(const IdxArray& a, const std::string& name);
std::vector<int> idx_labels(const IdxArray& a, const std::string& name);

}  // namespace engram::experiments
