// What the worker claims from the database and what it records back: plain
// C++ values, so that nothing of Postgres lives across network I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/uuid_v7.hpp"

namespace webhook {

using UuidBytes = Uuid;

// Microseconds since 2000-01-01 UTC, as Postgres stores a timestamptz.
using PgTimestamp = std::int64_t;

// A claimed delivery, with everything its request needs.
struct ClaimedDelivery {
    UuidBytes id;
    UuidBytes workspace_id;
    UuidBytes endpoint_id;
    int attempt_number;  // the attempt about to be made, 1-based
    int max_attempts;
    PgTimestamp claimed_version;  // updated_at as claimed: the result lands only on it
    std::string url;
    std::string secret;
    std::optional<std::string> previous_secret;  // while the rotation grace lasts
    int timeout_ms = 0;  // 0: the endpoint sets none; webhook.request_timeout applies
    std::vector<std::string> headers;  // the endpoint's extra headers, "name: value"
    std::string body;                  // the exact bytes whose SHA-256 is payload_hash
};

// A finished attempt and the state it moves its delivery to.
struct FinishedAttempt {
    UuidBytes id;
    UuidBytes workspace_id;
    UuidBytes endpoint_id;
    PgTimestamp claimed_version;
    int attempt_number;
    std::string status;  // a webhook.delivery_status label
    std::optional<PgTimestamp> next_attempt_at;
    std::optional<int> http_status;
    std::optional<std::string> error;
    std::optional<std::string> response_body;
    PgTimestamp started_at;
    double duration_ms;
};

}  // namespace webhook
