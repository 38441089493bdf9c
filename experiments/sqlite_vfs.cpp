// The SQLite VFS of the results index: the system's own (unix) VFS with every write counted as
// a write point of core/fileio.h, so that tests can kill the process inside an index
// transaction, or make a write fail as a full or read-only disk would, and see SQLite keep
// the index consistent. Without ENGRAM_FAULT the shim only forwards.
#include "experiments/sqlite_vfs.h"

#include "core/fileio.h"

#include <sqlite3.h>

#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace engram::experiments {

namespace {

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_shim;

struct ShimFile {
  sqlite3_file base;   // must be first: SQLite sees this
  sqlite3_file* real;  // the real VFS's file, allocated right after this struct
  std::string* path;
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

int x_close(sqlite3_file* f) {
  auto* s = reinterpret_cast<ShimFile*>(f);
  const int rc = s->real->pMethods ? s->real->pMethods->xClose(s->real) : SQLITE_OK;
  delete s->path;
  s->path = nullptr;
  return rc;
}
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}
int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  auto* s = reinterpret_cast<ShimFile*>(f);
  switch (fileio::fault_point("index", s->path ? *s->path : std::string())) {
    case fileio::Fault::enospc: return SQLITE_FULL;
    case fileio::Fault::erofs: return SQLITE_IOERR_WRITE;
    case fileio::Fault::eio: return SQLITE_IOERR_WRITE;
    default: break;
  }
  return s->real->pMethods->xWrite(s->real, buf, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) { return real_of(f)->pMethods->xTruncate(real_of(f), size); }
int x_sync(sqlite3_file* f, int flags) { return real_of(f)->pMethods->xSync(real_of(f), flags); }
int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); }
int x_lock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xLock(real_of(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xUnlock(real_of(f), level); }
int x_check_reserved(sqlite3_file* f, int* out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); }
int x_file_control(sqlite3_file* f, int op, void* arg) { return real_of(f)->pMethods->xFileControl(real_of(f), op, arg); }
int x_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int x_device(sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) { return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags); }
void x_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** pp) { return real_of(f)->pMethods->xFetch(real_of(f), off, amt, pp); }
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return real_of(f)->pMethods->xUnfetch(real_of(f), off, p); }

// One table of methods per version of the real file's methods (a shim must not offer a method
// that the real file lacks).
sqlite3_io_methods methods_of_version(int version) {
  sqlite3_io_methods m{};
  m.iVersion = version;
  m.xClose = x_close;
  m.xRead = x_read;
  m.xWrite = x_write;
  m.xTruncate = x_truncate;
  m.xSync = x_sync;
  m.xFileSize = x_file_size;
  m.xLock = x_lock;
  m.xUnlock = x_unlock;
  m.xCheckReservedLock = x_check_reserved;
  m.xFileControl = x_file_control;
  m.xSectorSize = x_sector_size;
  m.xDeviceCharacteristics = x_device;
  if (version >= 2) {
    m.xShmMap = x_shm_map;
    m.xShmLock = x_shm_lock;
    m.xShmBarrier = x_shm_barrier;
    m.xShmUnmap = x_shm_unmap;
  }
  if (version >= 3) {
    m.xFetch = x_fetch;
    m.xUnfetch = x_unfetch;
  }
  return m;
}

sqlite3_io_methods g_methods[3] = {methods_of_version(1), methods_of_version(2), methods_of_version(3)};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* s = reinterpret_cast<ShimFile*>(file);
  s->base.pMethods = nullptr;
  s->real = reinterpret_cast<sqlite3_file*>(s + 1);
  s->path = nullptr;
  const int rc = g_real->xOpen(g_real, name, s->real, flags, out_flags);
  if (rc != SQLITE_OK || !s->real->pMethods) return rc;
  s->path = new (std::nothrow) std::string(name ? name : "");
  const int version = std::min(3, std::max(1, s->real->pMethods->iVersion));
  s->base.pMethods = &g_methods[version - 1];
  return rc;
}

// The rest of the VFS goes straight to the real one.
int x_delete(sqlite3_vfs*, const char* name, int sync) { return g_real->xDelete(g_real, name, sync); }
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_real->xAccess(g_real, name, flags, out); }
int x_full_path(sqlite3_vfs*, const char* name, int n, char* out) { return g_real->xFullPathname(g_real, name, n, out); }
void* x_dl_open(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void x_dl_error(sqlite3_vfs*, int n, char* msg) { g_real->xDlError(g_real, n, msg); }
void (*x_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) { return g_real->xDlSym(g_real, h, sym); }
void x_dl_close(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int x_randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int x_sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int x_current_time(sqlite3_vfs*, double* t) { return g_real->xCurrentTime(g_real, t); }
int x_last_error(sqlite3_vfs*, int n, char* out) { return g_real->xGetLastError(g_real, n, out); }
int x_current_time64(sqlite3_vfs*, sqlite3_int64* t) { return g_real->xCurrentTimeInt64(g_real, t); }

}  // namespace

const char* index_vfs_name() {
  static std::once_flag once;
  static const char* name = nullptr;
  std::call_once(once, [] {
    g_real = sqlite3_vfs_find(nullptr);
    if (!g_real) return;
    g_shim = sqlite3_vfs{};
    g_shim.iVersion = std::min(2, g_real->iVersion);
    g_shim.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
    g_shim.mxPathname = g_real->mxPathname;
    g_shim.zName = "engram";
    g_shim.xOpen = x_open;
    g_shim.xDelete = x_delete;
    g_shim.xAccess = x_access;
    g_shim.xFullPathname = x_full_path;
    g_shim.xDlOpen = x_dl_open;
    g_shim.xDlError = x_dl_error;
    g_shim.xDlSym = x_dl_sym;
    g_shim.xDlClose = x_dl_close;
    g_shim.xRandomness = x_randomness;
    g_shim.xSleep = x_sleep;
    g_shim.xCurrentTime = x_current_time;
    g_shim.xGetLastError = x_last_error;
    if (g_shim.iVersion >= 2) g_shim.xCurrentTimeInt64 = x_current_time64;
    if (sqlite3_vfs_register(&g_shim, 0) == SQLITE_OK) name = g_shim.zName;
  });
  return name;
}

}  // namespace engram::experiments
