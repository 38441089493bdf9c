#include "experiments/run_dir.h"

#include "core/allocator.h"
#include "core/cpu.h"
#include "core/rng.h"
#include "experiments/build_info.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <sstream>
#include <thread>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace engram::experiments {

namespace fs = std::filesystem;

namespace {

// An exclusive, non-blocking flock on dir/lock: the fd, or -1 when another process holds it.
int try_lock(const std::string& dir, bool create) {
  const std::string path = dir + "/lock";
  const int fd = ::open(path.c_str(), (create ? O_CREAT : 0) | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (!create && errno == ENOENT) return -2;  // no lock file: nobody runs it
    throw fileio::FileError(path, "opening the run's lock", errno);
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string metric_line(const MetricRecord& r) {
  nlohmann::json j{{"step", r.step}, {"split", r.split}, {"name", r.name}, {"value", r.value}};
  return j.dump() + "\n";
}

}  // namespace

RunDir::RunDir(std::string path, bool resume) : path_(std::move(path)) {
  if (resume && !fs::exists(path_ + "/config.yaml"))
    throw std::runtime_error(path_ + ": not a run directory (no config.yaml; a run killed before it wrote its config "
                             "has nothing to resume: run it again)");
  fs::create_directories(path_ + "/checkpoints");
  lock_fd_ = try_lock(path_, true);
  if (lock_fd_ < 0) throw std::runtime_error(path_ + ": another process is running this run now");
  if (!resume && fs::exists(path_ + "/metrics.jsonl")) {
    ::close(lock_fd_);
    throw std::runtime_error(path_ + ": already holds a run (use --resume to continue it, or another --out)");
  }
  metrics_ = fileio::Appender(file("metrics.jsonl"));
  log_ = fileio::Appender(file("log.txt"));
}

RunDir::~RunDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

bool run_dir_locked(const std::string& dir) {
  if (!fs::is_directory(dir)) return false;
  const int fd = try_lock(dir, false);
  if (fd == -1) return true;
  if (fd >= 0) ::close(fd);
  return false;
}

void RunDir::write_text(const std::string& name, const std::string& text) const {
  fileio::write_atomic(file(name), text);
}

std::string RunDir::read_text(const std::string& name) const { return fileio::read_file(file(name)); }

void RunDir::append_metric(const MetricRecord& r) { metrics_.append(metric_line(r)); }

std::vector<std::string> read_record_lines(const std::string& path, bool* torn) {
  if (torn) *torn = false;
  if (!fs::exists(path)) return {};
  const std::string text = fileio::read_file(path);
  std::vector<std::string> lines;
  size_t start = 0;
  int lineno = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    ++lineno;
    if (nl == std::string::npos) {  // no newline: cut by a crash while appended
      if (torn) *torn = true;
      break;
    }
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.empty()) continue;
    if (!nlohmann::json::accept(line)) {
      if (start >= text.size()) {  // the last line, torn
        if (torn) *torn = true;
        break;
      }
      throw std::runtime_error(path + ":" + std::to_string(lineno) + ": not a JSON record");
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<MetricRecord> RunDir::read_metrics() const { return read_metrics_file(file("metrics.jsonl")); }

std::vector<MetricRecord> read_metrics_file(const std::string& path) {
  std::vector<MetricRecord> out;
  int lineno = 0;
  for (const auto& line : read_record_lines(path)) {
    ++lineno;
    try {
      const auto j = nlohmann::json::parse(line);
      // types checked before converting: a number out of range must not be cast
      const auto& step = j.at("step");
      const auto& value = j.at("value");
      if (!step.is_number_unsigned()) throw std::runtime_error("step is not a step number: " + step.dump());
      if (!value.is_number() && !value.is_null()) throw std::runtime_error("value is not a number: " + value.dump());
      out.push_back({step.get<std::uint64_t>(), j.at("split").get<std::string>(), j.at("name").get<std::string>(),
                     value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>()});
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ": record " + std::to_string(lineno) + ": " + e.what());
    }
  }
  return out;
}

void RunDir::truncate_metrics_after(std::uint64_t step) {
  std::string kept;
  for (const auto& r : read_metrics())
    if (r.step <= step) kept += metric_line(r);
  metrics_.close();
  write_text("metrics.jsonl", kept);
  metrics_ = fileio::Appender(file("metrics.jsonl"));
}

void RunDir::save_npy(const std::string& name, const MatF& m) const {
  // NPY format 1.0: magic, version, little-endian header length, a dict padded with spaces to a
  // multiple of 64 bytes and ending in '\n', then the raw data.
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(m.rows()) + ", " +
                       std::to_string(m.cols()) + "), }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<std::uint16_t>(header.size());
  bytes.push_back(static_cast<char>(len & 0xff));
  bytes.push_back(static_cast<char>(len >> 8));
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(m.data()), sizeof(float) * static_cast<size_t>(m.size()));
  fs::create_directories(fs::path(file(name)).parent_path());
  write_text(name + ".npy", bytes);
}

void RunDir::log(const std::string& line) { log_.append(line + "\n"); }

std::string utc_timestamp_iso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream ss;
  ss << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return ss.str();
}

std::string hash_hex(const std::string& text, int digits) {
  std::ostringstream ss;
  ss << std::hex << std::setw(16) << std::setfill('0') << fnv1a64(text.data(), text.size());
  return ss.str().substr(0, static_cast<size_t>(digits));
}

std::string default_run_path(const std::string& root, const std::string& experiment,
                             const std::string& config_hash) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream stamp;
  stamp << std::put_time(&tm, "%Y%m%d-%H%M%S");
  // pid and a clock tick keep concurrent workers with the same config apart
  const std::string salt = config_hash + std::to_string(::getpid()) +
                           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  return root + "/" + experiment + "/" + stamp.str() + "-" + hash_hex(salt, 6);
}

std::string build_meta_json(std::uint64_t seed, int threads) {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  nlohmann::json j{{"engram_version", build_version()},
                   {"git_commit", build_git_commit()},
                   {"git_dirty", build_git_dirty()},
                   {"compiler", build_compiler()},
                   {"flags", build_flags()},
                   {"host", host},
                   {"cpu", cpu_model()},
                   {"cpu_features", cpu_features()},
                   {"arch", build_arch()},
                   {"allocator", allocator_name()},
                   {"hardware_threads", std::thread::hardware_concurrency()},
                   {"threads", threads},
                   {"seed", seed},
                   {"started", utc_timestamp_iso()}};
  return j.dump(2) + "\n";
}

}  // namespace engram::experiments
