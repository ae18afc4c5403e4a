#include "core/retry_policy.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace std::chrono_literals;
using webhook::AttemptResult;
using webhook::DeliveryStatus;
using webhook::NextDeliveryState;

namespace {

const webhook::Clock::time_point kNow = webhook::Clock::time_point(1'800'000'000s);
const webhook::RetrySchedule kSchedule = {5s, 5min, 30min};

webhook::UnitRandom fixed_random(double value) {
    return [value] { return value; };
}

NextDeliveryState decide(const AttemptResult& result, int attempt_count, int max_attempts = 4,
                         double unit = 0.5) {
    return webhook::next_delivery_state(result, attempt_count, max_attempts, kSchedule, kNow,
                                        fixed_random(unit));
}

AttemptResult response(int status, std::optional<std::string> retry_after = std::nullopt) {
    AttemptResult result;
    result.http_status = status;
    result.retry_after = std::move(retry_after);
    return result;
}

AttemptResult no_response(std::string error) {
    AttemptResult result;
    result.error = std::move(error);
    return result;
}

}  // namespace

TEST(RetryPolicy, StatusLabelsMatchTheSqlEnum) {
    EXPECT_STREQ(webhook::delivery_status_label(DeliveryStatus::delivered), "delivered");
    EXPECT_STREQ(webhook::delivery_status_label(DeliveryStatus::retrying), "retrying");
    EXPECT_STREQ(webhook::delivery_status_label(DeliveryStatus::rate_limited), "rate_limited");
    EXPECT_STREQ(webhook::delivery_status_label(DeliveryStatus::dead_letter), "dead_letter");
}

TEST(RetryPolicy, AnyTwoHundredIsDelivered) {
    for (int status : {200, 201, 202, 204, 299}) {
        for (int attempt : {1, 4}) {  // also on the last allowed attempt
            NextDeliveryState next = decide(response(status), attempt);
            EXPECT_EQ(next.status, DeliveryStatus::delivered) << status;
            EXPECT_FALSE(next.next_attempt_at.has_value());
            EXPECT_TRUE(next.last_error.empty());
        }
    }
}

TEST(RetryPolicy, OtherStatusesRetryOnTheSchedule) {
    for (int status :
         {100, 199, 300, 301, 302, 304, 307, 308, 400, 404, 410, 418, 500, 502, 503, 504, 599}) {
        NextDeliveryState next = decide(response(status), 1);
        EXPECT_EQ(next.status, DeliveryStatus::retrying) << status;
        ASSERT_TRUE(next.next_attempt_at.has_value()) << status;
        EXPECT_EQ(*next.next_attempt_at, kNow + 5s) << status;  // unit 0.5: no jitter
        EXPECT_EQ(next.last_error.rfind("HTTP " + std::to_string(status), 0), 0u)
            << next.last_error;
    }
    EXPECT_EQ(decide(response(500), 1).last_error, "HTTP 500 Internal Server Error");
    EXPECT_EQ(decide(response(302), 1).last_error, "HTTP 302 Found; redirects are not followed");
    // Only a status that asks to be sent elsewhere (with a Location) is a
    // redirect; 304 Not Modified, 305, 306 and unassigned 3xx codes are not.
    for (int status : {301, 302, 303, 307, 308}) {
        EXPECT_NE(decide(response(status), 1).last_error.find("redirects are not followed"),
                  std::string::npos)
            << status;
    }
    for (int status : {304, 305, 306, 309, 399}) {
        EXPECT_EQ(decide(response(status), 1).last_error.find("redirect"), std::string::npos)
            << status;
    }
    EXPECT_EQ(decide(response(304), 1).last_error, "HTTP 304 Not Modified");
}

TEST(RetryPolicy, FailuresWithoutResponseRetryWithTheEngineError) {
    for (const char* error :
         {"timed out after 15000 ms", "Failed to connect to 127.0.0.1 port 1: Connection refused",
          "Could not resolve host: nowhere.invalid",
          "address 127.0.0.1 is not allowed (loopback 127.0.0.0/8); webhook.allowed_networks can "
          "allow it"}) {
        NextDeliveryState next = decide(no_response(error), 2);
        EXPECT_EQ(next.status, DeliveryStatus::retrying);
        EXPECT_EQ(next.last_error, error);
        ASSERT_TRUE(next.next_attempt_at.has_value());
        EXPECT_EQ(*next.next_attempt_at, kNow + 5min);
    }
    EXPECT_EQ(decide(no_response(""), 1).last_error, "no response");
}

TEST(RetryPolicy, WaitsFollowTheScheduleAndReuseItsLastInterval) {
    EXPECT_EQ(*decide(response(500), 1, 10).next_attempt_at, kNow + 5s);
    EXPECT_EQ(*decide(response(500), 2, 10).next_attempt_at, kNow + 5min);
    EXPECT_EQ(*decide(response(500), 3, 10).next_attempt_at, kNow + 30min);
    EXPECT_EQ(*decide(response(500), 4, 10).next_attempt_at, kNow + 30min);
    EXPECT_EQ(*decide(response(500), 9, 10).next_attempt_at, kNow + 30min);
}

TEST(RetryPolicy, JitterStaysWithinTwentyPercent) {
    const webhook::RetrySchedule schedule = {10s};
    EXPECT_EQ(webhook::retry_wait(schedule, 1, fixed_random(0.0)), 8s);
    EXPECT_EQ(webhook::retry_wait(schedule, 1, fixed_random(0.5)), 10s);
    EXPECT_EQ(webhook::retry_wait(schedule, 1, fixed_random(0.25)), 9s);
    EXPECT_LT(webhook::retry_wait(schedule, 1, fixed_random(0.999999999)), 12s);
    EXPECT_GE(webhook::retry_wait(schedule, 1, fixed_random(0.999999999)), 11999ms);

    // The real source spreads the waits over the whole band and never leaves it.
    webhook::UnitRandom random = webhook::make_unit_random();
    std::set<std::int64_t> tenths;
    for (int i = 0; i < 2000; ++i) {
        std::chrono::milliseconds wait = webhook::retry_wait(schedule, 1, random);
        ASSERT_GE(wait, 8s);
        ASSERT_LT(wait, 12s);
        tenths.insert((wait.count() - 8000) / 400);
    }
    EXPECT_EQ(tenths.size(), 10u) << "the jitter does not cover the band";
}

TEST(RetryPolicy, TooManyRequestsIsRateLimitedPerRetryAfterSeconds) {
    NextDeliveryState next = decide(response(429, "30"), 1);
    EXPECT_EQ(next.status, DeliveryStatus::rate_limited);
    EXPECT_EQ(*next.next_attempt_at, kNow + 30s);  // no jitter on an explicit wait
    EXPECT_EQ(next.last_error, "HTTP 429 Too Many Requests; Retry-After: 30 (waiting 30 s)");
}

TEST(RetryPolicy, RetryAfterAcceptsAnHttpDate) {
    // kNow is 2027-01-15 08:00:00 UTC.
    NextDeliveryState next = decide(response(429, "Fri, 15 Jan 2027 08:02:00 GMT"), 1);
    EXPECT_EQ(next.status, DeliveryStatus::rate_limited);
    EXPECT_EQ(*next.next_attempt_at, kNow + 120s);
    NextDeliveryState rfc850 = decide(response(429, "Friday, 15-Jan-27 08:00:10 GMT"), 1);
    EXPECT_EQ(*rfc850.next_attempt_at, kNow + 10s);
}

TEST(RetryPolicy, RetryAfterIsClampedToOneSecondAndOneDay) {
    EXPECT_EQ(*decide(response(429, "0"), 1).next_attempt_at, kNow + 1s);
    EXPECT_EQ(*decide(response(429, "86401"), 1).next_attempt_at, kNow + 24h);
    EXPECT_EQ(*decide(response(429, "99999999999999999999"), 1).next_attempt_at, kNow + 24h);
    EXPECT_EQ(*decide(response(429, "Thu, 01 Jan 1970 00:00:00 GMT"), 1).next_attempt_at,
              kNow + 1s);
    EXPECT_EQ(*decide(response(429, "Fri, 31 Dec 2060 12:00:00 GMT"), 1).next_attempt_at,
              kNow + 24h);
    EXPECT_EQ(webhook::retry_after_wait(" 7 ", kNow), std::chrono::milliseconds(7s));
}

// Dates past 2262 do not fit the system clock's nanoseconds: the wait they
// ask for must still be clamped to a day, not wrap around to a second.
TEST(RetryPolicy, RetryAfterDatesFarInTheFutureAreClampedToOneDay) {
    for (const char* date : {"Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 2300 00:00:00 GMT",
                             "Sun Jan  1 00:00:00 5000"}) {
        EXPECT_EQ(webhook::retry_after_wait(date, kNow), std::chrono::milliseconds(24h)) << date;
    }
    EXPECT_EQ(webhook::retry_after_wait("Mon, 01 Jan 0001 00:00:00 GMT", kNow),
              std::chrono::milliseconds(1s));
}

// delta-seconds is 1*DIGIT: leading zeros do not make a wait longer.
TEST(RetryPolicy, RetryAfterSecondsMayHaveLeadingZeros) {
    EXPECT_EQ(webhook::retry_after_wait("0000005", kNow), std::chrono::milliseconds(5s));
    EXPECT_EQ(webhook::retry_after_wait("00000000000000000030", kNow),
              std::chrono::milliseconds(30s));
    EXPECT_EQ(webhook::retry_after_wait("0000000", kNow), std::chrono::milliseconds(1s));
    EXPECT_EQ(webhook::retry_after_wait("0001000000", kNow), std::chrono::milliseconds(24h));
}

TEST(RetryPolicy, TooManyRequestsWithoutUsableRetryAfterWaitsPerSchedule) {
    for (std::optional<std::string> header :
         {std::optional<std::string>{}, std::optional<std::string>{"soon"},
          std::optional<std::string>{"-5"}, std::optional<std::string>{"1.5"}}) {
        NextDeliveryState next = decide(response(429, header), 2);
        EXPECT_EQ(next.status, DeliveryStatus::rate_limited);
        EXPECT_EQ(*next.next_attempt_at, kNow + 5min);
        EXPECT_NE(next.last_error.find("no usable Retry-After"), std::string::npos);
    }
}

TEST(RetryPolicy, ServiceUnavailableIsRateLimitedOnlyWithRetryAfter) {
    NextDeliveryState with = decide(response(503, "12"), 1);
    EXPECT_EQ(with.status, DeliveryStatus::rate_limited);
    EXPECT_EQ(*with.next_attempt_at, kNow + 12s);
    NextDeliveryState without = decide(response(503), 1);
    EXPECT_EQ(without.status, DeliveryStatus::retrying);
    EXPECT_EQ(*without.next_attempt_at, kNow + 5s);
    NextDeliveryState unusable = decide(response(503, "later"), 1);
    EXPECT_EQ(unusable.status, DeliveryStatus::retrying);
    // Retry-After on other statuses does not matter.
    NextDeliveryState other = decide(response(500, "12"), 1);
    EXPECT_EQ(other.status, DeliveryStatus::retrying);
    EXPECT_EQ(*other.next_attempt_at, kNow + 5s);
}

TEST(RetryPolicy, TheLastAllowedAttemptDeadLetters) {
    for (const AttemptResult& result : {response(500), response(429, "30"), response(503, "30"),
                                        response(302), no_response("timed out after 15000 ms")}) {
        NextDeliveryState next = decide(result, 4, 4);
        EXPECT_EQ(next.status, DeliveryStatus::dead_letter) << next.last_error;
        EXPECT_FALSE(next.next_attempt_at.has_value());
        EXPECT_NE(next.last_error.find("gave up after 4 attempts"), std::string::npos)
            << next.last_error;
        EXPECT_EQ(decide(result, 3, 4).status == DeliveryStatus::dead_letter, false);
    }
    EXPECT_EQ(decide(response(500), 1, 1).last_error,
              "HTTP 500 Internal Server Error; gave up after 1 attempt");
    // Beyond max_attempts (max lowered meanwhile) is dead too.
    EXPECT_EQ(decide(response(500), 6, 4).status, DeliveryStatus::dead_letter);
}
