#include "core/json_text.hpp"

#include "core/error.hpp"

namespace webhook::listing {

nlohmann::json parse_json_argument(const char* argument, const std::string& text) {
    nlohmann::json document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
        throw Error::invalid_parameter(std::string(argument) + " is not valid JSON",
                                       "The text given could not be parsed as JSON.",
                                       "Pass a jsonb value.");
    }
    return document;
}

std::string json_kind(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::object:
            return "an object";
        case nlohmann::json::value_t::array:
            return "an array";
        case nlohmann::json::value_t::string:
            return "a string";
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

}  // namespace webhook::listing
