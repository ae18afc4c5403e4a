// Small helpers shared by the parsers of the listing's JSON arguments.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace webhook::listing {

// Parses `text`; 22023 naming `argument` when it is not JSON. Numbers keep
// their digits exactly as written (jsonb holds numerics of any size and
// scale, a double does not): each is a value that json_number_text reads.
nlohmann::json parse_json_argument(const char* argument, const std::string& text);

// The digits of a number from parse_json_argument; nullopt for any other value.
std::optional<std::string> json_number_text(const nlohmann::json& value);

// A JSON string (not a number from parse_json_argument).
bool is_json_string(const nlohmann::json& value);

// "an object", "a string", "a number", ... for error details.
std::string json_kind(const nlohmann::json& value);

// At most 64 characters of user text, for messages.
std::string shorten(const std::string& text);

// `text` shortened, as a JSON string ("a\"b", control characters escaped):
// how a message names what a caller wrote, so that a quote in it cannot
// change what the message says, nor a control character reach a terminal
// or a log raw.
std::string quoted(const std::string& text);

}  // namespace webhook::listing
