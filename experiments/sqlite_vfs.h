// engram/experiments/sqlite_vfs.h — the SQLite VFS the results index opens its database with:
// the system's VFS, each write a write point of core/fileio.h (fault injection for tests).
#pragma once

namespace engram::experiments {

// Registers the VFS once and returns its name, or nullptr if it could not be registered (then
// SQLite's default is used).
const char* index_vfs_name();

}  // namespace engram::experiments
