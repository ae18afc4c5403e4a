// The background worker's process: registration from _PG_init, signals,
// the database connection, then the dispatcher loop.
#include "worker/worker_main.hpp"

#include <cstring>

#include "pg/error_boundary.hpp"
#include "pg/settings.hpp"
#include "worker/dispatcher.hpp"
#include "worker/shared_state.hpp"

extern "C" {
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"

PGDLLEXPORT void webhook_worker_main(Datum argument);
}

namespace {

// Seconds the postmaster waits before starting the worker again after it
// exited with an error or crashed.
constexpr int kRestartSeconds = 2;

void forget_worker(int, Datum) { webhook::worker::publish_worker(0, InvalidOid, nullptr); }

}  // namespace

namespace webhook::worker {

void register_background_worker() {
    BackgroundWorker worker;
    std::memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = kRestartSeconds;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_webhook");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "webhook_worker_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "pg_webhook worker");
    snprintf(worker.bgw_type, BGW_MAXLEN, "pg_webhook worker");
    RegisterBackgroundWorker(&worker);
}

}  // namespace webhook::worker

void webhook_worker_main(Datum) {
    // As pg_cron does: SIGHUP sets ConfigReloadPending, SIGTERM is die()
    // (acted on at the next CHECK_FOR_INTERRUPTS), SIGINT is ignored.
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGINT, SIG_IGN);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();

    BackgroundWorkerInitializeConnection(webhook::pg::setting_database, nullptr, 0);
    pgstat_report_appname("pg_webhook worker");

    // Async commit: a result lost in a crash only means the delivery is sent
    // again when its lease ends (at-least-once), and the worker never waits
    // for a WAL flush between batches.
    SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);

    webhook::worker::publish_worker(MyProcPid, MyDatabaseId, MyLatch);
    before_shmem_exit(forget_worker, 0);

    MemoryContextSwitchTo(AllocSetContextCreate(TopMemoryContext, "pg_webhook worker",
                                                ALLOCSET_DEFAULT_SIZES));

    webhook::pg::PendingError pending;
    {
        try {
            webhook::worker::run_dispatcher();
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
    // ERROR in a background worker ends it with exit code 1: restarted later.
    webhook::pg::report_error(pending);
}
