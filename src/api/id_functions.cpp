// SQL-callable id generation: time-ordered delivery ids (UUIDv7 layout).
#include <chrono>
#include <cstring>

#include "core/random_bytes.hpp"
#include "core/uuid_v7.hpp"
#include "pg/error_boundary.hpp"

extern "C" {
#include "utils/uuid.h"
}

namespace {

// One generator per backend keeps the ids a backend makes strictly increasing.
webhook::UuidV7Generator& backend_generator() {
    static webhook::UuidV7Generator generator;
    return generator;
}

}  // namespace

WEBHOOK_SQL_FUNCTION(webhook_uuid_generate_v7) {
    (void)fcinfo;
    using namespace std::chrono;
    auto now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    std::array<std::uint8_t, 8> tail;
    webhook::fill_random(tail.data(), tail.size());
    webhook::Uuid id = backend_generator().next(static_cast<std::uint64_t>(now_ms), tail);

    auto* result = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
    std::memcpy(result->data, id.data(), UUID_LEN);
    return UUIDPGetDatum(result);
}
