#include "experiments/run_state.h"

#include "core/fileio.h"
#include "experiments/run_dir.h"

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <unistd.h>

namespace engram::experiments {

namespace fs = std::filesystem;

std::string observed_status(const RunRecord& r) {
  std::error_code ec;
  if (r.dir.empty() || !fs::is_directory(r.dir, ec)) return "missing";
  if (r.status == "running" && !run_dir_locked(r.dir)) return "died";
  return r.status;
}

bool is_done(const RunRecord& r) {
  std::error_code ec;
  return r.status == "completed" && fs::is_regular_file(r.dir + "/summary.json", ec);
}

ExistingRuns existing_runs(const ResultsIndex& index, const std::string& experiment, const std::string& config_hash) {
  ExistingRuns out;
  RunFilter f;
  f.experiment = experiment;
  f.config_hash = config_hash;
  const auto runs = index.list(f);
  std::error_code ec;
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {  // newest first
    if (!out.done && is_done(*it)) out.done = *it;
    const std::string seen = observed_status(*it);
    if (!out.resumable && (seen == "died" || seen == "interrupted") &&
        fs::is_regular_file(it->dir + "/config.yaml", ec) && fs::is_regular_file(it->dir + "/checkpoints/last.ck", ec))
      out.resumable = *it;
  }
  return out;
}

std::optional<Claim> Claim::try_take(const std::string& runs_root, const std::string& experiment,
                                     const std::string& config_hash) {
  const fs::path dir = fs::path(runs_root) / ".claims";
  fs::create_directories(dir);
  // the experiment name may hold any character: the file is named by a hash of it
  const std::string path = (dir / (hash_hex(experiment, 12) + "-" + config_hash + ".lock")).string();
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) throw fileio::FileError(path, "opening a sweep claim", errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  return Claim(fd);
}

Claim& Claim::operator=(Claim&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

Claim::~Claim() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace engram::experiments
