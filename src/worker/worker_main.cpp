// The dispatcher's processes. A launcher, registered from _PG_init, is
// connected to no database (so it never holds one up) and starts the worker
// proper, connected to webhook.database, whenever that database exists and
// no worker runs. A missing database is waited for quietly; a worker that
// exits is started again after a short pause.
#include "worker/worker_main.hpp"

#include <chrono>
#include <cstring>

#include "pg/error_boundary.hpp"
#include "pg/settings.hpp"
#include "worker/dispatcher.hpp"
#include "worker/request_sender.hpp"
#include "worker/shared_state.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/wait_event.h"

PGDLLEXPORT void webhook_launcher_main(Datum argument);
PGDLLEXPORT void webhook_worker_main(Datum argument);
}

namespace {

// Seconds the postmaster waits before starting the launcher again after it
// exited with an error; the launcher waits as long before a new worker.
constexpr int kRestartSeconds = 2;
// How often the launcher looks for a missing database.
constexpr long kDatabasePollMs = 5000;

void forget_worker(int, Datum) { webhook::worker::leave_worker_place(MyProcPid); }

// The worker ends through exit() (FATAL on SIGTERM, postmaster death), which
// never unwinds the dispatcher: its network thread is stopped here, before
// exit() runs libcurl's and OpenSSL's clean-up under it.
void stop_network_threads(int, Datum) { webhook::worker::stop_http_senders(); }

void handle_signals_like_pg_cron() {
    // SIGHUP sets ConfigReloadPending; SIGTERM is die(), acted on at the
    // next CHECK_FOR_INTERRUPTS; SIGINT (query cancel) is ignored.
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGINT, SIG_IGN);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
}

struct ServedDatabase {
    Oid oid = InvalidOid;  // InvalidOid: none
    bool allows_connections = false;
};

// Where webhook.database stands: its oid, InvalidOid when it does not exist
// (or is left invalid by an interrupted DROP), and whether it accepts
// connections (ALTER DATABASE ... ALLOW_CONNECTIONS false, a template). A
// heap scan of the shared catalog, as the autovacuum launcher does: with no
// database selected, the index path is not available.
ServedDatabase served_database() {
    ServedDatabase found;
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    Relation catalog = table_open(DatabaseRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(catalog, 0, nullptr);
    HeapTuple tuple;
    while ((tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
        auto* database = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
        if (std::strcmp(NameStr(database->datname), webhook::pg::setting_database) != 0) continue;
#ifdef DATCONNLIMIT_INVALID_DB
        if (database->datconnlimit == DATCONNLIMIT_INVALID_DB) break;
#endif
        found.oid = database->oid;
        found.allows_connections = database->datallowconn;
        break;
    }
    table_endscan(scan);
    table_close(catalog, AccessShareLock);
    CommitTransactionCommand();
    return found;
}

bool start_worker(Oid database, BackgroundWorkerHandle** handle) {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = BGW_NEVER_RESTART;  // the launcher restarts it
    worker.bgw_main_arg = ObjectIdGetDatum(database);
    worker.bgw_notify_pid = MyProcPid;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_webhook");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "webhook_worker_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "pg_webhook worker");
    snprintf(worker.bgw_type, BGW_MAXLEN, "pg_webhook worker");
    return RegisterDynamicBackgroundWorker(&worker, handle);
}

}  // namespace

namespace webhook::worker {

void register_background_worker() {
    BackgroundWorker launcher;
    memset(&launcher, 0, sizeof launcher);
    launcher.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    launcher.bgw_start_time = BgWorkerStart_RecoveryFinished;
    launcher.bgw_restart_time = kRestartSeconds;
    snprintf(launcher.bgw_library_name, BGW_MAXLEN, "pg_webhook");
    snprintf(launcher.bgw_function_name, BGW_MAXLEN, "webhook_launcher_main");
    snprintf(launcher.bgw_name, BGW_MAXLEN, "pg_webhook launcher");
    snprintf(launcher.bgw_type, BGW_MAXLEN, "pg_webhook launcher");
    RegisterBackgroundWorker(&launcher);
}

}  // namespace webhook::worker

// Plain C style on purpose: Postgres errors here (FATAL on SIGTERM) end the
// process, and no C++ object is alive to be skipped.
void webhook_launcher_main(Datum) {
    handle_signals_like_pg_cron();
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    pgstat_report_appname("pg_webhook launcher");

    BackgroundWorkerHandle* handle = nullptr;
    TimestampTz next_start = 0;
    // What was last said about why no worker starts, so that it is said once.
    enum class Reported { kNothing, kMissing, kClosed, kNoSlot } reported = Reported::kNothing;
    for (;;) {
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        pid_t pid;
        if (handle != nullptr && GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED) {
            pfree(handle);
            handle = nullptr;
            next_start = GetCurrentTimestamp() + kRestartSeconds * USECS_PER_SEC;
        }
        long wait_ms = kDatabasePollMs;
        if (handle == nullptr && GetCurrentTimestamp() >= next_start &&
            !webhook::worker::database_drop_pending()) {
            if (webhook::worker::worker_pid() != 0) {
                // A worker this launcher did not start runs (the launcher
                // that did was terminated): a second one would send what
                // the first has claimed again. Nothing tells this launcher
                // when it exits, so it looks again shortly.
                next_start = GetCurrentTimestamp() + kRestartSeconds * USECS_PER_SEC;
                wait_ms = kRestartSeconds * 1000L;
            } else if (ServedDatabase database = served_database(); !OidIsValid(database.oid)) {
                if (reported != Reported::kMissing) {
                    ereport(LOG, (errmsg("pg_webhook launcher: database \"%s\" does not exist; "
                                         "waiting for it",
                                         webhook::pg::setting_database)));
                    reported = Reported::kMissing;
                }
                next_start = GetCurrentTimestamp() + kDatabasePollMs * 1000;
            } else if (!database.allows_connections) {
                // A worker would fail to connect (FATAL) and be started
                // again every few seconds, each time with a FATAL in the log.
                if (reported != Reported::kClosed) {
                    ereport(LOG, (errmsg("pg_webhook launcher: database \"%s\" does not allow "
                                         "connections; waiting for it to allow them",
                                         webhook::pg::setting_database),
                                  errhint("Run ALTER DATABASE %s ALLOW_CONNECTIONS true, or set "
                                          "webhook.database to another database.",
                                          quote_identifier(webhook::pg::setting_database))));
                    reported = Reported::kClosed;
                }
                next_start = GetCurrentTimestamp() + kDatabasePollMs * 1000;
            } else if (!start_worker(database.oid, &handle)) {
                // Tried again every few seconds, said once: a slot may come
                // free (a parallel query's), or never until a restart.
                if (reported != Reported::kNoSlot) {
                    ereport(LOG, (errmsg("pg_webhook launcher: could not start the worker: no "
                                         "background worker slot is free; trying again"),
                                  errhint("Raise max_worker_processes.")));
                    reported = Reported::kNoSlot;
                }
                next_start = GetCurrentTimestamp() + kDatabasePollMs * 1000;
            } else {
                reported = Reported::kNothing;
            }
        } else if (handle == nullptr) {
            wait_ms = kRestartSeconds * 1000L;
        }
        // The postmaster sets our latch when the worker starts or stops.
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, wait_ms,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    }
}

void webhook_worker_main(Datum database) {
    handle_signals_like_pg_cron();
    BackgroundWorkerInitializeConnectionByOid(DatumGetObjectId(database), InvalidOid, 0);
    pgstat_report_appname("pg_webhook worker");
    // A DROP DATABASE that began while this worker was starting wins, and so
    // does a worker that runs already (started by a launcher since
    // terminated): this one leaves quietly.
    if (!webhook::worker::take_worker_place(MyProcPid, MyDatabaseId, MyLatch)) proc_exit(0);
    before_shmem_exit(forget_worker, 0);

    // Async commit: a result lost in a crash only means the delivery is sent
    // again by the next worker (at-least-once), and the worker never waits
    // for a WAL flush between batches.
    SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);

    // The worker's own statements are not an application's: a default set
    // for the database or for the role it runs as (ALTER DATABASE / ALTER
    // ROLE ... SET, applied when it connected) must not change them.
    // default_transaction_read_only = on failed every claim and record with
    // 25006. The isolation level is set per transaction (delivery_store.cpp).
    // The time limits need nothing: statement_timeout,
    // idle_in_transaction_session_timeout and idle_session_timeout are only
    // armed by a client backend's command loop, and lock_timeout (like
    // statement_timeout) cancels by sending SIGINT, which this worker
    // ignores. search_path does not matter: the worker's statements name
    // their schema, and the functions they call set their own.
    SetConfigOption("default_transaction_read_only", "off", PGC_SUSET, PGC_S_OVERRIDE);

    before_shmem_exit(stop_network_threads, 0);

    MemoryContext loop_context =
        AllocSetContextCreate(TopMemoryContext, "pg_webhook worker loop", ALLOCSET_DEFAULT_SIZES);

    webhook::pg::PendingError pending;
    {
        try {
            webhook::worker::run_dispatcher(loop_context);
        } catch (const webhook::Error& error) {
            webhook::pg::capture_error(pending, error);
        } catch (const std::bad_alloc&) {
            webhook::pg::capture_out_of_memory(pending);
        } catch (const std::exception& error) {
            webhook::pg::capture_internal_error(pending, error.what());
        } catch (...) {
            webhook::pg::capture_internal_error(pending, "unknown C++ exception");
        }
    }
    webhook::worker::set_last_error(pending.message);
    // ERROR in a background worker ends it (exit code 1); the launcher
    // starts a new one.
    webhook::pg::report_error(pending);
}
