// Fuzzes the bAbI reader (the v1.2 file format): a malformed file must be a std::invalid_argument
// naming file:line, never a crash.
#include "experiments/tasks/babi/babi.h"

#include <cstdint>
#include <string>

using namespace engram::experiments::babi;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& q : read_text(text, "qa1_fuzz_train.txt")) {
      for (int s : q.supporting)
        if (s < 0 || s >= static_cast<int>(q.story.size())) __builtin_trap();  // the reader promises valid indices
    }
  } catch (const std::invalid_argument&) {
  }
  (void)tokenize(text.substr(0, 4096));
  (void)task_of_file(text.substr(0, 256));
  return 0;
}
