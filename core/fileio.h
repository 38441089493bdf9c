// engram/core/fileio.h — every file engram writes goes through here: atomic replacement,
// appends of whole records, and the fault injection that tests use to show that a crash, a
// kill -9 or a full disk loses nothing.
//
// Guarantees
//   write_atomic(path, bytes): a temporary file beside `path` is written, flushed to disk
//     (fsync), renamed over `path`, and the directory is synced. A crash at any moment leaves
//     the old file or the new one, never a mix (a stray `path.tmp` may remain; it is ignored).
//   Appender::append(record): one write(2) of the record to a file opened with O_APPEND. A crash
//     may leave the last record cut short (a torn last line); readers of record files drop a
//     torn last line, and resuming code rewrites the file without it before appending again.
//     Appends are not fsynced: they survive a crash of the process, not of the machine.
//   Errors are FileError (a std::runtime_error) naming the path, what failed and the system's
//   reason ("runs/x/metrics.jsonl: append failed: No space left on device"), with errno kept.
//
// Fault injection (tests only; off unless the environment sets it)
//   ENGRAM_FAULT="<fault>@<n>[,<fault>@<n>...]" gives the n-th write point of this process
//   (counted from 1) a fault: kill (SIGKILL, as kill -9), enospc (No space left on device),
//   erofs (Read-only file system), eio (Input/output error). Write points: each write_atomic
//   has two (its temporary file half written; written and synced, before the rename), each
//   append one (half the record written), and each write of the results index (SQLite) one.
//   ENGRAM_FAULT_LOG=<file> appends "<n>\t<kind>\t<path>" for every write point, so that a
//   test can plan a schedule over a whole run.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace engram::fileio {

class FileError : public std::runtime_error {
 public:
  FileError(const std::string& path, const std::string& what, int err);
  int error_code() const { return err_; }

 private:
  int err_;
};

// Replaces `path` with `bytes` atomically (see above).
void write_atomic(const std::string& path, std::string_view bytes);

// The whole file; FileError when it cannot be read.
std::string read_file(const std::string& path);

// Appends whole records to one file, kept open.
class Appender {
 public:
  Appender() = default;
  explicit Appender(const std::string& path);  // creates the file if needed
  ~Appender();
  Appender(Appender&& o) noexcept;
  Appender& operator=(Appender&& o) noexcept;
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  void append(std::string_view record);
  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  void close();

 private:
  std::string path_;
  int fd_ = -1;
};

// ---- fault injection ------------------------------------------------------------------------

enum class Fault { none, kill, enospc, erofs, eio };

// Counts one write point of `kind` ("atomic", "append", "index", ...) on `path` and returns the
// fault planned for it (kill does not return). Writers call this where a failure would hurt.
Fault fault_point(const char* kind, const std::string& path);
// Whether a plan or a log is set (ENGRAM_FAULT, ENGRAM_FAULT_LOG or set_faults).
bool faults_active();
// errno of a fault (ENOSPC, EROFS, EIO); 0 for none.
int fault_errno(Fault f);
// Replaces the plan (as if ENGRAM_FAULT were `spec`) and restarts the count; "" turns faults
// off. std::invalid_argument for a malformed spec. For tests in one process.
void set_faults(const std::string& spec);
// Write points counted so far in this process.
std::uint64_t fault_points();

}  // namespace engram::fileio
