#include "core/utf8_text.hpp"

#include <cstdint>

namespace webhook {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence starting at `at`, or 0 when it is not one.
std::size_t valid_sequence_length(std::string_view bytes, std::size_t at) {
    auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
    std::uint8_t lead = byte(at);
    std::size_t length;
    std::uint32_t minimum;
    std::uint32_t code;
    if (lead < 0x80) return lead == 0 ? 0 : 1;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, minimum = 0x80, code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, minimum = 0x800, code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, minimum = 0x10000, code = lead & 0x07;
    } else {
        return 0;
    }
    if (at + length > bytes.size()) return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) return 0;
        code = (code << 6) | (byte(at + i) & 0x3F);
    }
    bool overlong = code < minimum;
    bool surrogate = code >= 0xD800 && code <= 0xDFFF;
    if (overlong || surrogate || code > 0x10FFFF) return 0;
    return length;
}

}  // namespace

std::string to_storable_text(std::string_view bytes, std::size_t max_bytes) {
    std::string text;
    text.reserve(bytes.size() < max_bytes ? bytes.size() : max_bytes);
    std::size_t at = 0;
    while (at < bytes.size()) {
        std::size_t length = valid_sequence_length(bytes, at);
        std::string_view piece = length ? bytes.substr(at, length) : kReplacement;
        if (text.size() + piece.size() > max_bytes) break;
        text.append(piece);
        at += length ? length : 1;
    }
    return text;
}

}  // namespace webhook
