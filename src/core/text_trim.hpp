// Whitespace trimming for the small list syntaxes of settings and headers.
#pragma once

#include <cctype>
#include <string_view>

namespace webhook {

inline std::string_view trim_whitespace(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace webhook
