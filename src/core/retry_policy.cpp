#include "core/retry_policy.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>

#include "core/http_date.hpp"
#include "core/random_bytes.hpp"
#include "core/text_trim.hpp"

namespace webhook {
namespace {

using std::chrono::milliseconds;

const char* reason_phrase(int status) {
    switch (status) {
        case 300:
            return "Multiple Choices";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 413:
            return "Content Too Large";
        case 415:
            return "Unsupported Media Type";
        case 422:
            return "Unprocessable Content";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return nullptr;
    }
}

std::string describe_status(int status) {
    std::string text = "HTTP " + std::to_string(status);
    if (const char* phrase = reason_phrase(status)) {
        text += ' ';
        text += phrase;
    }
    return text;
}

// The statuses that send a client elsewhere with a Location (RFC 9110
// section 15.4). 304 Not Modified, 305 and 306 are 3xx without being one.
bool is_redirect(int status) {
    return status == 300 || status == 301 || status == 302 || status == 303 || status == 307 ||
           status == 308;
}

std::string describe_wait(milliseconds wait) {
    if (wait % std::chrono::seconds(1) == milliseconds(0)) {
        return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count()) +
               " s";
    }
    return std::to_string(wait.count()) + " ms";
}

milliseconds clamp_retry_after(milliseconds wait) {
    return std::clamp<milliseconds>(wait, kMinRetryAfter, kMaxRetryAfter);
}

}  // namespace

const char* delivery_status_label(DeliveryStatus status) {
    switch (status) {
        case DeliveryStatus::delivered:
            return "delivered";
        case DeliveryStatus::retrying:
            return "retrying";
        case DeliveryStatus::rate_limited:
            return "rate_limited";
        case DeliveryStatus::dead_letter:
            return "dead_letter";
    }
    return "retrying";
}

UnitRandom make_unit_random() {
    std::uint64_t seed = 0;
    fill_random(reinterpret_cast<std::uint8_t*>(&seed), sizeof seed);
    auto engine = std::make_shared<std::mt19937_64>(seed);
    return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

milliseconds retry_wait(const RetrySchedule& schedule, int attempt_count,
                        const UnitRandom& random) {
    if (schedule.empty()) return milliseconds(0);
    const std::size_t index = std::min<std::size_t>(
        static_cast<std::size_t>(std::max(attempt_count, 1) - 1), schedule.size() - 1);
    double unit = random();
    unit = std::clamp(unit, 0.0, 1.0);
    const double factor = 1.0 - kRetryJitter + 2.0 * kRetryJitter * unit;
    const double wait = std::floor(static_cast<double>(schedule[index].count()) * factor);
    return milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(wait)));
}

std::optional<milliseconds> retry_after_wait(std::string_view value, Clock::time_point now) {
    value = trim_whitespace(value);
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        // delta-seconds (1*DIGIT, so leading zeros are allowed); anything
        // with more than 6 significant digits is beyond the clamp anyway.
        value.remove_prefix(std::min(value.find_first_not_of('0'), value.size()));
        if (value.size() > 6) return milliseconds(kMaxRetryAfter);
        std::int64_t seconds = 0;
        for (char c : value) seconds = seconds * 10 + (c - '0');
        return clamp_retry_after(std::chrono::seconds(seconds));
    }
    std::optional<HttpDateTime> at = parse_http_date(value, now);
    if (!at) return std::nullopt;
    // In milliseconds, where every year an HTTP date can name fits.
    return clamp_retry_after(*at - std::chrono::time_point_cast<milliseconds>(now));
}

NextDeliveryState next_delivery_state(const AttemptResult& result, int attempt_count,
                                      int max_attempts, const RetrySchedule& schedule,
                                      Clock::time_point now, const UnitRandom& random) {
    const int status = result.http_status;
    NextDeliveryState next;
    if (status >= 200 && status <= 299) {
        next.status = DeliveryStatus::delivered;
        return next;
    }

    std::optional<milliseconds> asked_wait;
    if (result.retry_after && (status == 429 || status == 503)) {
        asked_wait = retry_after_wait(*result.retry_after, now);
    }
    const bool rate_limited = status == 429 || (status == 503 && asked_wait);

    if (status == 0) {
        next.last_error = result.error.empty() ? "no response" : result.error;
    } else {
        next.last_error = describe_status(status);
        if (is_redirect(status)) next.last_error += "; redirects are not followed";
    }

    if (attempt_count >= max_attempts) {
        next.status = DeliveryStatus::dead_letter;
        next.last_error += "; gave up after " + std::to_string(attempt_count) +
                           (attempt_count == 1 ? " attempt" : " attempts");
        return next;
    }

    milliseconds wait;
    if (asked_wait) {
        wait = *asked_wait;
        next.last_error += "; Retry-After: " + std::string(trim_whitespace(*result.retry_after)) +
                           " (waiting " + describe_wait(wait) + ")";
    } else {
        wait = retry_wait(schedule, attempt_count, random);
        if (status == 429)
            next.last_error += "; no usable Retry-After, waiting per the retry schedule";
    }
    next.status = rate_limited ? DeliveryStatus::rate_limited : DeliveryStatus::retrying;
    next.next_attempt_at = now + wait;
    return next;
}

}  // namespace webhook
