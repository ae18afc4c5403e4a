// SQL-callable helpers behind the endpoint API: validation of URLs and
// secrets, secret generation, the default attempt count, and reading a secret.
#include "core/endpoint_secret.hpp"
#include "core/endpoint_url.hpp"
#include "core/retry_schedule.hpp"
#include "pg/error_boundary.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "executor/spi.h"
#include "utils/uuid.h"
}

namespace {

std::string text_argument(FunctionCallInfo fcinfo, int index) {
    text* value = PG_GETARG_TEXT_PP(index);
    return std::string(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

}  // namespace

// Raises 22023 for anything but an absolute http(s) URL; true otherwise.
WEBHOOK_SQL_FUNCTION(webhook_check_url) {
    webhook::validate_endpoint_url(text_argument(fcinfo, 0));
    PG_RETURN_BOOL(true);
}

// Raises 22023 for anything but a whsec_ secret of 24..64 bytes; true otherwise.
WEBHOOK_SQL_FUNCTION(webhook_check_secret) {
    webhook::decode_endpoint_secret(text_argument(fcinfo, 0));
    PG_RETURN_BOOL(true);
}

WEBHOOK_SQL_FUNCTION(webhook_generate_secret) {
    (void)fcinfo;
    std::string secret = webhook::generate_endpoint_secret();
    text* result = webhook::pg::call_postgres([&] {
        return cstring_to_text_with_len(secret.data(), static_cast<int>(secret.size()));
    });
    PG_RETURN_TEXT_P(result);
}

WEBHOOK_SQL_FUNCTION(webhook_default_max_attempts) {
    (void)fcinfo;
    PG_RETURN_INT32(webhook::default_max_attempts(webhook::pg::current_retry_schedule()));
}
