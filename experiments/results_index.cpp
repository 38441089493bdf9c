#include "experiments/results_index.h"

#include "experiments/sqlite_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <type_traits>

namespace engram::experiments {

namespace {

namespace fs = std::filesystem;

constexpr int kBusyTimeoutMs = 60'000;  // per SQLite call, inside SQLite's busy handler
constexpr auto kRetryBudget = std::chrono::seconds(120);  // our own retries on top of it

// An SQLite failure; `code` is the primary result code (SQLITE_BUSY, SQLITE_NOTADB, ...).
class SqliteError : public std::runtime_error {
 public:
  SqliteError(int primary_code, const std::string& msg) : std::runtime_error(msg), code(primary_code) {}
  int code;
};

bool is_busy(int code) { return code == SQLITE_BUSY || code == SQLITE_LOCKED; }

// What a user does with a damaged index file.
constexpr const char* kDamagedAdvice =
    "move it aside and engram starts a new one (the run directories are not affected)";

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, const std::string& path, const std::string& what) {
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const std::string hint =
      (rc & 0xff) == SQLITE_CORRUPT ? std::string("; the index file is damaged: ") + kDamagedAdvice : std::string();
  throw SqliteError(rc & 0xff, "results index '" + path + "': " + what + ": " + msg + " (sqlite code " +
                                   std::to_string(rc) + ")" + hint);
}

// A prepared statement; finalized on destruction. Columns and parameters are 0/1-based as in
// the SQLite C API.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& path, const std::string& sql) : db_(db), path_(path), sql_(sql) {
    const int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db_, rc, path_, "preparing '" + sql_ + "'");
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& bind(int i, double v) {
    // SQLite stores NaN as NULL; bind it explicitly so reading back gives NaN again.
    check(std::isnan(v) ? sqlite3_bind_null(stmt_, i) : sqlite3_bind_double(stmt_, i, v));
    return *this;
  }
  Stmt& bind(int i, long long v) {
    check(sqlite3_bind_int64(stmt_, i, static_cast<sqlite3_int64>(v)));
    return *this;
  }

  // True when a row is available, false when the statement is done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_sqlite(db_, rc, path_, "executing '" + sql_ + "'");
  }
  void run() {
    while (step()) {
    }
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  double real(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(stmt_, col);
  }
  long long integer(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw_sqlite(db_, rc, path_, "binding a parameter of '" + sql_ + "'");
  }
  sqlite3* db_;
  const std::string& path_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
};

// The run directory spelled canonically, so that "runs/x", "./runs/x/" and "/abs/runs/x"
// compare equal. Never throws.
std::string canonical_dir(const std::string& dir) {
  if (dir.empty()) return {};
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(dir), ec);
  if (ec) p = fs::path(dir);
  fs::path c = fs::weakly_canonical(p, ec);
  if (ec) c = p.lexically_normal();
  std::string s = c.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id          TEXT PRIMARY KEY NOT NULL,
  experiment  TEXT NOT NULL,
  dir         TEXT NOT NULL,
  dir_abs     TEXT NOT NULL,   -- canonical absolute form of dir, for lookups
  status      TEXT NOT NULL,
  started     TEXT NOT NULL,
  finished    TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  error       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS params (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  ord    INTEGER NOT NULL,     -- position in RunRecord::params
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metrics (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name   TEXT NOT NULL,
  value  REAL,                 -- NULL = NaN
  PRIMARY KEY (run_id, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS runs_by_started    ON runs(started, id);
CREATE INDEX IF NOT EXISTS runs_by_experiment ON runs(experiment, started);
CREATE INDEX IF NOT EXISTS runs_by_config     ON runs(experiment, config_hash, status);
CREATE INDEX IF NOT EXISTS runs_by_dir        ON runs(dir);
CREATE INDEX IF NOT EXISTS runs_by_dir_abs    ON runs(dir_abs);
CREATE INDEX IF NOT EXISTS params_by_key      ON params(key, value);
CREATE INDEX IF NOT EXISTS metrics_by_name    ON metrics(name);
)sql";

const char* kRunColumns =
    "r.id, r.experiment, r.dir, r.status, r.started, r.finished, r.config_hash, r.error";

RunRecord read_run_row(const Stmt& s) {
  RunRecord r;
  r.id = s.text(0);
  r.experiment = s.text(1);
  r.dir = s.text(2);
  r.status = s.text(3);
  r.started = s.text(4);
  r.finished = s.text(5);
  r.config_hash = s.text(6);
  r.error = s.text(7);
  return r;
}

}  // namespace

std::string index_path(const std::string& runs_root) {
  if (runs_root.empty())
    throw std::invalid_argument("the runs root is empty; give a folder (the default is 'runs')");
  if (runs_root.size() >= 7 && runs_root.compare(runs_root.size() - 7, 7, ".sqlite") == 0) return runs_root;
  return runs_root + "/index.sqlite";
}

bool is_valid_run_status(const std::string& status) {
  return status == "running" || status == "completed" || status == "failed" || status == "interrupted";
}

struct ResultsIndex::Impl {
  std::string path;
  sqlite3* db = nullptr;
  mutable std::mutex mu;  // one connection, used by one thread at a time

  explicit Impl(std::string p) : path(std::move(p)) {}
  ~Impl() {
    if (db != nullptr) sqlite3_close_v2(db);
  }

  void exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      const std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      throw SqliteError(rc & 0xff, "results index '" + path + "': executing '" + sql + "': " + msg +
                                       " (sqlite code " + std::to_string(rc) + ")");
    }
  }

  void rollback_quietly() noexcept {
    if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  // Runs `body` inside a transaction (`begin` is "BEGIN" or "BEGIN IMMEDIATE"), retrying the
  // whole transaction with jittered exponential backoff while SQLite reports BUSY/LOCKED that
  // its own busy handler did not resolve (e.g. a WAL snapshot conflict or recovery).
  template <class F>
  auto transaction(const char* begin, F&& body) -> decltype(body()) {
    const auto deadline = std::chrono::steady_clock::now() + kRetryBudget;
    std::minstd_rand jitter(static_cast<unsigned>(
        std::chrono::steady_clock::now().time_since_epoch().count() ^ reinterpret_cast<std::uintptr_t>(this)));
    int backoff_ms = 2;
    for (;;) {
      try {
        exec(begin);
        if constexpr (std::is_void_v<decltype(body())>) {
          body();
          exec("COMMIT");
          return;
        } else {
          auto result = body();
          exec("COMMIT");
          return result;
        }
      } catch (const SqliteError& e) {
        rollback_quietly();
        if (!is_busy(e.code) || std::chrono::steady_clock::now() >= deadline) throw;
      } catch (...) {
        rollback_quietly();
        throw;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms + static_cast<int>(jitter() % 5)));
      backoff_ms = std::min(backoff_ms * 2, 200);
    }
  }

  // Same retry policy for a single statement outside an explicit transaction.
  template <class F>
  auto retrying(F&& body) -> decltype(body()) {
    const auto deadline = std::chrono::steady_clock::now() + kRetryBudget;
    int backoff_ms = 2;
    for (;;) {
      try {
        return body();
      } catch (const SqliteError& e) {
        if (!is_busy(e.code) || std::chrono::steady_clock::now() >= deadline) throw;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min(backoff_ms * 2, 200);
    }
  }

  void open() {
    const bool in_memory = path.empty() || path == ":memory:";
    if (!in_memory) {
      const fs::path parent = fs::path(path).parent_path();
      std::error_code ec;
      if (!parent.empty()) fs::create_directories(parent, ec);
      if (ec)
        throw std::runtime_error("results index '" + path + "': cannot create directory '" +
                                 parent.string() + "': " + ec.message());
    }
    const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                   in_memory ? nullptr : index_vfs_name());
    if (rc != SQLITE_OK) throw_sqlite(db, rc, path, "cannot open");
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);

    // The first statement that reads the file: a non-database file fails here.
    const std::string mode = retrying([&] {
      Stmt s(db, path, "PRAGMA journal_mode=WAL");
      return s.step() ? s.text(0) : std::string();
    });
    if (!in_memory && mode != "wal")
      throw std::runtime_error("results index '" + path + "': cannot switch to WAL mode (journal mode is '" +
                               mode + "'); is the file on a network file system?");
    exec("PRAGMA synchronous=NORMAL");  // durable in WAL mode except against power loss
    exec("PRAGMA foreign_keys=ON");
    // A damaged file must be an error, never a source of wrong answers: SQLite reads a page whose
    // cells point outside it, rows out of their key's order, or NULL in NOT NULL columns without
    // a word, and a write into such a file can vanish (fuzzed indexes took a run's metrics and
    // returned none). So the whole file is checked once at open. quick_check was not enough (a
    // WITHOUT ROWID table's rows out of key order pass it), so integrity_check: 20-40 ms for an
    // index of 1,000 runs (20 metrics, 10 params each; 1.9 MB), 0.45 s for 20,000 runs (37 MB).
    // Each page's cells are checked again as they are read (cell_size_check), against damage
    // that comes later.
    exec("PRAGMA cell_size_check=ON");
    const std::string check = retrying([&] {
      Stmt s(db, path, "PRAGMA integrity_check(1)");
      return s.step() ? s.text(0) : std::string("ok");
    });
    if (check != "ok")
      throw std::runtime_error("results index '" + path + "' is damaged (SQLite's integrity_check: " + check +
                               "): " + kDamagedAdvice);

    auto read_version = [&] {
      Stmt s(db, path, "PRAGMA user_version");
      return s.step() ? static_cast<int>(s.integer(0)) : 0;
    };
    int version = retrying(read_version);
    if (version == 0) {
      // Several processes may race to create the schema: the IMMEDIATE transaction serializes
      // them and the re-check makes the losers no-ops.
      transaction("BEGIN IMMEDIATE", [&] {
        if (read_version() != 0) return;
        exec(kSchema);
        exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
      });
      version = retrying(read_version);
    }
    if (version > kSchemaVersion)
      throw std::runtime_error("results index '" + path + "': schema version " + std::to_string(version) +
                               " was written by a newer engram (this build knows version " +
                               std::to_string(kSchemaVersion) + ")");
    // engram creates no triggers; one in the file (a valid database, so integrity_check passes
    // it) could rewrite or delete every write, so it is refused.
    const std::string trigger = retrying([&] {
      Stmt s(db, path, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name LIMIT 1");
      return s.step() ? s.text(0) : std::string();
    });
    if (!trigger.empty())
      throw std::runtime_error("results index '" + path + "' has a trigger '" + trigger +
                               "', which engram never creates; the file was changed outside engram: " + kDamagedAdvice);
  }

  // Fills params and summary of `r` (inside the caller's read transaction).
  void load_details(RunRecord& r, Stmt& params, Stmt& metrics) const {
    params.reset();
    params.bind(1, r.id);
    while (params.step()) r.params.emplace_back(params.text(0), params.text(1));
    metrics.reset();
    metrics.bind(1, r.id);
    while (metrics.step()) r.summary[metrics.text(0)] = metrics.real(1);
  }

  // Runs a SELECT of kRunColumns (bound by `bind`) and loads each run's details.
  template <class Bind>
  std::vector<RunRecord> query_runs(const std::string& sql, Bind&& bind) {
    return transaction("BEGIN", [&] {
      Stmt s(db, path, sql);
      bind(s);
      std::vector<RunRecord> out;
      while (s.step()) out.push_back(read_run_row(s));
      Stmt params(db, path, "SELECT key, value FROM params WHERE run_id = ?1 ORDER BY ord");
      Stmt metrics(db, path, "SELECT name, value FROM metrics WHERE run_id = ?1 ORDER BY name");
      for (auto& r : out) load_details(r, params, metrics);
      return out;
    });
  }
};

ResultsIndex::ResultsIndex(const std::string& db_path) : impl_(std::make_unique<Impl>(db_path)) {
  impl_->open();
}
ResultsIndex::~ResultsIndex() = default;
ResultsIndex::ResultsIndex(ResultsIndex&&) noexcept = default;
ResultsIndex& ResultsIndex::operator=(ResultsIndex&&) noexcept = default;

const std::string& ResultsIndex::path() const { return impl_->path; }

void ResultsIndex::upsert(const RunRecord& r) {
  if (r.id.empty()) throw std::invalid_argument("ResultsIndex::upsert: run id is empty");
  if (!is_valid_run_status(r.status))
    throw std::invalid_argument("ResultsIndex::upsert: run '" + r.id + "' has unknown status '" + r.status +
                                "' (expected running, completed, failed or interrupted)");
  std::set<std::string> seen;
  for (const auto& [k, v] : r.params) {
    if (k.empty()) throw std::invalid_argument("ResultsIndex::upsert: run '" + r.id + "' has an empty param key");
    if (!seen.insert(k).second)
      throw std::invalid_argument("ResultsIndex::upsert: run '" + r.id + "' has param '" + k + "' twice");
  }
  const std::string dir_abs = canonical_dir(r.dir);

  std::lock_guard lock(impl_->mu);
  Impl& m = *impl_;
  m.transaction("BEGIN IMMEDIATE", [&] {
    Stmt run(m.db, m.path,
             "INSERT INTO runs (id, experiment, dir, dir_abs, status, started, finished, config_hash, error) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
             "ON CONFLICT(id) DO UPDATE SET experiment = excluded.experiment, dir = excluded.dir, "
             "dir_abs = excluded.dir_abs, status = excluded.status, started = excluded.started, "
             "finished = excluded.finished, config_hash = excluded.config_hash, error = excluded.error");
    run.bind(1, r.id).bind(2, r.experiment).bind(3, r.dir).bind(4, dir_abs).bind(5, r.status);
    run.bind(6, r.started).bind(7, r.finished).bind(8, r.config_hash).bind(9, r.error);
    run.run();

    Stmt(m.db, m.path, "DELETE FROM params WHERE run_id = ?1").bind(1, r.id).run();
    Stmt(m.db, m.path, "DELETE FROM metrics WHERE run_id = ?1").bind(1, r.id).run();

    Stmt param(m.db, m.path, "INSERT INTO params (run_id, ord, key, value) VALUES (?1, ?2, ?3, ?4)");
    long long ord = 0;
    for (const auto& [k, v] : r.params) {
      param.reset();
      param.bind(1, r.id).bind(2, ord++).bind(3, k).bind(4, v);
      param.run();
    }
    Stmt metric(m.db, m.path, "INSERT INTO metrics (run_id, name, value) VALUES (?1, ?2, ?3)");
    for (const auto& [name, value] : r.summary) {
      metric.reset();
      metric.bind(1, r.id).bind(2, name).bind(3, value);
      metric.run();
    }
  });
}

std::optional<RunRecord> ResultsIndex::get(const std::string& id_or_dir) const {
  if (id_or_dir.empty()) return std::nullopt;
  std::lock_guard lock(impl_->mu);
  Impl& m = *impl_;
  const std::string cols = kRunColumns;

  auto by_id = m.query_runs("SELECT " + cols + " FROM runs r WHERE r.id = ?1",
                            [&](Stmt& s) { s.bind(1, id_or_dir); });
  if (!by_id.empty()) return std::move(by_id.front());

  auto by_dir = m.query_runs("SELECT " + cols + " FROM runs r WHERE r.dir = ?1 OR r.dir_abs = ?2 "
                             "ORDER BY r.started DESC, r.id DESC LIMIT 1",
                             [&](Stmt& s) { s.bind(1, id_or_dir).bind(2, canonical_dir(id_or_dir)); });
  if (!by_dir.empty()) return std::move(by_dir.front());

  // Prefix: compare the first length(prefix) bytes (casting to BLOB makes substr count bytes).
  auto by_prefix = m.query_runs("SELECT " + cols + " FROM runs r "
                                "WHERE substr(CAST(r.id AS BLOB), 1, length(CAST(?1 AS BLOB))) = CAST(?1 AS BLOB) "
                                "ORDER BY r.id LIMIT 11",
                                [&](Stmt& s) { s.bind(1, id_or_dir); });
  if (by_prefix.empty()) return std::nullopt;
  if (by_prefix.size() == 1) return std::move(by_prefix.front());
  std::string names;
  for (size_t i = 0; i < by_prefix.size() && i < 10; ++i) names += (i ? ", " : "") + by_prefix[i].id;
  if (by_prefix.size() > 10) names += ", ...";
  throw std::invalid_argument("results index '" + m.path + "': run id prefix '" + id_or_dir +
                              "' is ambiguous; it matches " + names);
}

std::vector<RunRecord> ResultsIndex::list(const RunFilter& f) const {
  if (!f.status.empty() && !is_valid_run_status(f.status))
    throw std::invalid_argument("ResultsIndex::list: unknown status '" + f.status +
                                "' (expected running, completed, failed or interrupted)");
  std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs r WHERE 1";
  int next = 1;
  if (!f.experiment.empty()) sql += " AND r.experiment = ?" + std::to_string(next++);
  if (!f.status.empty()) sql += " AND r.status = ?" + std::to_string(next++);
  if (!f.config_hash.empty()) sql += " AND r.config_hash = ?" + std::to_string(next++);
  for (size_t i = 0; i < f.params.size(); ++i) {
    sql += " AND EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.id AND p.key = ?" + std::to_string(next) +
           " AND p.value = ?" + std::to_string(next + 1) + ")";
    next += 2;
  }
  sql += " ORDER BY r.started, r.id";

  std::lock_guard lock(impl_->mu);
  return impl_->query_runs(sql, [&](Stmt& s) {
    int i = 1;
    if (!f.experiment.empty()) s.bind(i++, f.experiment);
    if (!f.status.empty()) s.bind(i++, f.status);
    if (!f.config_hash.empty()) s.bind(i++, f.config_hash);
    for (const auto& [k, v] : f.params) {
      s.bind(i++, k);
      s.bind(i++, v);
    }
  });
}

std::optional<RunRecord> ResultsIndex::find_completed(const std::string& experiment,
                                                      const std::string& config_hash) const {
  std::lock_guard lock(impl_->mu);
  auto runs = impl_->query_runs(std::string("SELECT ") + kRunColumns +
                                    " FROM runs r WHERE r.experiment = ?1 AND r.config_hash = ?2 "
                                    "AND r.status = 'completed' ORDER BY r.finished DESC, r.started DESC LIMIT 1",
                                [&](Stmt& s) { s.bind(1, experiment).bind(2, config_hash); });
  if (runs.empty()) return std::nullopt;
  return std::move(runs.front());
}

void to_json(nlohmann::json& j, const RunRecord& r) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : r.params) params[k] = v;
  nlohmann::json summary = nlohmann::json::object();
  for (const auto& [k, v] : r.summary) summary[k] = std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
  j = nlohmann::json{{"id", r.id},
                     {"experiment", r.experiment},
                     {"dir", r.dir},
                     {"status", r.status},
                     {"started", r.started},
                     {"finished", r.finished},
                     {"config_hash", r.config_hash},
                     {"params", std::move(params)},
                     {"summary", std::move(summary)},
                     {"error", r.error}};
}

void from_json(const nlohmann::json& j, RunRecord& r) {
  r = RunRecord{};
  j.at("id").get_to(r.id);
  auto str = [&](const char* key, std::string& out) {
    if (j.contains(key)) j.at(key).get_to(out);
  };
  str("experiment", r.experiment);
  str("dir", r.dir);
  str("status", r.status);
  str("started", r.started);
  str("finished", r.finished);
  str("config_hash", r.config_hash);
  str("error", r.error);
  if (j.contains("params"))
    for (const auto& [k, v] : j.at("params").items())
      r.params.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  if (j.contains("summary"))
    for (const auto& [k, v] : j.at("summary").items())
      r.summary[k] = v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}

}  // namespace engram::experiments
