// What one attempt's outcome does to its delivery (issue 4, "What an outcome
// does to a delivery"). Pure: the clock and the jitter's randomness are
// passed in, so every rule is testable.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/retry_schedule.hpp"

namespace webhook {

// The states an attempt can lead to; the names are webhook.delivery_status labels.
enum class DeliveryStatus { delivered, retrying, rate_limited, dead_letter };
const char* delivery_status_label(DeliveryStatus status);

using Clock = std::chrono::system_clock;

inline constexpr std::chrono::seconds kMinRetryAfter{1};
inline constexpr std::chrono::hours kMaxRetryAfter{24};
inline constexpr double kRetryJitter = 0.2;  // +/- 20%

struct AttemptResult {
    int http_status = 0;                     // 0: no response came
    std::string error;                       // why no response came (the HTTP engine's text)
    std::optional<std::string> retry_after;  // the Retry-After header, if any
};

struct NextDeliveryState {
    DeliveryStatus status = DeliveryStatus::retrying;
    std::optional<Clock::time_point> next_attempt_at;  // none for delivered and dead_letter
    std::string last_error;                            // empty for delivered
};

// A uniform number in [0, 1): the source of the retry jitter.
using UnitRandom = std::function<double()>;

// A seeded pseudo-random source for production use (not thread-safe).
UnitRandom make_unit_random();

// attempt_count counts the attempt that produced result.
NextDeliveryState next_delivery_state(const AttemptResult& result, int attempt_count,
                                      int max_attempts, const RetrySchedule& schedule,
                                      Clock::time_point now, const UnitRandom& random);

// The wait before the next attempt after attempt number attempt_count: the
// schedule's interval at attempt_count - 1 (the last one once the schedule
// runs out), scaled by a factor in [0.8, 1.2).
std::chrono::milliseconds retry_wait(const RetrySchedule& schedule, int attempt_count,
                                     const UnitRandom& random);

// The wait a Retry-After value asks for (delta-seconds or an HTTP date),
// clamped to [1 s, 24 h]; nullopt when the value is neither.
std::optional<std::chrono::milliseconds> retry_after_wait(std::string_view value,
                                                          Clock::time_point now);

}  // namespace webhook
