#include "core/http_date.hpp"

#include <gtest/gtest.h>

namespace {

// 2026-01-01 00:00:00 UTC: two-digit years are read relative to it.
const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1767225600)};

std::int64_t unix_seconds(const char* text, std::chrono::system_clock::time_point now = kNow) {
    auto parsed = webhook::parse_http_date(text, now);
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
        EXPECT_FALSE(webhook::parse_http_date(text, kNow).has_value()) << text;
    }
}

// RFC 9110 5.6.7: a two-digit year that would be more than 50 years in the
// future is the most recent past year with those digits; otherwise the
// future one (a fixed 1970 pivot read "75" as 1975 in 2026).
TEST(HttpDate, ReadsTwoDigitYearsRelativeToNow) {
    EXPECT_EQ(unix_seconds("Tuesday, 01-Jan-75 00:00:00 GMT"), 3313526400);   // 2075
    EXPECT_EQ(unix_seconds("Friday, 01-Jan-77 00:00:00 GMT"), 220924800);     // 1977
    EXPECT_EQ(unix_seconds("Thursday, 01-Jan-26 00:00:00 GMT"), 1767225600);  // 2026
    const std::chrono::system_clock::time_point in_2060{std::chrono::seconds(2840140800)};
    EXPECT_EQ(unix_seconds("Monday, 01-Jan-05 00:00:00 GMT", in_2060), 4260211200);  // 2105
    EXPECT_EQ(unix_seconds("Sunday, 01-Jan-60 00:00:00 GMT", in_2060), 2840140800);  // 2060
}
