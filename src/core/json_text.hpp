// Small helpers shared by the parsers of the listing's JSON arguments.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace webhook::listing {

// Parses `text`; 22023 naming `argument` when it is not JSON.
nlohmann::json parse_json_argument(const char* argument, const std::string& text);

// "an object", "a string", ... for error details.
std::string json_kind(const nlohmann::json& value);

// At most 64 characters of user text, for messages.
std::string shorten(const std::string& text);

}  // namespace webhook::listing
