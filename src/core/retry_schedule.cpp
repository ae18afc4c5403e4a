#include "core/retry_schedule.hpp"

#include <cctype>
#include <cstdint>

#include "core/error.hpp"
#include "core/text_trim.hpp"

namespace webhook {
namespace {

const char* const kScheduleHint =
    "Write the waits between attempts as a comma-separated list of numbers with a unit "
    "(ms, s, m, h or d), for example \"5s,5m,30m,2h\".";

constexpr std::int64_t kMaxIntervalMs = 7LL * 24 * 3600 * 1000;

[[noreturn]] void refuse(std::string_view item, const std::string& why) {
    throw Error::invalid_parameter("invalid retry schedule",
                                   "The item \"" + std::string(item) + "\" " + why, kScheduleHint);
}

std::chrono::milliseconds parse_interval(std::string_view item) {
    std::size_t digits = 0;
    std::int64_t value = 0;
    while (digits < item.size() && std::isdigit(static_cast<unsigned char>(item[digits]))) {
        value = value * 10 + (item[digits] - '0');
        if (value > kMaxIntervalMs) refuse(item, "is longer than 7 days.");
        ++digits;
    }
    if (digits == 0) refuse(item, "does not start with a number.");
    std::string_view unit = item.substr(digits);
    std::int64_t scale;
    if (unit == "ms") {
        scale = 1;
    } else if (unit == "s") {
        scale = 1000;
    } else if (unit == "m") {
        scale = 60 * 1000;
    } else if (unit == "h") {
        scale = 3600 * 1000;
    } else if (unit == "d") {
        scale = 24 * 3600 * 1000;
    } else {
        refuse(item, "has no known unit.");
    }
    std::int64_t ms = value * scale;
    if (ms <= 0) refuse(item, "is not longer than zero.");
    if (ms > kMaxIntervalMs) refuse(item, "is longer than 7 days.");
    return std::chrono::milliseconds(ms);
}

}  // namespace

RetrySchedule parse_retry_schedule(std::string_view text) {
    RetrySchedule schedule;
    if (trim_whitespace(text).empty()) {
        throw Error::invalid_parameter("invalid retry schedule", "The schedule is empty.",
                                       kScheduleHint);
    }
    while (true) {
        std::size_t comma = text.find(',');
        schedule.push_back(parse_interval(trim_whitespace(text.substr(0, comma))));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    if (schedule.size() > 100) {
        throw Error::invalid_parameter("invalid retry schedule",
                                       "The schedule has more than 100 intervals.", kScheduleHint);
    }
    return schedule;
}

}  // namespace webhook
