// webhook.schedule_deliveries_of_endpoint(): the trigger on webhook.endpoint
// that parks a disabled endpoint's unfinished deliveries (next_attempt_at
// NULL), makes them due when it is enabled, and cancels them when it is
// deleted (sql/src/50_dispatch.sql says why they are parked).
//
// Written in C++ for the snapshot its statements read. Enabling and deleting
// must find every unfinished delivery of the endpoint, also those parked by
// transactions that held the endpoint locked and committed while this one
// waited for its row (a publish or retry parking behind the disabled
// endpoint, a claim parking what races left due). A READ COMMITTED statement
// sees them. A REPEATABLE READ or SERIALIZABLE transaction reads the snapshot
// it began with, and would leave them waiting for ever. There the statements
// run as Postgres runs a foreign key's cascade: rows are found with the latest
// snapshot, and changing one that the transaction's own snapshot cannot see
// fails with 40001 (could not serialize access due to concurrent update), so
// the application's usual retry of the transaction finds it.
#include <string>
#include <vector>

#include "api/wake_at_commit.hpp"
#include "pg/error_boundary.hpp"
#include "pg/spi_plan_cache.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/snapmgr.h"
}

namespace {

// The UPDATE that sets `assignments` on the endpoint's unfinished deliveries
// meeting `condition` too. It locks its rows first, in id order, as every
// bulk update of deliveries does (webhook.retry_deliveries): locked in the
// order of each statement's plan, a bulk retry and this trigger deadlocked on
// the endpoint's deliveries. $1 is the endpoint, $2 its workspace.
std::string update_unfinished(const char* assignments, const char* condition) {
    return std::string("UPDATE webhook.delivery AS d SET ") + assignments +
           " WHERE d.id = ANY (ARRAY(SELECT l.id FROM webhook.delivery l "
           "WHERE l.endpoint_id = $1 AND l.workspace_id = $2 "
           "AND l.status OPERATOR(webhook.=) ANY ('{pending,retrying,rate_limited}')" +
           condition + " ORDER BY l.id FOR UPDATE))";
}

// Deleted: cancelled. Enabled: due now. Disabled: parked. updated_at is left
// alone by scheduling and parking: it is the token of a request in flight,
// whose result still lands.
std::string cancel_sql() {
    return update_unfinished(
        "status = 'cancelled', next_attempt_at = NULL, updated_at = now(), "
        "last_error = 'endpoint deleted'",
        "");
}
std::string schedule_sql() {
    return update_unfinished("next_attempt_at = now()", " AND l.next_attempt_at IS NULL");
}
std::string park_sql() {
    return update_unfinished("next_attempt_at = NULL", " AND l.next_attempt_at IS NOT NULL");
}

[[noreturn]] void protocol_violation(const char* message) {
    throw webhook::Error("39P01", message,
                         "webhook.schedule_deliveries_of_endpoint() was called outside the "
                         "triggers pg_webhook creates.",
                         "Use it only AFTER UPDATE OF enabled or AFTER DELETE ON webhook.endpoint, "
                         "FOR EACH ROW.");
}

// Column `name` of `row`; its value must not be NULL.
Datum column_value(TriggerData* trigger, HeapTuple row, const char* name) {
    TupleDesc descriptor = RelationGetDescr(trigger->tg_relation);
    int column = webhook::pg::call_postgres([&] { return SPI_fnumber(descriptor, name); });
    if (column <= 0) protocol_violation("the trigger's table has no column it needs");
    bool is_null = false;
    Datum value = heap_getattr(row, column, descriptor, &is_null);
    if (is_null) protocol_violation("the trigger's row has a NULL id, workspace_id or enabled");
    return value;
}

// Runs `sql` on the endpoint's deliveries; the number of rows it changed.
uint64 run_on_deliveries(const std::string& sql, Datum endpoint_id, Datum workspace_id) {
    using webhook::pg::call_postgres;
    call_postgres([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    SPIPlanPtr plan = webhook::pg::cached_plan(sql, {UUIDOID, UUIDOID});
    Datum arguments[2] = {endpoint_id, workspace_id};
    uint64 changed = call_postgres([&] {
        int result;
        if (IsolationUsesXactSnapshot()) {
            // As ri_triggers.c runs a cascade: see this transaction's own
            // changes, find rows with the latest snapshot, and check each
            // row changed against the transaction's snapshot.
            CommandCounterIncrement();
            result = SPI_execute_snapshot(plan, arguments, nullptr, GetLatestSnapshot(),
                                          GetTransactionSnapshot(), false, true, 0);
        } else {
            result = SPI_execute_plan(plan, arguments, nullptr, false, 0);
        }
        if (result != SPI_OK_UPDATE) {
            elog(ERROR, "updating an endpoint's deliveries failed: %s",
                 SPI_result_code_string(result));
        }
        return SPI_processed;
    });
    call_postgres([] { SPI_finish(); });
    return changed;
}

}  // namespace

WEBHOOK_SQL_FUNCTION(webhook_schedule_deliveries_of_endpoint) {
    if (!CALLED_AS_TRIGGER(fcinfo)) protocol_violation("this function is a trigger function");
    TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    TriggerEvent event = trigger->tg_event;
    if (!TRIGGER_FIRED_AFTER(event) || !TRIGGER_FIRED_FOR_ROW(event) ||
        !(TRIGGER_FIRED_BY_UPDATE(event) || TRIGGER_FIRED_BY_DELETE(event))) {
        protocol_violation("this trigger must fire AFTER UPDATE or DELETE, FOR EACH ROW");
    }

    HeapTuple row = TRIGGER_FIRED_BY_DELETE(event) ? trigger->tg_trigtuple : trigger->tg_newtuple;
    Datum endpoint_id = column_value(trigger, row, "id");
    Datum workspace_id = column_value(trigger, row, "workspace_id");
    if (TRIGGER_FIRED_BY_DELETE(event)) {
        run_on_deliveries(cancel_sql(), endpoint_id, workspace_id);
    } else if (DatumGetBool(column_value(trigger, row, "enabled"))) {
        // Due now: the worker is woken at commit, not at its next look.
        if (run_on_deliveries(schedule_sql(), endpoint_id, workspace_id) > 0) {
            webhook::api::wake_worker_at_commit();
        }
    } else {
        run_on_deliveries(park_sql(), endpoint_id, workspace_id);
    }
    return PointerGetDatum(nullptr);
}
