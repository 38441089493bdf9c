#include "core/checkpoint.h"

#include "core/fileio.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <unistd.h>
#include <fcntl.h>

namespace engram {

namespace {
constexpr char kMagic[8] = {'E', 'N', 'G', 'R', 'A', 'M', 'C', 'K'};

template <class V>
void put(std::string& out, V v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(V));
}

// Bounds-checked reader over the verified payload.
struct Reader {
  const char* p;
  const char* end;
  const std::string& file;
  template <class V>
  V get(const char* what) {
    need(sizeof(V), what);
    V v;
    std::memcpy(&v, p, sizeof(V));
    p += sizeof(V);
    return v;
  }
  void need(std::uint64_t n, const char* what) const {
    if (static_cast<std::uint64_t>(end - p) < n)
      throw CheckpointError(file + ": truncated payload while reading " + what);
  }
};

template <class T> constexpr Checkpoint::Kind kind_of();
template <> constexpr Checkpoint::Kind kind_of<float>() { return Checkpoint::Kind::F32; }
template <> constexpr Checkpoint::Kind kind_of<double>() { return Checkpoint::Kind::F64; }

const char* kind_name(Checkpoint::Kind k) {
  switch (k) {
    case Checkpoint::Kind::F32: return "f32 tensor";
    case Checkpoint::Kind::F64: return "f64 tensor";
    case Checkpoint::Kind::U64: return "u64 array";
    case Checkpoint::Kind::String: return "string";
  }
  return "unknown";
}
}  // namespace

template <class T>
void Checkpoint::put_tensor(const std::string& name, const Mat<T>& m) {
  Entry e{kind_of<T>(), static_cast<std::uint64_t>(m.rows()), static_cast<std::uint64_t>(m.cols()), {}};
  e.data.resize(sizeof(T) * static_cast<size_t>(m.size()));
  if (m.size()) std::memcpy(e.data.data(), m.data(), e.data.size());
  entries_[name] = std::move(e);
}

void Checkpoint::put_u64s(const std::string& name, const std::vector<std::uint64_t>& v) {
  Entry e{Kind::U64, 1, v.size(), {}};
  e.data.resize(v.size() * sizeof(std::uint64_t));
  if (!v.empty()) std::memcpy(e.data.data(), v.data(), e.data.size());
  entries_[name] = std::move(e);
}

void Checkpoint::put_string(const std::string& name, const std::string& s) {
  entries_[name] = Entry{Kind::String, 1, s.size(), std::vector<char>(s.begin(), s.end())};
}

void Checkpoint::put_rng(const std::string& name, const Rng& rng) {
  const auto s = rng.state();
  put_u64s(name, {rng.key(), s[0], s[1], s[2], s[3]});
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_) out.push_back(n);
  return out;
}

const Checkpoint::Entry& Checkpoint::entry(const std::string& name, Kind kind) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw CheckpointError(source_ + ": no entry '" + name + "'");
  const bool tensor = kind == Kind::F32 || kind == Kind::F64;
  const bool ok = it->second.kind == kind ||
                  (tensor && (it->second.kind == Kind::F32 || it->second.kind == Kind::F64));
  if (!ok)
    throw CheckpointError(source_ + ": entry '" + name + "' is a " + kind_name(it->second.kind) +
                          ", expected a " + kind_name(kind));
  return it->second;
}

template <class T>
Mat<T> Checkpoint::get_tensor(const std::string& name, Index rows, Index cols) const {
  const Entry& e = entry(name, kind_of<T>());
  const auto r = static_cast<Index>(e.rows), c = static_cast<Index>(e.cols);
  if ((rows >= 0 && rows != r) || (cols >= 0 && cols != c))
    throw CheckpointError(source_ + ": entry '" + name + "' is " + shape_str(r, c) + ", expected " +
                          shape_str(rows >= 0 ? rows : r, cols >= 0 ? cols : c));
  if (e.kind == Kind::F32) return Eigen::Map<const Mat<float>>(reinterpret_cast<const float*>(e.data.data()), r, c).template cast<T>();
  return Eigen::Map<const Mat<double>>(reinterpret_cast<const double*>(e.data.data()), r, c).template cast<T>();
}

std::vector<std::uint64_t> Checkpoint::get_u64s(const std::string& name) const {
  const Entry& e = entry(name, Kind::U64);
  // put_u64s writes one row; a file may claim 0 rows of many columns (no data: fuzzed)
  if (e.rows != 1 && e.cols != 0)
    throw CheckpointError(source_ + ": entry '" + name + "' is a u64 array of " + std::to_string(e.rows) + " rows, expected 1");
  std::vector<std::uint64_t> v(e.cols);
  if (!v.empty()) std::memcpy(v.data(), e.data.data(), e.data.size());
  return v;
}

std::string Checkpoint::get_string(const std::string& name) const {
  const Entry& e = entry(name, Kind::String);
  return std::string(e.data.begin(), e.data.end());
}

void Checkpoint::get_rng(const std::string& name, Rng& rng) const {
  const auto v = get_u64s(name);
  if (v.size() != 5) throw CheckpointError(source_ + ": entry '" + name + "' is not an RNG state");
  if (v[0] != rng.key())
    throw CheckpointError(source_ + ": entry '" + name + "' holds the state of another random stream");
  rng.set_state({v[1], v[2], v[3], v[4]});
}

void Checkpoint::save(const std::string& path) const {
  std::string payload;
  put<std::uint32_t>(payload, static_cast<std::uint32_t>(entries_.size()));
  for (const auto& [name, e] : entries_) {
    put<std::uint32_t>(payload, static_cast<std::uint32_t>(e.kind));
    put<std::uint32_t>(payload, static_cast<std::uint32_t>(name.size()));
    payload += name;
    put<std::uint64_t>(payload, e.rows);
    put<std::uint64_t>(payload, e.cols);
    put<std::uint64_t>(payload, e.data.size());
    payload.append(e.data.data(), e.data.size());
  }
  std::string file(kMagic, sizeof(kMagic));
  put<std::uint32_t>(file, kVersion);
  put<std::uint64_t>(file, payload.size());
  file += payload;
  put<std::uint64_t>(file, fnv1a64(payload.data(), payload.size()));

  try {
    fileio::write_atomic(path, file);
  } catch (const fileio::FileError& e) {
    throw CheckpointError(e.what());
  }
}

Checkpoint Checkpoint::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError(path + ": cannot open checkpoint");
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(file, path);
}

Checkpoint Checkpoint::parse(std::string_view file, const std::string& path) {
  constexpr size_t header = sizeof(kMagic) + 4 + 8;
  if (file.size() < header + 8 || std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0)
    throw CheckpointError(path + ": not an engram checkpoint (bad magic or too short: " +
                          std::to_string(file.size()) + " bytes)");
  std::uint32_t version;
  std::uint64_t size;
  std::memcpy(&version, file.data() + 8, 4);
  std::memcpy(&size, file.data() + 12, 8);
  if (version != kVersion)
    throw CheckpointError(path + ": checkpoint version " + std::to_string(version) +
                          " is not supported (this build reads version " + std::to_string(kVersion) + ")");
  if (size > file.size() || file.size() != header + size + 8)
    throw CheckpointError(path + ": truncated or padded checkpoint: header announces " +
                          std::to_string(size) + " payload bytes, file holds " +
                          std::to_string(file.size() < header + 8 ? 0 : file.size() - header - 8));
  std::uint64_t sum;
  std::memcpy(&sum, file.data() + header + size, 8);
  if (fnv1a64(file.data() + header, size) != sum)
    throw CheckpointError(path + ": checksum mismatch: the checkpoint is corrupted");

  Checkpoint ck;
  ck.source_ = path;
  Reader r{file.data() + header, file.data() + header + size, path};
  const auto count = r.get<std::uint32_t>("entry count");
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto kind = r.get<std::uint32_t>("entry kind");
    if (kind < 1 || kind > 4) throw CheckpointError(path + ": entry " + std::to_string(i) + " has unknown kind");
    const auto len = r.get<std::uint32_t>("name length");
    r.need(len, "entry name");
    std::string name(r.p, len);
    r.p += len;
    Entry e{static_cast<Kind>(kind), r.get<std::uint64_t>("rows"), r.get<std::uint64_t>("cols"), {}};
    const auto bytes = r.get<std::uint64_t>("data size");
    const std::uint64_t elem = e.kind == Kind::F32 ? 4 : e.kind == Kind::String ? 1 : 8;
    // (products checked against overflow: sizes come from the file; a dimension must also fit
    // an Eigen index even when the other one is 0)
    constexpr std::uint64_t kMaxDim = std::uint64_t{1} << 40;
    if (e.rows > kMaxDim || e.cols > kMaxDim)
      throw CheckpointError(path + ": entry '" + name + "' has a dimension beyond 2^40 (" +
                            std::to_string(e.rows) + "x" + std::to_string(e.cols) + ")");
    if ((e.cols != 0 && e.rows > bytes / e.cols) || e.rows * e.cols > bytes / elem || e.rows * e.cols * elem != bytes)
      throw CheckpointError(path + ": entry '" + name + "' has inconsistent sizes");
    r.need(bytes, "entry data");
    e.data.assign(r.p, r.p + bytes);
    r.p += bytes;
    ck.entries_[name] = std::move(e);
  }
  if (r.p != r.end) throw CheckpointError(path + ": trailing bytes after the last entry");
  return ck;
}

template <class T>
void save_parameters(Checkpoint& ck, const ParameterList<T>& params, const std::string& prefix) {
  for (const auto& p : params) ck.put_tensor(prefix + p.name, p.var.value());
}

template <class T>
void load_parameters(const Checkpoint& ck, const ParameterList<T>& params, const std::string& prefix) {
  std::vector<Mat<T>> staged;
  staged.reserve(params.size());
  for (const auto& p : params) staged.push_back(ck.get_tensor<T>(prefix + p.name, p.var.rows(), p.var.cols()));
  for (size_t i = 0; i < params.size(); ++i) {
    Var<T> v = params[i].var;
    v.mutable_value() = std::move(staged[i]);
  }
}

template void Checkpoint::put_tensor(const std::string&, const Mat<float>&);
template void Checkpoint::put_tensor(const std::string&, const Mat<double>&);
template Mat<float> Checkpoint::get_tensor(const std::string&, Index, Index) const;
template Mat<double> Checkpoint::get_tensor(const std::string&, Index, Index) const;
template void save_parameters(Checkpoint&, const ParameterList<float>&, const std::string&);
template void save_parameters(Checkpoint&, const ParameterList<double>&, const std::string&);
template void load_parameters(const Checkpoint&, const ParameterList<float>&, const std::string&);
template void load_parameters(const Checkpoint&, const ParameterList<double>&, const std::string&);

}  // namespace engram
