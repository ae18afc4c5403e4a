// HTTP dates (RFC 9110 section 5.6.7): the preferred IMF-fixdate
// "Sun, 06 Nov 1994 08:49:37 GMT" and, as recipients must, the obsolete
// RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994".
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace webhook {

// Whole seconds: system_clock's own resolution (nanoseconds on Linux) only
// reaches the year 2262, and a date may name any year up to 9999.
using HttpDateTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

// now places RFC 850's two-digit years: from 49 years before it to 50 after.
std::optional<HttpDateTime> parse_http_date(std::string_view text,
                                            std::chrono::system_clock::time_point now);

}  // namespace webhook
