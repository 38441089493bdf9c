#include "core/allocator.h"

#include <dlfcn.h>
#include <malloc.h>

namespace engram {

void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);   // glibc's maximum on 64-bit
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
}

std::string malloc_library() {
  void* f = dlsym(RTLD_DEFAULT, "malloc");  // the definition every call in the process reaches
  Dl_info info{};
  if (!f || !dladdr(f, &info) || !info.dli_fname) return "";
  return info.dli_fname;
}

std::string allocator_name() {
  const std::string file = malloc_library();
  if (file.empty()) return "unknown";
  for (const char* name : {"tcmalloc", "jemalloc", "mimalloc"})
    if (file.find(name) != std::string::npos) return name;
  if (file.find("libc.so") != std::string::npos) return "glibc";
  return file;
}

}  // namespace engram
