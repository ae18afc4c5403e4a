// The retry schedule: the waits between attempts, written as a list such as
// "5s,5m,30m,2h,5h,10h,10h" (units ms, s, m, h, d).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace webhook {

inline constexpr const char* kDefaultRetrySchedule = "5s,5m,30m,2h,5h,10h,10h";

using RetrySchedule = std::vector<std::chrono::milliseconds>;

// Throws Error 22023 naming the bad item, with a hint showing the format.
RetrySchedule parse_retry_schedule(std::string_view text);

// A delivery's attempts when its endpoint sets none: the first attempt plus
// one per interval of the schedule.
inline int default_max_attempts(const RetrySchedule& schedule) {
    return static_cast<int>(schedule.size()) + 1;
}

}  // namespace webhook
