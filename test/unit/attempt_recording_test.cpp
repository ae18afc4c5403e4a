#include "core/attempt_recording.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

webhook::ClaimedDelivery claimed(int attempt_number, int max_attempts) {
    webhook::ClaimedDelivery delivery{};
    delivery.attempt_number = attempt_number;
    delivery.max_attempts = max_attempts;
    delivery.claimed_version = 123456789;
    return delivery;
}

const webhook::RetrySchedule kSchedule = {1000ms, 2000ms};
const webhook::UnitRandom kMiddle = [] { return 0.5; };

TEST(FinishAttempt, ADeliveredAttemptKeepsTheCutBody) {
    webhook::AttemptObservation seen;
    seen.http_status = 200;
    seen.response_body = std::string(100, 'x');
    seen.started_at = webhook::Clock::now();
    seen.duration_ms = 12.5;
    auto now = webhook::Clock::now();
    auto finished = webhook::finish_attempt(claimed(1, 3), seen, kSchedule, now, kMiddle, 10);
    EXPECT_EQ(finished.status, "delivered");
    EXPECT_EQ(finished.http_status, 200);
    EXPECT_EQ(finished.response_body, std::string(10, 'x'));
    EXPECT_FALSE(finished.error);
    EXPECT_FALSE(finished.next_attempt_at);
    EXPECT_EQ(finished.claimed_version, 123456789);
    EXPECT_EQ(finished.attempt_number, 1);
    EXPECT_EQ(finished.duration_ms, 12.5);
}

TEST(FinishAttempt, NoResponseMeansNoStatusAndNoBody) {
    webhook::AttemptObservation seen;
    seen.error = "connection refused";
    auto now = webhook::Clock::now();
    auto finished = webhook::finish_attempt(claimed(1, 3), seen, kSchedule, now, kMiddle, 10);
    EXPECT_EQ(finished.status, "retrying");
    EXPECT_FALSE(finished.http_status);
    EXPECT_FALSE(finished.response_body);
    ASSERT_TRUE(finished.error);
    EXPECT_NE(finished.error->find("connection refused"), std::string::npos);
    ASSERT_TRUE(finished.next_attempt_at);
    EXPECT_EQ(*finished.next_attempt_at, webhook::to_pg_timestamp(now + 1000ms));
}

TEST(FinishAttempt, A2xxThatDidNotCompleteIsAFailure) {
    webhook::AttemptObservation seen;
    seen.http_status = 200;
    seen.error = "timed out after 1500 ms";
    auto finished =
        webhook::finish_attempt(claimed(2, 2), seen, kSchedule, webhook::Clock::now(), kMiddle, 10);
    EXPECT_EQ(finished.status, "dead_letter");
    EXPECT_EQ(finished.http_status, 200);
    ASSERT_TRUE(finished.error);
    EXPECT_NE(finished.error->find("did not complete"), std::string::npos);
}

TEST(FinishAttempt, InvalidUtf8InTheBodyIsMadeStorable) {
    webhook::AttemptObservation seen;
    seen.http_status = 500;
    seen.response_body = std::string("a\0b\xff", 4);
    auto finished = webhook::finish_attempt(claimed(1, 3), seen, kSchedule, webhook::Clock::now(),
                                            kMiddle, 100);
    EXPECT_EQ(finished.response_body,
              "a\xEF\xBF\xBD"
              "b\xEF\xBF\xBD");
}

// libcurl passes any three-digit status: one above 599 is no HTTP status,
// and last_error says so, while the attempt fails as it did before (by the
// retry schedule, the status kept as it came).
TEST(FinishAttempt, AStatusAbove599IsNamedInvalid) {
    for (int status : {600, 999}) {
        webhook::AttemptObservation seen;
        seen.http_status = status;
        seen.response_body = "odd";
        auto now = webhook::Clock::now();
        auto retried = webhook::finish_attempt(claimed(1, 3), seen, kSchedule, now, kMiddle, 10);
        EXPECT_EQ(retried.status, "retrying");
        EXPECT_EQ(retried.http_status, status);
        EXPECT_EQ(retried.response_body, "odd");
        ASSERT_TRUE(retried.next_attempt_at);
        EXPECT_EQ(*retried.next_attempt_at, webhook::to_pg_timestamp(now + 1000ms));
        EXPECT_EQ(retried.error,
                  "HTTP " + std::to_string(status) + " (not a valid HTTP status code)");
        auto last = webhook::finish_attempt(claimed(3, 3), seen, kSchedule, now, kMiddle, 10);
        EXPECT_EQ(last.status, "dead_letter");
        EXPECT_EQ(last.error, "HTTP " + std::to_string(status) +
                                  " (not a valid HTTP status code); gave up after 3 attempts");
    }
    webhook::AttemptObservation valid;
    valid.http_status = 599;
    auto finished = webhook::finish_attempt(claimed(1, 3), valid, kSchedule,
                                            webhook::Clock::now(), kMiddle, 10);
    EXPECT_EQ(finished.error, "HTTP 599");
}

TEST(PgTimestamp, RoundTripsAndUsesThe2000Epoch) {
    auto epoch2000 = webhook::Clock::from_time_t(946684800);
    EXPECT_EQ(webhook::to_pg_timestamp(epoch2000), 0);
    auto now = std::chrono::time_point_cast<std::chrono::microseconds>(webhook::Clock::now());
    EXPECT_EQ(webhook::from_pg_timestamp(webhook::to_pg_timestamp(now)), now);
}

}  // namespace
