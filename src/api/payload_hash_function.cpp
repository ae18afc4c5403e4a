// webhook.payload_hash(jsonb): the hex SHA-256 of the body a payload is sent
// as, its JSON text in UTF-8 (the bytes of convert_to(payload::text, 'UTF8'),
// which the worker sends). The delivery table computes it for every row it
// stores (a generated column); in C it costs a digest, where a SQL function
// could not be inlined there (its body is only stable) and ran as a query.
//
// It also refuses a body over kMaxPayloadBytes, for every row however it is
// written (publish or a plain INSERT): the worker holds the bodies of all the
// deliveries it has claimed ahead of the network (up to 8 x max_in_flight),
// and unbounded payloads let one tenant exhaust its memory.
#include <string>

#include "pg/error_boundary.hpp"

extern "C" {
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

namespace {

constexpr int kMaxPayloadBytes = 1024 * 1024;

}  // namespace

WEBHOOK_SQL_FUNCTION(webhook_payload_hash) {
    int too_long = 0;
    text* hash = webhook::pg::call_postgres([fcinfo, &too_long]() -> text* {
        Jsonb* payload = PG_GETARG_JSONB_P(0);
        char* json = JsonbToCString(nullptr, &payload->root, VARSIZE(payload));
        int length = static_cast<int>(strlen(json));
        char* body = pg_server_to_any(json, length, PG_UTF8);
        if (body != json) length = static_cast<int>(strlen(body));
        if (length > kMaxPayloadBytes) {
            too_long = length;
            return nullptr;
        }

        uint8 digest[PG_SHA256_DIGEST_LENGTH];
        pg_cryptohash_ctx* context = pg_cryptohash_create(PG_SHA256);
        if (pg_cryptohash_init(context) < 0 ||
            pg_cryptohash_update(context, reinterpret_cast<const uint8*>(body), length) < 0 ||
            pg_cryptohash_final(context, digest, sizeof digest) < 0) {
            const char* reason = pg_cryptohash_error(context);
            pg_cryptohash_free(context);
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg("could not compute the SHA-256 of a payload: %s", reason)));
        }
        pg_cryptohash_free(context);

        char hex[PG_SHA256_DIGEST_LENGTH * 2];
        uint64 hex_length = hex_encode(reinterpret_cast<const char*>(digest), sizeof digest, hex);
        return cstring_to_text_with_len(hex, static_cast<int>(hex_length));
    });
    if (too_long > 0) {
        throw webhook::Error(
            webhook::sqlstate::kInvalidParameterValue, "payload is too large",
            "Its JSON text is " + std::to_string(too_long) + " bytes; the limit is " +
                std::to_string(kMaxPayloadBytes) + " bytes (1 MiB).",
            "Send a smaller event, such as the ids a receiver fetches the rest with.");
    }
    PG_RETURN_TEXT_P(hash);
}
