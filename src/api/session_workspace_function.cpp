// webhook.session_workspace_id(value, source): the workspace a session names,
// read from PostgREST's workspace_id claim or from the webhook.workspace_id
// setting. A value that is not a uuid is refused with an error that says
// where it came from and how to fix it, instead of the bare uuid syntax
// error of a cast, which named neither. And webhook.sees_every_workspace():
// whether the caller is kept to that workspace.
#include <string>

#include "core/error.hpp"
#include "pg/error_boundary.hpp"
#include "pg/workspace_visibility.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/uuid.h"
}

namespace {

using webhook::Error;

// The value is not echoed: a claim or setting may hold anything, and the
// error reaches logs.
Error not_a_uuid(const std::string& source) {
    if (source == "claim") {
        return Error(webhook::sqlstate::kInvalidTextRepresentation,
                     "the workspace_id claim is not a uuid",
                     "request.jwt.claims names the workspace this request acts in; its "
                     "workspace_id must be a workspace's uuid, or empty for none.",
                     "Issue tokens whose workspace_id claim is the uuid of a workspace.");
    }
    return Error(webhook::sqlstate::kInvalidTextRepresentation,
                 "webhook.workspace_id is not a uuid",
                 "The setting names the workspace this session acts in; it must be a "
                 "workspace's uuid, or empty for none.",
                 "SET webhook.workspace_id to the uuid of a workspace, or RESET it.");
}

}  // namespace

WEBHOOK_SQL_FUNCTION(webhook_session_workspace_id) {
    Datum value = PG_GETARG_DATUM(0);
    Datum source_datum = PG_GETARG_DATUM(1);
    std::string source = webhook::pg::call_postgres(
        [&] { return text_to_cstring(reinterpret_cast<text*>(DatumGetPointer(source_datum))); });
    char* c_value = webhook::pg::call_postgres(
        [&] { return text_to_cstring(reinterpret_cast<text*>(DatumGetPointer(value))); });
    try {
        return webhook::pg::call_postgres(
            [&] { return DirectFunctionCall1(uuid_in, CStringGetDatum(c_value)); });
    } catch (const Error& error) {
        if (error.sqlstate() != webhook::sqlstate::kInvalidTextRepresentation) throw;
        throw not_a_uuid(source);
    }
}

// For SQL (worker_status, check_session_workspace), so that count_deliveries
// and they share one definition.
WEBHOOK_SQL_FUNCTION(webhook_sees_every_workspace) {
    (void)fcinfo;
    PG_RETURN_BOOL(webhook::pg::caller_sees_every_workspace());
}
