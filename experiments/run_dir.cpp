#include "experiments/run_dir.h"

#include "core/rng.h"
#include "experiments/build_info.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace engram::experiments {

namespace fs = std::filesystem;

RunDir::RunDir(std::string path, bool resume) : path_(std::move(path)) {
  if (!resume && fs::exists(path_ + "/metrics.jsonl"))
    throw std::runtime_error(path_ + ": already holds a run (use --resume to continue it, or another --out)");
  if (resume && !fs::exists(path_ + "/config.yaml"))
    throw std::runtime_error(path_ + ": not a run directory (no config.yaml)");
  fs::create_directories(path_ + "/checkpoints");
  metrics_.open(file("metrics.jsonl"), std::ios::app);
  log_.open(file("log.txt"), std::ios::app);
  if (!metrics_ || !log_) throw std::runtime_error(path_ + ": cannot write to the run directory");
}

void RunDir::write_text(const std::string& name, const std::string& text) const {
  const std::string target = file(name), tmp = target + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error(tmp + ": write failed");
  }
  fs::rename(tmp, target);
}

std::string RunDir::read_text(const std::string& name) const {
  std::ifstream in(file(name));
  if (!in) throw std::runtime_error(file(name) + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void RunDir::append_metric(const MetricRecord& r) {
  nlohmann::json j{{"step", r.step}, {"split", r.split}, {"name", r.name}, {"value", r.value}};
  metrics_ << j.dump() << '\n' << std::flush;
}

std::vector<MetricRecord> RunDir::read_metrics() const {
  std::vector<MetricRecord> out;
  std::ifstream in(file("metrics.jsonl"));
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      out.push_back({j.at("step").get<std::uint64_t>(), j.at("split").get<std::string>(),
                     j.at("name").get<std::string>(), j.at("value").get<double>()});
    } catch (const std::exception& e) {
      // a line cut by a crash mid-write is the only expected damage: stop there
      if (in.peek() == EOF) break;
      throw std::runtime_error(file("metrics.jsonl") + ":" + std::to_string(lineno) + ": " + e.what());
    }
  }
  return out;
}

void RunDir::truncate_metrics_after(std::uint64_t step) {
  std::string kept;
  for (const auto& r : read_metrics()) {
    if (r.step > step) continue;
    nlohmann::json j{{"step", r.step}, {"split", r.split}, {"name", r.name}, {"value", r.value}};
    kept += j.dump() + "\n";
  }
  metrics_.close();
  write_text("metrics.jsonl", kept);
  metrics_.open(file("metrics.jsonl"), std::ios::app);
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

void RunDir::log(const std::string& line) { log_ << line << '\n' << std::flush; }

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
                   {"hardware_threads", std::thread::hardware_concurrency()},
                   {"threads", threads},
                   {"seed", seed},
                   {"started", utc_timestamp_iso()}};
  return j.dump(2) + "\n";
}

}  // namespace engram::experiments
