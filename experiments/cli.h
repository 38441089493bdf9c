// engram/experiments/cli.h — the `engram` command, callable in-process (tests do).
#pragma once

#include <ostream>

namespace engram::experiments {

// Exit status: 0 success, 1 a run failed, 2 bad input (config, overrides, arguments),
// 130 interrupted.
int cli_main(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace engram::experiments
