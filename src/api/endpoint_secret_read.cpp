// webhook.endpoint_secret(id): the one call that reveals a signing secret.
//
// Neither webhook_admin nor webhook_user may SELECT the secret columns. This
// function first looks the endpoint up as the caller, so that row-level
// security decides whether it is visible at all, and only then reads the
// secret as the owner of the table. A SECURITY DEFINER function could not do
// the first step: inside it the caller's identity, and so RLS, is gone.
//
// Nothing the caller controls may run with the owner's rights: the function
// is declared with SET search_path = pg_catalog, pg_temp, its queries name
// every operator by schema as well, and the owner's query runs as a
// restricted operation (no SET ROLE, no temporary objects).
#include <optional>

#include "pg/error_boundary.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/uuid.h"
}

namespace {

// Runs a query with one uuid parameter; the first column of the first row as
// text, or nullopt when no row came back.
std::optional<std::string> query_first_text(const char* sql, Datum id) {
    Oid argument_types[1] = {UUIDOID};
    Datum arguments[1] = {id};
    int status = webhook::pg::call_postgres([&] {
        return SPI_execute_with_args(sql, 1, argument_types, arguments, nullptr, true, 1);
    });
    if (status != SPI_OK_SELECT) {
        throw webhook::Error(webhook::sqlstate::kInternalError, "could not read endpoint");
    }
    if (SPI_processed == 0) return std::nullopt;
    char* value = webhook::pg::call_postgres(
        [] { return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1); });
    return std::string(value ? value : "");
}

// Restores the caller's user id however the scope is left.
class UserSwitch {
public:
    explicit UserSwitch(Oid user) {
        GetUserIdAndSecContext(&saved_user_, &saved_context_);
        SetUserIdAndSecContext(
            user, saved_context_ | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    }
    ~UserSwitch() { SetUserIdAndSecContext(saved_user_, saved_context_); }
    UserSwitch(const UserSwitch&) = delete;
    UserSwitch& operator=(const UserSwitch&) = delete;

private:
    Oid saved_user_;
    int saved_context_;
};

[[noreturn]] void refuse_not_found() {
    throw webhook::Error(webhook::sqlstate::kNoDataFound, "endpoint not found",
                         "No endpoint with this id is visible to the current role and "
                         "workspace.",
                         "Check the id, and the workspace the session acts in: the JWT's "
                         "workspace_id claim (PostgREST), else the webhook.workspace_id "
                         "setting.");
}

// As get_endpoint() refuses a NULL id.
[[noreturn]] void refuse_null_id() {
    throw webhook::Error(webhook::sqlstate::kNoDataFound, "endpoint not found",
                         "The id is NULL, and names no endpoint.",
                         "Pass the id of an endpoint, as create_endpoint or list_endpoints "
                         "returns it.");
}

}  // namespace

// Not STRICT: a NULL id names no endpoint, and is refused as get_endpoint()
// and endpoint_headers() refuse it, not answered with a NULL secret.
WEBHOOK_SQL_FUNCTION(webhook_endpoint_secret) {
    if (PG_ARGISNULL(0)) refuse_null_id();
    Datum id = PG_GETARG_DATUM(0);
    webhook::pg::call_postgres([] { SPI_connect(); });

    std::optional<std::string> secret;
    if (query_first_text("SELECT id FROM webhook.endpoint WHERE id OPERATOR(pg_catalog.=) $1",
                         id)) {
        auto owner = query_first_text(
            "SELECT relowner::pg_catalog.text FROM pg_catalog.pg_class "
            "WHERE oid OPERATOR(pg_catalog.=) 'webhook.endpoint'::pg_catalog.regclass "
            "AND $1 IS NOT NULL",
            id);
        UserSwitch as_owner(static_cast<Oid>(std::stoul(owner.value())));
        secret = query_first_text(
            "SELECT secret FROM webhook.endpoint WHERE id OPERATOR(pg_catalog.=) $1", id);
    }
    webhook::pg::call_postgres([] { SPI_finish(); });

    if (!secret) refuse_not_found();
    text* result = webhook::pg::call_postgres([&] {
        return cstring_to_text_with_len(secret->data(), static_cast<int>(secret->size()));
    });
    PG_RETURN_TEXT_P(result);
}
