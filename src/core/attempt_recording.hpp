// From what the network said about one attempt to the row values that record
// it: the delivery's next state (by the retry policy) and the attempt log's
// columns, with the response body cut to the configured limit.
#pragma once

#include <cstddef>
#include <string>

#include "core/delivery_batch.hpp"
#include "core/retry_policy.hpp"

namespace webhook {

struct AttemptObservation {
    int http_status = 0;  // 0: no response came
    std::string error;    // why no response came
    std::string response_body;
    std::optional<std::string> retry_after;
    Clock::time_point started_at;
    double duration_ms = 0;
};

PgTimestamp to_pg_timestamp(Clock::time_point time);
Clock::time_point from_pg_timestamp(PgTimestamp timestamp);

FinishedAttempt finish_attempt(const ClaimedDelivery& delivery,
                               const AttemptObservation& observation, const RetrySchedule& schedule,
                               Clock::time_point now, const UnitRandom& random,
                               std::size_t response_body_limit);

}  // namespace webhook
