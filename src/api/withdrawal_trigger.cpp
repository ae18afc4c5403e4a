// webhook.withdraw_queued_requests(): the trigger that tells the worker, at
// COMMIT, which of its claimed requests have become wrong to send. The
// worker claims deliveries ahead of the network (up to 8 x max_in_flight
// wait in its queue), so without this a delivery cancelled, or an endpoint
// disabled, deleted or pointed elsewhere, would still be sent from the queue
// with what the claim read. Withdrawn requests are never sent; their
// deliveries are claimed again (with the new endpoint) if they are still due.
//
// Posted at COMMIT (and at PREPARE, when the changed delivery rows stay
// locked, so no claim can take them meanwhile): before that, a claim still
// reads the old rows. A rollback posts nothing. Changes in a subtransaction
// rolled back later are posted too, which costs only a claim.
// An endpoint changed by a prepared transaction: PREPARE posts, and until
// COMMIT PREPARED the claim skips the endpoint, whose row that transaction
// holds locked (COMMIT PREPARED runs in a session that does not know what
// the transaction changed, so it could not post then).
#include <cstring>

#include "pg/error_boundary.hpp"
#include "worker/shared_state.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/uuid.h"
}

namespace {

using webhook::worker::Withdrawal;
using webhook::worker::WithdrawalKind;

// Withdrawals of the current transaction, listed one by one up to
// kPendingLimit. Beyond that (a bulk cancel, an endpoint's deliveries
// cancelled with it) the worker is asked to withdraw all queued requests of
// the workspaces concerned: one re-claim instead of a long list, and never
// another tenant's requests, unless more than kWorkspaceLimit workspaces
// changed at once (only an administrator's bulk change): then everything.
constexpr int kPendingLimit = 64;
constexpr int kWorkspaceLimit = 16;
static_assert(kPendingLimit <= webhook::worker::kWithdrawalSlots,
              "one transaction's withdrawals fit in the ring");
Withdrawal pending[kPendingLimit];
int pending_count = 0;
bool pending_overflowed = false;
Withdrawal workspaces[kWorkspaceLimit];
int workspace_count = 0;
bool workspaces_overflowed = false;
bool callback_registered = false;

void clear_pending() noexcept {
    pending_count = 0;
    pending_overflowed = false;
    workspace_count = 0;
    workspaces_overflowed = false;
}

void post_pending() noexcept {
    if (!pending_overflowed) {
        webhook::worker::post_withdrawals(pending, pending_count);
    } else if (!workspaces_overflowed) {
        webhook::worker::post_withdrawals(workspaces, workspace_count);
    } else {
        Withdrawal everything{};
        everything.database_id = MyDatabaseId;
        everything.kind = WithdrawalKind::kEverything;
        webhook::worker::post_withdrawals(&everything, 1);
    }
    clear_pending();
}

void on_transaction_end(XactEvent event, void*) noexcept {
    switch (event) {
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_PREPARE:
            post_pending();
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
            clear_pending();
            break;
        default:
            break;
    }
}

// Adds to `list` unless it is there already; false when the list is full.
bool add_distinct(Withdrawal* list, int& count, int limit, WithdrawalKind kind,
                  const pg_uuid_t* id) noexcept {
    for (int i = 0; i < count; ++i) {
        if (list[i].kind == kind && std::memcmp(list[i].id, id->data, UUID_LEN) == 0) return true;
    }
    if (count == limit) return false;
    list[count].database_id = MyDatabaseId;
    list[count].kind = kind;
    std::memcpy(list[count].id, id->data, UUID_LEN);
    ++count;
    return true;
}

void add_pending(WithdrawalKind kind, const pg_uuid_t* id, const pg_uuid_t* workspace) noexcept {
    if (!workspaces_overflowed && !add_distinct(workspaces, workspace_count, kWorkspaceLimit,
                                                WithdrawalKind::kWorkspace, workspace)) {
        workspaces_overflowed = true;
    }
    if (!pending_overflowed && !add_distinct(pending, pending_count, kPendingLimit, kind, id)) {
        pending_overflowed = true;
    }
}

// The uuid in column `name` of the trigger's row (which must have one).
const pg_uuid_t* uuid_column(TriggerData* trigger, const char* name) {
    TupleDesc descriptor = RelationGetDescr(trigger->tg_relation);
    int column = SPI_fnumber(descriptor, name);
    if (column <= 0 || TupleDescAttr(descriptor, column - 1)->atttypid != UUIDOID) {
        ereport(ERROR,
                (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                 errmsg("webhook.withdraw_queued_requests() needs a uuid column \"%s\"", name),
                 errhint("Use it on webhook.delivery or webhook.endpoint.")));
    }
    bool is_null = false;
    Datum value = heap_getattr(trigger->tg_trigtuple, column, descriptor, &is_null);
    return is_null ? nullptr : DatumGetUUIDP(value);
}

}  // namespace

// An AFTER ... FOR EACH ROW trigger; its one argument says what the row's
// id names: 'delivery' or 'endpoint'.
WEBHOOK_SQL_FUNCTION(webhook_withdraw_queued_requests) {
    webhook::pg::call_postgres([fcinfo] {
        if (!CALLED_AS_TRIGGER(fcinfo)) {
            ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                            errmsg("webhook.withdraw_queued_requests() is a trigger function"),
                            errhint("Use it in CREATE TRIGGER ... AFTER ... FOR EACH ROW.")));
        }
        TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
        if (!TRIGGER_FIRED_AFTER(trigger->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigger->tg_event) ||
            trigger->tg_trigger->tgnargs != 1) {
            ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                            errmsg("webhook.withdraw_queued_requests() must fire AFTER, FOR EACH "
                                   "ROW, with one argument"),
                            errhint("Pass 'delivery' or 'endpoint'.")));
        }
        const char* names = trigger->tg_trigger->tgargs[0];
        WithdrawalKind kind;
        if (strcmp(names, "delivery") == 0) {
            kind = WithdrawalKind::kDelivery;
        } else if (strcmp(names, "endpoint") == 0) {
            kind = WithdrawalKind::kEndpoint;
        } else {
            ereport(ERROR,
                    (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                     errmsg("unknown argument to webhook.withdraw_queued_requests(): %s", names),
                     errhint("Pass 'delivery' or 'endpoint'.")));
        }
        const pg_uuid_t* id = uuid_column(trigger, "id");
        const pg_uuid_t* workspace = uuid_column(trigger, "workspace_id");
        if (id == nullptr || workspace == nullptr) return;
        if (!callback_registered) {
            RegisterXactCallback(on_transaction_end, nullptr);
            callback_registered = true;
        }
        add_pending(kind, id, workspace);
    });
    return PointerGetDatum(nullptr);
}
