#include "core/http_date.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <vector>

namespace webhook {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// well-known civil-calendar algorithm).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    year -= month <= 2;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

bool is_leap_year(std::int64_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(std::int64_t year, unsigned month) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

std::optional<int> parse_digits(std::string_view text, std::size_t min_digits,
                                std::size_t max_digits) {
    if (text.size() < min_digits || text.size() > max_digits) return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::vector<std::string_view> split_tokens(std::string_view text) {
    std::vector<std::string_view> tokens;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '-')) ++i;
        std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != ',' && text[i] != '-') ++i;
        if (i > start) tokens.push_back(text.substr(start, i - start));
    }
    return tokens;
}

// The Gregorian year (UTC) of a point in time.
std::int64_t year_of(std::chrono::system_clock::time_point time) {
    const std::int64_t seconds =
        std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
    const std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    std::int64_t year = 1970 + (days >= 0 ? days / 366 : days / 365 - 1);  // not after it
    while (days_from_civil(year + 1, 1, 1) <= days) ++year;
    return year;
}

bool is_weekday_name(std::string_view token) {
    if (token.size() < 3) return false;
    for (char c : token) {
        if (!std::isalpha(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

}  // namespace

std::optional<HttpDateTime> parse_http_date(std::string_view text,
                                            std::chrono::system_clock::time_point now) {
    std::vector<std::string_view> tokens = split_tokens(text);
    std::string_view day_text, month_text, year_text, time_text;
    if (tokens.size() == 6 && tokens[5] == "GMT") {  // IMF-fixdate or RFC 850
        day_text = tokens[1];
        month_text = tokens[2];
        year_text = tokens[3];
        time_text = tokens[4];
    } else if (tokens.size() == 5) {  // asctime
        month_text = tokens[1];
        day_text = tokens[2];
        time_text = tokens[3];
        year_text = tokens[4];
    } else {
        return std::nullopt;
    }
    if (!is_weekday_name(tokens[0])) return std::nullopt;

    unsigned month = 0;
    for (unsigned i = 0; i < kMonths.size(); ++i) {
        if (month_text == kMonths[i]) month = i + 1;
    }
    std::optional<int> day = parse_digits(day_text, 1, 2);
    std::optional<int> year = parse_digits(year_text, 2, 4);
    if (month == 0 || !day || !year || year_text.size() == 3) return std::nullopt;
    if (year_text.size() == 2) {
        // RFC 850's two digits: the year with them from 49 years ago to 50
        // years ahead; one more than 50 years ahead is the most recent past
        // year with those digits (RFC 9110 section 5.6.7).
        const std::int64_t current = year_of(now);
        std::int64_t full = current - current % 100 + *year;
        if (full > current + 50) full -= 100;
        if (full <= current - 50) full += 100;
        *year = static_cast<int>(full);
    }
    if (*day < 1 || static_cast<unsigned>(*day) > days_in_month(*year, month)) return std::nullopt;

    if (time_text.size() != 8 || time_text[2] != ':' || time_text[5] != ':') return std::nullopt;
    std::optional<int> hour = parse_digits(time_text.substr(0, 2), 2, 2);
    std::optional<int> minute = parse_digits(time_text.substr(3, 2), 2, 2);
    std::optional<int> second = parse_digits(time_text.substr(6, 2), 2, 2);
    if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60) {
        return std::nullopt;
    }

    const std::int64_t seconds =
        days_from_civil(*year, month, static_cast<unsigned>(*day)) * 86400 + *hour * 3600 +
        *minute * 60 + *second;
    return HttpDateTime(std::chrono::seconds(seconds));
}

}  // namespace webhook
