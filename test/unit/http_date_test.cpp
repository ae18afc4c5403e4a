#include "core/http_date.hpp"

#include <gtest/gtest.h>

namespace {

std::int64_t unix_seconds(const char* text) {
    auto parsed = webhook::parse_http_date(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    if (!parsed) return -1;
    return std::chrono::duration_cast<std::chrono::seconds>(parsed->time_since_epoch()).count();
}

}  // namespace

TEST(HttpDate, ParsesAllThreeFormsOfTheSameInstant) {
    // 1994-11-06 08:49:37 UTC, the example of RFC 9110.
    EXPECT_EQ(unix_seconds("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_EQ(unix_seconds("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
    EXPECT_EQ(unix_seconds("Sun Nov  6 08:49:37 1994"), 784111777);
}

TEST(HttpDate, HandlesCalendarEdges) {
    EXPECT_EQ(unix_seconds("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    EXPECT_EQ(unix_seconds("Tue, 29 Feb 2028 23:59:59 GMT"), 1835481599);
    EXPECT_EQ(unix_seconds("Wed, 01 Mar 2000 00:00:00 GMT"), 951868800);
    EXPECT_EQ(unix_seconds("Fri, 31 Dec 2060 12:00:00 GMT"), 2871720000);
    EXPECT_EQ(unix_seconds("Monday, 01-Jan-01 00:00:00 GMT"), 978307200);  // 2001
    EXPECT_EQ(unix_seconds("Fri, 31 Dec 9999 23:59:59 GMT"), 253402300799);
    EXPECT_EQ(unix_seconds("Mon, 01 Jan 0001 00:00:00 GMT"), -62135596800);
}

TEST(HttpDate, RefusesMalformedDates) {
    for (const char* text :
         {"", "tomorrow", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
          "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 2027 08:49:37 GMT",
          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
          "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 8:49:37 GMT",
          "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 199 08:49:37 GMT",
          "1, 06 Nov 1994 08:49:37 GMT", "Sun Nov  6 08:49:37"}) {
        EXPECT_FALSE(webhook::parse_http_date(text).has_value()) << text;
    }
}
