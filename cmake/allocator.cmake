# The memory allocator of engram's programs (ENGRAM_MALLOC).
#
# A training step builds and frees a graph: thousands of small matrices per step. glibc's malloc
# spends 10-15% of a MemN2N or NTM step in _int_malloc/_int_free (perf); tcmalloc's per-thread
# caches (Debian libtcmalloc-minimal4) take most of that away (docs/performance.md measures it).
#   tcmalloc (default)  every executable of the build (the engram CLI, the tests, the benchmarks)
#                       links libtcmalloc_minimal, which replaces malloc for the whole process
#   system              glibc's malloc
# Sanitizer and fuzzer builds always use the system allocator (AddressSanitizer brings its own).
# The Python extension never links it: a module loaded into a running interpreter must not
# replace the allocator that memory already came from; `import engram` uses Python's.
# The allocator changes no number: results are the same bit for bit with either.
set(ENGRAM_MALLOC "tcmalloc" CACHE STRING "Allocator of engram's executables: tcmalloc or system")
set_property(CACHE ENGRAM_MALLOC PROPERTY STRINGS tcmalloc system)
if(ENGRAM_SANITIZE OR ENGRAM_FUZZ)
  set(ENGRAM_MALLOC_USED system)
elseif(ENGRAM_MALLOC STREQUAL "tcmalloc")
  # the runtime package's file is enough (no -dev package needed: nothing includes its headers)
  find_library(ENGRAM_TCMALLOC_LIBRARY NAMES tcmalloc_minimal libtcmalloc_minimal.so.4)
  if(NOT ENGRAM_TCMALLOC_LIBRARY)
    message(FATAL_ERROR "ENGRAM_MALLOC=tcmalloc: libtcmalloc_minimal not found (scripts/setup installs "
                        "libtcmalloc-minimal4); or configure with -DENGRAM_MALLOC=system")
  endif()
  set(ENGRAM_MALLOC_USED tcmalloc)
elseif(ENGRAM_MALLOC STREQUAL "system")
  set(ENGRAM_MALLOC_USED system)
else()
  message(FATAL_ERROR "ENGRAM_MALLOC must be tcmalloc or system, got '${ENGRAM_MALLOC}'")
endif()
message(STATUS "engram: allocator of the executables: ${ENGRAM_MALLOC_USED}")

add_library(engram_allocator INTERFACE)
if(ENGRAM_MALLOC_USED STREQUAL "tcmalloc")
  # --no-as-needed: no symbol of the library is referenced by name, so a linker that drops
  # unneeded libraries would drop it (tests/core/allocator_test.cpp checks it is mapped)
  target_link_libraries(engram_allocator INTERFACE "-Wl,--push-state,--no-as-needed" ${ENGRAM_TCMALLOC_LIBRARY}
                        "-Wl,--pop-state")
  target_compile_definitions(engram_allocator INTERFACE ENGRAM_MALLOC_TCMALLOC=1)
endif()

# Links engram_allocator into every executable defined under `dir` (call once, after every
# add_subdirectory): one place, so no program can be forgotten.
function(engram_link_allocator dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE")
      target_link_libraries(${t} PRIVATE engram_allocator)
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(d IN LISTS subdirs)
    engram_link_allocator(${d})
  endforeach()
endfunction()
