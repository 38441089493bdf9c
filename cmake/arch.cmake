# The instruction set engram is compiled for: ENGRAM_ARCH.
#   native    (default) this machine's full width, resolved at configure time into explicit flags
#             (the -march the compiler picks for this CPU and every -m feature flag it implies).
#             Explicit flags, never the string "-march=native": a compiler cache shared between
#             an AVX-512 and an AVX2 machine keys their objects apart, so neither is handed code
#             for the other's instructions (SIGILL).
#   portable  x86-64-v2 (SSE4.2 and POPCNT: every x86-64 machine of the last decade), for
#             packages; the hand-written kernels still pick the best code for the CPU at run
#             time (memory/hopfield/packed.cpp).
#   <other>   passed as -march=<other> (x86-64-v3, znver3, ...).
# Sets ENGRAM_ARCH_FLAGS (a list) and ENGRAM_ARCH_DESCRIPTION (for build_info and meta.json).
set(ENGRAM_ARCH "native" CACHE STRING "native (resolved into explicit flags), portable, or an -march value")

function(engram_resolve_native out)
  set(flags)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # the cc1plus command line of -march=native: -march=<cpu>, every -m feature, cache --params
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -march=native -E -v -x c++ /dev/null
                    OUTPUT_QUIET ERROR_VARIABLE err RESULT_VARIABLE rc)
    string(REGEX MATCH "cc1plus[^\n]*" line "${err}")
    separate_arguments(words UNIX_COMMAND "${line}")
    set(take_next FALSE)
    foreach(w IN LISTS words)
      if(take_next)  # "--param x=y" stays one option (CMake would merge repeated --param words)
        list(APPEND flags "SHELL:--param ${w}")
        set(take_next FALSE)
      elseif(w MATCHES "^-march=" OR w MATCHES "^-mtune=" OR w MATCHES "^-m[a-z0-9-]+$")
        list(APPEND flags "${w}")
      elseif(w STREQUAL "--param")
        set(take_next TRUE)
      endif()
    endforeach()
  elseif(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -march=native "-###" -x c++ -c /dev/null
                    OUTPUT_QUIET ERROR_VARIABLE err RESULT_VARIABLE rc)
    string(REGEX MATCH "\"-target-cpu\" \"([^\"]+)\"" m "${err}")
    if(CMAKE_MATCH_1)
      set(flags "-march=${CMAKE_MATCH_1}")
    endif()
  endif()
  list(FILTER flags INCLUDE REGEX "^(-m|SHELL:--param )")
  if(NOT flags)
    message(WARNING "engram: could not resolve -march=native into explicit flags; using -march=native")
    set(flags "-march=native")
  endif()
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()

if(ENGRAM_ARCH STREQUAL "native")
  engram_resolve_native(ENGRAM_ARCH_FLAGS)
elseif(ENGRAM_ARCH STREQUAL "portable")
  set(ENGRAM_ARCH_FLAGS -march=x86-64-v2 -mtune=generic)
else()
  set(ENGRAM_ARCH_FLAGS "-march=${ENGRAM_ARCH}")
endif()
string(REGEX MATCH "-march=[^;]+" ENGRAM_ARCH_DESCRIPTION "${ENGRAM_ARCH_FLAGS}")
set(ENGRAM_ARCH_DESCRIPTION "${ENGRAM_ARCH} (${ENGRAM_ARCH_DESCRIPTION})")
message(STATUS "engram: instruction set ${ENGRAM_ARCH_DESCRIPTION}")
# Whether the build's flags enable AVX (explicitly, or through an -march that implies it)
set(_engram_m_flags ${ENGRAM_ARCH_FLAGS})
list(FILTER _engram_m_flags EXCLUDE REGEX "^SHELL:")
execute_process(COMMAND ${CMAKE_CXX_COMPILER} ${_engram_m_flags} -dM -E -x c++ /dev/null
                OUTPUT_VARIABLE _engram_macros ERROR_QUIET)
string(FIND "${_engram_macros}" "#define __AVX__ 1" _engram_avx)
if(_engram_avx GREATER -1)
  set(ENGRAM_ARCH_HAS_AVX ON)
else()
  set(ENGRAM_ARCH_HAS_AVX OFF)
endif()
