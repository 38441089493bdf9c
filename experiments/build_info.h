// engram/experiments/build_info.h — what built this binary (for meta.json).
#pragma once

namespace engram::experiments {
const char* build_git_commit();   // from git at build time, "unknown" outside a checkout
bool build_git_dirty();           // uncommitted changes to tracked files at build time
const char* build_version();      // project version
const char* build_compiler();     // compiler id and version
const char* build_flags();        // build type and C++ flags
}  // namespace engram::experiments
