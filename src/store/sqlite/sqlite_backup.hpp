#pragma once

#include <string>

namespace orderly::store::sqlite {

// What `orderly backup` and `orderly restore` need from SQLite, on database
// files by path. Each opens its own connection; none touches a connection of
// a running SqliteStore, so they are safe beside a serving process.

// Copies the database at `source` (which must exist) to `destination` (a new
// file, mode 0600; an existing one is replaced) with SQLite's online backup
// API in a single step: one read transaction, so the copy is the snapshot of
// one moment, and under WAL the server's writers go on meanwhile. The copy is
// a one-file database (rollback journal, no -wal beside it). Throws
// StoreError.
void backup_database(const std::string& source, const std::string& destination);

// "ok", or what PRAGMA integrity_check reports (its first lines). Throws
// StoreError when the file cannot be opened as a database.
[[nodiscard]] std::string integrity_check(const std::string& path);

// The highest version in schema_migrations; 0 for a database without it.
// Throws StoreError.
[[nodiscard]] int schema_version(const std::string& path);

// True while another process has the database open in WAL mode: SQLite's
// unix VFS holds a shared lock on the "DMS" byte of the -shm file for as long
// as a connection maps the WAL index, and fcntl(F_GETLK) sees it from here.
// Locks of this process are not seen (POSIX record locks are per process).
[[nodiscard]] bool database_in_use(const std::string& path);

}  // namespace orderly::store::sqlite
