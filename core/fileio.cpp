#include "core/fileio.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace engram::fileio {

FileError::FileError(const std::string& path, const std::string& what, int err)
    : std::runtime_error(path + ": " + what + " failed: " + std::strerror(err)), err_(err) {}

// ---- fault injection ----------------------------------------------------------------------------

namespace {

struct FaultPlan {
  std::mutex mu;
  bool loaded = false;
  std::map<std::uint64_t, Fault> at;  // write point -> fault
  std::string log;                    // ENGRAM_FAULT_LOG
  std::atomic<std::uint64_t> count{0};
};

FaultPlan& plan() {
  static FaultPlan p;
  return p;
}

std::map<std::uint64_t, Fault> parse_spec(const std::string& spec) {
  std::map<std::uint64_t, Fault> at;
  size_t start = 0;
  while (start < spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    const std::string item = spec.substr(start, end - start);
    const size_t sep = item.find('@');
    if (sep == std::string::npos)
      throw std::invalid_argument("ENGRAM_FAULT: '" + item + "' is not <fault>@<n> (fault: kill, enospc, erofs, eio)");
    const std::string name = item.substr(0, sep), n = item.substr(sep + 1);
    Fault f;
    if (name == "kill") f = Fault::kill;
    else if (name == "enospc") f = Fault::enospc;
    else if (name == "erofs") f = Fault::erofs;
    else if (name == "eio") f = Fault::eio;
    else throw std::invalid_argument("ENGRAM_FAULT: unknown fault '" + name + "' (kill, enospc, erofs, eio)");
    char* stop = nullptr;
    const unsigned long long k = std::strtoull(n.c_str(), &stop, 10);
    if (n.empty() || *stop != '\0' || k == 0)
      throw std::invalid_argument("ENGRAM_FAULT: '" + item + "': the write point must be a number >= 1");
    at[k] = f;
    start = end + 1;
  }
  return at;
}

void load_from_env(FaultPlan& p) {
  if (p.loaded) return;
  p.loaded = true;
  if (const char* s = std::getenv("ENGRAM_FAULT")) p.at = parse_spec(s);
  if (const char* s = std::getenv("ENGRAM_FAULT_LOG")) p.log = s;
}

void write_log(const std::string& log, std::uint64_t n, const char* kind, const std::string& path) {
  const std::string line = std::to_string(n) + "\t" + kind + "\t" + path + "\n";
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  [[maybe_unused]] const ssize_t w = ::write(fd, line.data(), line.size());
  ::close(fd);
}

}  // namespace

Fault fault_point(const char* kind, const std::string& path) {
  FaultPlan& p = plan();
  Fault f = Fault::none;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    load_from_env(p);
    if (p.at.empty() && p.log.empty()) {
      p.count.fetch_add(1);
      return Fault::none;
    }
    const std::uint64_t n = p.count.fetch_add(1) + 1;
    if (!p.log.empty()) write_log(p.log, n, kind, path);
    if (auto it = p.at.find(n); it != p.at.end()) f = it->second;
  }
  if (f == Fault::kill) {
    ::kill(::getpid(), SIGKILL);
    ::pause();
  }
  return f;
}

bool faults_active() {
  FaultPlan& p = plan();
  std::lock_guard<std::mutex> lock(p.mu);
  load_from_env(p);
  return !p.at.empty() || !p.log.empty();
}

int fault_errno(Fault f) {
  switch (f) {
    case Fault::enospc: return ENOSPC;
    case Fault::erofs: return EROFS;
    case Fault::eio: return EIO;
    default: return 0;
  }
}

void set_faults(const std::string& spec) {
  FaultPlan& p = plan();
  auto at = parse_spec(spec);
  std::lock_guard<std::mutex> lock(p.mu);
  p.loaded = true;
  p.at = std::move(at);
  p.count.store(0);
}

std::uint64_t fault_points() { return plan().count.load(); }

// ---- writing ------------------------------------------------------------------------------------

namespace {

// Writes all of `bytes` to fd; false with errno set on failure.
bool write_all(int fd, const char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

void sync_directory_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the rename itself is what makes the change atomic
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_atomic(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw FileError(path, "opening '" + tmp + "' for writing", errno);
  const auto fail = [&](const std::string& what, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw FileError(path, what, err);
  };
  const size_t half = bytes.size() / 2;
  if (!write_all(fd, bytes.data(), half)) fail("write", errno);
  if (const Fault f = fault_point("atomic", path); f != Fault::none) fail("write", fault_errno(f));
  if (!write_all(fd, bytes.data() + half, bytes.size() - half)) fail("write", errno);
  if (::fsync(fd) != 0) fail("flushing to disk", errno);
  if (const Fault f = fault_point("atomic", path); f != Fault::none) fail("flushing to disk", fault_errno(f));
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw FileError(path, "closing '" + tmp + "'", err);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw FileError(path, "renaming '" + tmp + "' over it", err);
  }
  sync_directory_of(path);
}

std::string read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FileError(path, "reading", errno);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw FileError(path, "reading", err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Appender::Appender(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw FileError(path, "opening for appending", errno);
}

Appender::~Appender() { close(); }

Appender::Appender(Appender&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) { o.fd_ = -1; }

Appender& Appender::operator=(Appender&& o) noexcept {
  if (this != &o) {
    close();
    path_ = std::move(o.path_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

void Appender::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Appender::append(std::string_view record) {
  if (fd_ < 0) throw FileError(path_, "appending (the file is not open)", EBADF);
  if (!faults_active()) {  // one write(2): a record is torn only by a crash inside it
    fault_point("append", path_);
    if (!write_all(fd_, record.data(), record.size())) throw FileError(path_, "append", errno);
    return;
  }
  const size_t half = record.size() / 2;
  if (!write_all(fd_, record.data(), half)) throw FileError(path_, "append", errno);
  if (const Fault f = fault_point("append", path_); f != Fault::none) throw FileError(path_, "append", fault_errno(f));
  if (!write_all(fd_, record.data() + half, record.size() - half)) throw FileError(path_, "append", errno);
}

}  // namespace engram::fileio
