#include "experiments/progress.h"

#include <cstdio>
#include <iomanip>
#include <sstream>
#include <unistd.h>

namespace engram::experiments {

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

Progress::Progress(std::ostream& out, bool interactive, std::string label, std::uint64_t total,
                   std::uint64_t start)
    : out_(out), interactive_(interactive), label_(std::move(label)), total_(total), start_(start),
      last_plain_(start), t0_(std::chrono::steady_clock::now()), last_draw_(t0_) {}

std::string Progress::format_duration(double s) {
  if (!(s >= 0) || s > 1e7) return "--:--";
  const auto t = static_cast<long long>(s + 0.5);
  std::ostringstream ss;
  if (t >= 3600) ss << t / 3600 << ":" << std::setw(2) << std::setfill('0') << (t / 60) % 60;
  else ss << t / 60;
  ss << ":" << std::setw(2) << std::setfill('0') << t % 60;
  return ss.str();
}

void Progress::update(std::uint64_t done, const std::string& status, bool force) {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - t0_).count();
  const double rate = elapsed > 0 ? double(done - start_) / elapsed : 0;
  const double eta = rate > 0 ? double(total_ - done) / rate : -1;
  std::ostringstream line;
  line << label_ << " " << done << "/" << total_;
  if (interactive_) {
    if (!force && done != total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const int width = 24;
    const int filled = total_ ? static_cast<int>(double(width) * double(done) / double(total_)) : width;
    std::string bar = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.') + "]";
    out_ << "\r\033[K" << label_ << " " << bar << " " << done << "/" << total_ << " " << std::fixed
         << std::setprecision(1) << rate << "/s ETA " << format_duration(eta) << "  " << status << std::flush;
    drawn_ = true;
    return;
  }
  const std::uint64_t tenth = std::max<std::uint64_t>(1, total_ / 10);
  if (!force && done - last_plain_ < tenth && done != total_) return;
  last_plain_ = done;
  out_ << line.str() << " (" << std::fixed << std::setprecision(1) << rate << "/s, ETA "
       << format_duration(eta) << ") " << status << "\n" << std::flush;
}

void Progress::finish() {
  if (interactive_ && drawn_) out_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace engram::experiments
