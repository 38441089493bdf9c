// engram/core/allocator.h — process-wide allocator settings for training loops.
//
// Each op allocates its result; a training step frees and re-allocates the same large buffers
// (n x n attention scores, memory matrices) every iteration. glibc by default serves buffers
// over 128 KiB with mmap and returns freed heap tops to the OS, so every step page-faults the
// same memory in again (docs/core.md has the measurement). keep_freed_memory() raises the mmap and trim
// thresholds so freed buffers are reused. Call it once at program start (the engram command
// and the benchmarks do); it changes only performance, never results.
// allocator_name() says which malloc this process runs: "tcmalloc" (the default of engram's
// executables, cmake/allocator.cmake), "jemalloc", "mimalloc", "glibc", or the file that provides
// malloc; recorded beside every result (meta.json, benchmark context), since it moves timings.
// malloc_library() is that file ("" when it cannot be told).
#pragma once

#include <string>

namespace engram {
void keep_freed_memory();
std::string malloc_library();
std::string allocator_name();
}  // namespace engram
