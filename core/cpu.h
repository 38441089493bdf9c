// engram/core/cpu.h — what this machine's CPU is and which vector instructions it has, for
// every record of a figure (run directories' meta.json, benchmark headers): machines differ, and
// a number means little without the instruction sets it was measured with.
#pragma once

#include <string>
#include <vector>

namespace engram {

// The CPU's model name ("AMD EPYC 7B13", from /proc/cpuinfo; "unknown" elsewhere).
std::string cpu_model();
// The vector and bit instructions it supports, among: sse4.2 popcnt avx avx2 fma bmi2 avx512f
// avx512dq avx512bw avx512vl avx512vnni avx512vpopcntdq (detected at run time).
std::vector<std::string> cpu_features();
// "AMD EPYC 7B13 | sse4.2 popcnt avx avx2 fma bmi2"
std::string cpu_description();
// The instruction set this build was compiled for (ENGRAM_ARCH, e.g. "native (-march=znver3)").
std::string build_arch();

}  // namespace engram
