// SQL-callable parts of the dispatcher that live in C++: waking the worker
// when a transaction commits, and reading the worker's shared status.
#include <chrono>

#include "api/wake_at_commit.hpp"
#include "pg/error_boundary.hpp"
#include "pg/workspace_visibility.hpp"
#include "worker/shared_state.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
}

namespace {

bool wake_callback_registered = false;
bool wake_at_commit = false;

// Called by Postgres at the end of every transaction of this backend once
// registered: only a commit wakes the worker, a rollback sends nothing.
void on_transaction_end(XactEvent event, void*) noexcept {
    switch (event) {
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PARALLEL_COMMIT:
            if (wake_at_commit) webhook::worker::wake_worker();
            wake_at_commit = false;
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_PREPARE:
            // A prepared transaction wakes the worker when COMMIT PREPARED
            // runs (worker/commit_prepared_wake.hpp).
            wake_at_commit = false;
            break;
        default:
            break;
    }
}

}  // namespace

namespace webhook::api {

void wake_worker_at_commit() {
    if (!wake_callback_registered) {
        webhook::pg::call_postgres([] { RegisterXactCallback(on_transaction_end, nullptr); });
        wake_callback_registered = true;
    }
    wake_at_commit = true;
}

}  // namespace webhook::api

WEBHOOK_SQL_FUNCTION(webhook_wake_worker_on_commit) {
    (void)fcinfo;
    webhook::api::wake_worker_at_commit();
    PG_RETURN_VOID();
}

// (pid, state, in_flight, per_second, last_error) of the worker serving this
// database; pid NULL and state 'stopped' when none does. last_error is the
// last one a worker of this database met (kept after it exited, which says
// why it did), never another database's. in_flight, per_second and
// last_error describe every workspace's traffic: NULL for a caller kept to
// one workspace. Masked here, not only in worker_status(), since both roles
// may call this function directly (also as /rpc/worker_runtime).
WEBHOOK_SQL_FUNCTION(webhook_worker_runtime) {
    using namespace std::chrono;
    auto now_second = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    webhook::worker::StatusSnapshot status = webhook::worker::read_status(now_second);
    bool serves_here = status.pid != 0 && status.database_id == MyDatabaseId;
    if (!serves_here) {
        status.state = webhook::worker::WorkerState::kStopped;
        status.in_flight = 0;
    }
    if (status.last_error_database != MyDatabaseId) status.last_error[0] = '\0';
    bool every_workspace = webhook::pg::caller_sees_every_workspace();

    return webhook::pg::call_postgres([&] {
        TupleDesc descriptor;
        if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE) {
            elog(ERROR, "webhook_worker_runtime must return a record");
        }
        descriptor = BlessTupleDesc(descriptor);
        Datum values[5];
        bool nulls[5] = {false, false, false, false, false};
        values[0] = Int32GetDatum(status.pid);
        nulls[0] = !serves_here;
        values[1] = CStringGetTextDatum(webhook::worker::worker_state_name(status.state));
        values[2] = Int32GetDatum(status.in_flight);
        nulls[2] = !every_workspace;
        values[3] = Float8GetDatum(serves_here ? status.per_second : 0.0);
        nulls[3] = !every_workspace;
        bool show_error = every_workspace && status.last_error[0] != '\0';
        values[4] = show_error ? CStringGetTextDatum(status.last_error) : Datum(0);
        nulls[4] = !show_error;
        return HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls));
    });
}
