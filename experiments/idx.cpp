#include "experiments/idx.h"

#include "core/fileio.h"

#include <zlib.h>

#include <cstdio>

namespace engram::experiments {

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& what) { throw std::invalid_argument(name + ": " + what); }

std::string hex(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%02X", v & 0xFFu);
  return b;
}

// The inflated gzip stream, at most `limit` bytes.
std::string gunzip(std::string_view bytes, const std::string& name, std::uint64_t limit) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) fail(name, "cannot start zlib");
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(bytes.size(), 0xFFFFFFFFu));
  char buf[1 << 16];
  int r = Z_OK;
  while (r != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    r = inflate(&z, Z_NO_FLUSH);
    if (r != Z_OK && r != Z_STREAM_END) {
      inflateEnd(&z);
      fail(name, r == Z_BUF_ERROR ? "the gzip stream ends early" : "a broken gzip stream (zlib error " + std::to_string(r) + ")");
    }
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > limit + 4 + 4 * 8) {
      inflateEnd(&z);
      fail(name, "inflates past " + std::to_string(limit) + " bytes of data");
    }
  }
  inflateEnd(&z);
  return out;
}

}  // namespace

IdxArray parse_idx(std::string_view bytes, const std::string& name, std::uint64_t max_bytes) {
  std::string inflated;
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1F && static_cast<unsigned char>(bytes[1]) == 0x8B) {
    inflated = gunzip(bytes, name, max_bytes);
    bytes = inflated;
  }
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (bytes.size() < 4) fail(name, "not an IDX file: " + std::to_string(bytes.size()) + " bytes, shorter than its 4-byte magic");
  if (byte(0) != 0 || byte(1) != 0) fail(name, "not an IDX file: it starts " + hex(byte(0)) + " " + hex(byte(1)) + ", not 0x00 0x00");
  const unsigned type = byte(2);
  if (type != 0x08) {
    const char* known = type == 0x09 ? "signed byte" : type == 0x0B ? "short" : type == 0x0C ? "int" : type == 0x0D ? "float" : type == 0x0E ? "double" : nullptr;
    fail(name, "element type " + hex(type) + (known ? std::string(" (") + known + ")" : std::string(" (unknown)")) +
                   " is not supported; engram reads unsigned bytes (0x08)");
  }
  const unsigned d = byte(3);
  if (d < 1 || d > 8) fail(name, std::to_string(d) + " dimensions; an IDX array has 1 to 8");
  if (bytes.size() < 4 + 4 * static_cast<size_t>(d)) fail(name, "the header of " + std::to_string(d) + " sizes is truncated");
  IdxArray a;
  std::uint64_t total = 1, nonzero = 1;  // nonzero: the product of the non-zero sizes, bounded too
  for (unsigned k = 0; k < d; ++k) {
    const size_t p = 4 + 4 * k;
    const std::uint32_t s = (std::uint32_t(byte(p)) << 24) | (std::uint32_t(byte(p + 1)) << 16) | (std::uint32_t(byte(p + 2)) << 8) | byte(p + 3);
    a.dims.push_back(s);
    total *= s;
    if (s > 0) nonzero *= s;
    if (total > max_bytes || nonzero > max_bytes) fail(name, "its sizes multiply past " + std::to_string(max_bytes) + " elements");
  }
  const size_t header = 4 + 4 * static_cast<size_t>(d), have = bytes.size() - header;
  if (have < total) fail(name, "truncated: the sizes say " + std::to_string(total) + " elements, the file holds " + std::to_string(have));
  if (have > total) fail(name, std::to_string(have - total) + " bytes after the " + std::to_string(total) + " elements");
  a.data.assign(bytes.begin() + static_cast<long>(header), bytes.end());
  return a;
}

IdxArray read_idx(const std::string& path, std::uint64_t max_bytes) { return parse_idx(fileio::read_file(path), path, max_bytes); }

MatF idx_images(const IdxArray& a, const std::string& name) {
  if (a.dims.size() != 3) fail(name, "images need 3 dimensions (N x H x W), got " + std::to_string(a.dims.size()));
  const std::uint64_t hw64 = std::uint64_t(a.dims[1]) * a.dims[2];
  if (hw64 > (std::uint64_t(1) << 31)) fail(name, "images of " + std::to_string(hw64) + " pixels are too large");
  const Index n = a.dims[0], hw = static_cast<Index>(hw64);
  MatF m(n, hw);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(a.data[static_cast<size_t>(i)]) / 255.0f;
  return m;
}

std::vector<int> idx_labels(const IdxArray& a, const std::string& name) {
  if (a.dims.size() != 1) fail(name, "labels need 1 dimension, got " + std::to_string(a.dims.size()));
  return {a.data.begin(), a.data.end()};
}

}  // namespace engram::experiments
