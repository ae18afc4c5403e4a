// HTTP dates (RFC 9110 section 5.6.7): the preferred IMF-fixdate
// "Sun, 06 Nov 1994 08:49:37 GMT" and, as recipients must, the obsolete
// RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994".
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace webhook {

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

}  // namespace webhook
