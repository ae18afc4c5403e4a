#include "core/base64.hpp"

#include <array>

namespace webhook {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlSafe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void encode_to(const std::uint8_t* data, std::size_t size, const char* alphabet, bool pad,
               std::string& out) {
    // Whole groups are written in place: per-character appends cost more
    // than the encoding itself (cursors are encoded once per listed row).
    std::size_t groups = size / 3;
    std::size_t start = out.size();
    out.resize(start + groups * 4);
    char* to = &out[start];
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        std::uint32_t n = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        *to++ = alphabet[(n >> 18) & 63];
        *to++ = alphabet[(n >> 12) & 63];
        *to++ = alphabet[(n >> 6) & 63];
        *to++ = alphabet[n & 63];
    }
    std::size_t rest = size - i;
    if (rest == 1) {
        std::uint32_t n = data[i] << 16;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        if (pad) out += "==";
    } else if (rest == 2) {
        std::uint32_t n = (data[i] << 16) | (data[i + 1] << 8);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        if (pad) out += '=';
    }
}

std::string encode(const std::uint8_t* data, std::size_t size, const char* alphabet, bool pad) {
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    encode_to(data, size, alphabet, pad, out);
    return out;
}

std::array<int, 256> reverse_table(const char* alphabet) {
    std::array<int, 256> table{};
    table.fill(-1);
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = i;
    return table;
}

// Decodes groups of 4 symbols (the last may be 2 or 3 long when unpadded) and
// refuses non-zero leftover bits so that every byte string has one encoding.
std::optional<std::vector<std::uint8_t>> decode(std::string_view text, const char* alphabet,
                                                bool padded) {
    static const std::array<int, 256> standard = reverse_table(kStandard);
    static const std::array<int, 256> url_safe = reverse_table(kUrlSafe);
    const std::array<int, 256>& table = alphabet == kStandard ? standard : url_safe;

    if (padded) {
        if (text.size() % 4 != 0) return std::nullopt;
        if (!text.empty() && text.back() == '=') text.remove_suffix(1);
        if (!text.empty() && text.back() == '=') text.remove_suffix(1);
    }
    if (text.size() % 4 == 1) return std::nullopt;

    std::vector<std::uint8_t> out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        int value = table[static_cast<unsigned char>(c)];
        if (value < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFF));
        }
    }
    if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

}  // namespace

std::string base64_encode(const std::uint8_t* data, std::size_t size) {
    return encode(data, size, kStandard, true);
}

std::string base64_encode(const std::vector<std::uint8_t>& data) {
    return base64_encode(data.data(), data.size());
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    return decode(text, kStandard, true);
}

std::string base64url_encode(const std::uint8_t* data, std::size_t size) {
    return encode(data, size, kUrlSafe, false);
}

void base64url_append(const std::uint8_t* data, std::size_t size, std::string& out) {
    encode_to(data, size, kUrlSafe, false, out);
}

std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text) {
    return decode(text, kUrlSafe, false);
}

}  // namespace webhook
