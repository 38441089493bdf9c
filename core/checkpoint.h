// engram/core/checkpoint.h — versioned binary checkpoints with a checksum, written atomically.
//
// A Checkpoint is a set of named entries: tensors (f32 or f64), u64 arrays (step counters,
// RNG states) and strings (JSON metadata). save() writes through fileio::write_atomic
// ("<path>.tmp", flushed to disk, renamed over <path>), so a crash leaves either the old file or
// the new one, never half of one; a failed write (full disk) is a CheckpointError naming the
// file and the system's reason, and leaves the old file. load() reads and verifies the whole file (magic, version, sizes, checksum) before it
// returns anything, and throws CheckpointError naming the file and the problem otherwise.
//
// File layout (little-endian):
//   "ENGRAMCK" | u32 version | u64 payload bytes | payload | u64 FNV-1a-64 of payload
//   payload = u32 entry count, then per entry: u32 kind | u32 name length | name |
//             u64 rows | u64 cols | u64 data bytes | data
#pragma once

#include "core/module.h"
#include "core/rng.h"

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace engram {

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Checkpoint {
 public:
  static constexpr std::uint32_t kVersion = 1;
  enum class Kind : std::uint32_t { F32 = 1, F64 = 2, U64 = 3, String = 4 };

  template <class T> void put_tensor(const std::string& name, const Mat<T>& m);
  void put_u64s(const std::string& name, const std::vector<std::uint64_t>& v);
  void put_string(const std::string& name, const std::string& s);
  void put_rng(const std::string& name, const Rng& rng);

  bool has(const std::string& name) const { return entries_.count(name) > 0; }
  std::vector<std::string> names() const;
  // Each getter throws CheckpointError when the entry is missing or of another kind.
  // get_tensor converts between f32 and f64; with rows/cols >= 0 it also checks the shape.
  template <class T> Mat<T> get_tensor(const std::string& name, Index rows = -1, Index cols = -1) const;
  std::vector<std::uint64_t> get_u64s(const std::string& name) const;
  std::string get_string(const std::string& name) const;
  void get_rng(const std::string& name, Rng& rng) const;

  void save(const std::string& path) const;
  static Checkpoint load(const std::string& path);
  // The same from the bytes of a file; `path` names it in messages.
  static Checkpoint parse(std::string_view bytes, const std::string& path);

 private:
  struct Entry {
    Kind kind;
    std::uint64_t rows = 0, cols = 0;
    std::vector<char> data;
  };
  const Entry& entry(const std::string& name, Kind kind) const;
  std::map<std::string, Entry> entries_;
  std::string source_ = "checkpoint";  // file it was loaded from, for messages
};

// Parameters are stored as "<prefix><name>". load_parameters checks every name and shape
// before it assigns anything, so a mismatch leaves the model untouched.
template <class T>
void save_parameters(Checkpoint& ck, const ParameterList<T>& params, const std::string& prefix = "param/");
template <class T>
void load_parameters(const Checkpoint& ck, const ParameterList<T>& params, const std::string& prefix = "param/");

}  // namespace engram
