#include "core/retry_schedule.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;

TEST(RetrySchedule, ParsesTheDefault) {
    webhook::RetrySchedule schedule = webhook::parse_retry_schedule(webhook::kDefaultRetrySchedule);
    ASSERT_EQ(schedule.size(), 7u);
    EXPECT_EQ(schedule[0], 5s);
    EXPECT_EQ(schedule[1], 5min);
    EXPECT_EQ(schedule[6], 10h);
    EXPECT_EQ(webhook::default_max_attempts(schedule), 8);
}

TEST(RetrySchedule, AcceptsAllUnitsAndSpaces) {
    auto schedule = webhook::parse_retry_schedule(" 100ms , 2s,3m ,4h,1d ");
    EXPECT_EQ(schedule, (webhook::RetrySchedule{100ms, 2s, 3min, 4h, 24h}));
}

TEST(RetrySchedule, RefusesBadItems) {
    for (const char* text : {"", "5", "5x", "s", "5s,", "0s", "8d", "5s,,5s", "-5s"}) {
        try {
            webhook::parse_retry_schedule(text);
            ADD_FAILURE() << "accepted " << text;
        } catch (const webhook::Error& error) {
            EXPECT_EQ(error.sqlstate(), "22023") << text;
        }
    }
}
