#include "core/attempt_recording.hpp"

#include "core/utf8_text.hpp"

namespace webhook {
namespace {

// Microseconds between the Unix epoch and the Postgres epoch (2000-01-01).
constexpr std::int64_t kPostgresEpochOffsetUs = 946684800LL * 1000000;

}  // namespace

PgTimestamp to_pg_timestamp(Clock::time_point time) {
    auto unix_us =
        std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
    return unix_us - kPostgresEpochOffsetUs;
}

Clock::time_point from_pg_timestamp(PgTimestamp timestamp) {
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
        std::chrono::microseconds(timestamp + kPostgresEpochOffsetUs)));
}

FinishedAttempt finish_attempt(const ClaimedDelivery& delivery,
                               const AttemptObservation& observation, const RetrySchedule& schedule,
                               Clock::time_point now, const UnitRandom& random,
                               std::size_t response_body_limit) {
    AttemptResult result;
    result.http_status = observation.http_status;
    result.error = observation.error;
    result.retry_after = observation.retry_after;
    bool incomplete_success = observation.http_status >= 200 && observation.http_status <= 299 &&
                              !observation.error.empty();
    if (incomplete_success) {
        // A 2xx whose response never finished (it trickled past the timeout,
        // say) is not a delivery: the receiver may not have processed it.
        result.http_status = 0;
        result.error = "HTTP " + std::to_string(observation.http_status) +
                       " but the response did not complete: " + observation.error;
    }
    const bool invalid_status = observation.http_status != 0 &&
                                (observation.http_status < 100 || observation.http_status > 599);
    if (invalid_status) {
        // HTTP status codes run from 100 to 599 (RFC 9110 section 15);
        // libcurl passes any three digits. Such an answer fails like one
        // with no status at all, and last_error says why.
        result.http_status = 0;
        result.error =
            "HTTP " + std::to_string(observation.http_status) + " (not a valid HTTP status code)";
        if (!observation.error.empty()) result.error += "; " + observation.error;
    }
    NextDeliveryState next = next_delivery_state(result, delivery.attempt_number,
                                                 delivery.max_attempts, schedule, now, random);

    FinishedAttempt finished;
    finished.id = delivery.id;
    finished.workspace_id = delivery.workspace_id;
    finished.endpoint_id = delivery.endpoint_id;
    finished.claimed_version = delivery.claimed_version;
    finished.attempt_number = delivery.attempt_number;
    finished.status = delivery_status_label(next.status);
    if (next.next_attempt_at) finished.next_attempt_at = to_pg_timestamp(*next.next_attempt_at);
    if (observation.http_status != 0) {
        finished.http_status = observation.http_status;
        finished.response_body = to_storable_text(observation.response_body, response_body_limit);
    }
    if (!next.last_error.empty()) finished.error = to_storable_text(next.last_error, 2000);
    finished.started_at = to_pg_timestamp(observation.started_at);
    finished.duration_ms = observation.duration_ms;
    return finished;
}

}  // namespace webhook
