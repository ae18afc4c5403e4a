#include "pg/cursor_signing_key.hpp"

#include <string>

#include "core/error.hpp"
#include "pg/error_boundary.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_authid_d.h"
#include "executor/spi.h"
#include "utils/lsyscache.h"
}

namespace webhook::pg {
namespace {

struct CachedKey {
    Oid table = InvalidOid;  // the table it was read from: a reinstall makes a new one
    std::vector<std::uint8_t> bytes;
};

CachedKey& cached() {
    static CachedKey key;
    return key;
}

// The key text, palloc'd, or nullptr when the table is empty. The caller is
// any role; the read runs as the bootstrap superuser, which nothing in this
// statement can abuse: it is a fixed SELECT with no user input.
char* read_key_as_superuser() {
    Oid saved_user = InvalidOid;
    int saved_context = 0;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID, saved_context | SECURITY_LOCAL_USERID_CHANGE |
                                                      SECURITY_RESTRICTED_OPERATION);
    char* text = nullptr;
    PG_TRY();
    {
        int status = SPI_execute("SELECT key FROM webhook.cursor_signing_key", true, 2);
        if (status == SPI_OK_SELECT && SPI_processed == 1) {
            text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
        }
    }
    PG_FINALLY();
    { SetUserIdAndSecContext(saved_user, saved_context); }
    PG_END_TRY();
    return text;
}

}  // namespace

const std::vector<std::uint8_t>& cursor_signing_key() {
    CachedKey& key = cached();
    Oid table = call_postgres([] {
        return get_relname_relid("cursor_signing_key", get_namespace_oid("webhook", false));
    });
    if (table != InvalidOid && table == key.table) return key.bytes;

    char* text = call_postgres([] { return read_key_as_superuser(); });
    if (!text || std::string(text).size() < 16) {
        throw Error(sqlstate::kObjectNotInPrerequisiteState, "cursor signing key is missing",
                    "The table webhook.cursor_signing_key must hold exactly one key of at least "
                    "16 characters.",
                    "Reinstall the extension, or insert a key: INSERT INTO "
                    "webhook.cursor_signing_key SELECT webhook.generate_secret().");
    }
    std::string bytes(text);
    key.bytes.assign(bytes.begin(), bytes.end());
    key.table = table;
    return key.bytes;
}

}  // namespace webhook::pg
