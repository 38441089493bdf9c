// engram/experiments/progress.h — progress of long work: a bar with rate and ETA on a
// terminal, plain periodic lines otherwise (CI logs stay readable).
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace engram::experiments {

class Progress {
 public:
  // interactive: redraw one line with '\r' (true when `out` is a terminal).
  Progress(std::ostream& out, bool interactive, std::string label, std::uint64_t total,
           std::uint64_t start = 0);
  // `status` is shown after the bar ("loss 0.123  val/accuracy 0.98"). In plain mode a line is
  // printed when `force` is set (e.g. after an evaluation) or every 10% of the work.
  void update(std::uint64_t done, const std::string& status, bool force = false);
  void finish();  // ends the bar's line

  static std::string format_duration(double seconds);  // "1:05" / "2:03:04"

 private:
  std::ostream& out_;
  bool interactive_;
  std::string label_;
  std::uint64_t total_, start_, last_plain_ = 0;
  std::chrono::steady_clock::time_point t0_, last_draw_;
  bool drawn_ = false;
};

bool stdout_is_terminal();

}  // namespace engram::experiments
