#include "core/json_text.hpp"

#include "core/error.hpp"

namespace webhook::listing {

namespace {

// A number is kept as a string that starts with a NUL character: no JSON
// string can, as jsonb refuses \u0000 (and a C string argument cannot hold
// one either).
constexpr char kNumberMark = '\0';

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Whether `token` is a number as JSON writes it:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, of any size.
bool is_json_number(const std::string& token) {
    std::size_t i = 0, n = token.size();
    auto digits = [&] {
        std::size_t start = i;
        while (i < n && is_digit(token[i])) ++i;
        return i - start;
    };
    if (i < n && token[i] == '-') ++i;
    if (i < n && token[i] == '0') {
        ++i;
    } else if (digits() == 0) {
        return false;
    }
    if (i < n && token[i] == '.') {
        ++i;
        if (digits() == 0) return false;
    }
    if (i < n && (token[i] == 'e' || token[i] == 'E')) {
        ++i;
        if (i < n && (token[i] == '+' || token[i] == '-')) ++i;
        if (digits() == 0) return false;
    }
    return i == n;
}

// `text` with every number outside strings turned into a marked string of
// its digits ("\u0000" + digits), so that the parser never reads a number.
std::string keep_numbers(const std::string& text) {
    std::string out;
    out.reserve(text.size() + 16);
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            out += c;
            if (c == '\\' && i + 1 < text.size()) {
                out += text[++i];
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') in_string = true;
        if (c != '-' && !is_digit(c)) {
            out += c;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && (is_digit(text[end]) || text[end] == '-' || text[end] == '+' ||
                                     text[end] == '.' || text[end] == 'e' || text[end] == 'E')) {
            ++end;
        }
        // Only what JSON calls a number is kept; anything else is left for
        // the parser to refuse.
        std::string token = text.substr(i, end - i);
        if (is_json_number(token)) {
            out += "\"\\u0000" + token + "\"";
        } else {
            out += token;
        }
        i = end - 1;
    }
    return out;
}

}  // namespace

nlohmann::json parse_json_argument(const char* argument, const std::string& text) {
    nlohmann::json document =
        nlohmann::json::parse(keep_numbers(text), nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
        throw Error::invalid_parameter(std::string(argument) + " is not valid JSON",
                                       "The text given could not be parsed as JSON.",
                                       "Pass a jsonb value.");
    }
    return document;
}

std::optional<std::string> json_number_text(const nlohmann::json& value) {
    if (!value.is_string()) return std::nullopt;
    const std::string& text = value.get_ref<const std::string&>();
    if (text.empty() || text[0] != kNumberMark) return std::nullopt;
    return text.substr(1);
}

bool is_json_string(const nlohmann::json& value) {
    return value.is_string() && !json_number_text(value);
}

std::string json_kind(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::object:
            return "an object";
        case nlohmann::json::value_t::array:
            return "an array";
        case nlohmann::json::value_t::string:
            return json_number_text(value) ? "a number" : "a string";
        case nlohmann::json::value_t::boolean:
            return "a boolean";
        case nlohmann::json::value_t::null:
            return "null";
        default:
            return "a number";
    }
}

std::string shorten(const std::string& text) {
    if (text.size() <= 64) return text;
    std::size_t cut = 61;
    // Do not cut a UTF-8 sequence in half.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut) + "...";
}

std::string quoted(const std::string& text) {
    return nlohmann::json(shorten(text))
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace webhook::listing
