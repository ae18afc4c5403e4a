#include "core/uuid_v7.hpp"

namespace webhook {

Uuid uuid_v7_from_parts(std::uint64_t unix_ms, std::uint16_t counter12,
                        const std::array<std::uint8_t, 8>& random_tail) {
    Uuid id{};
    for (int i = 0; i < 6; ++i) id[i] = static_cast<std::uint8_t>(unix_ms >> (8 * (5 - i)));
    id[6] = static_cast<std::uint8_t>(0x70 | ((counter12 >> 8) & 0x0F));
    id[7] = static_cast<std::uint8_t>(counter12 & 0xFF);
    for (int i = 0; i < 8; ++i) id[8 + i] = random_tail[i];
    id[8] = static_cast<std::uint8_t>(0x80 | (id[8] & 0x3F));  // RFC 4122 variant
    return id;
}

Uuid UuidV7Generator::next(std::uint64_t now_unix_ms,
                           const std::array<std::uint8_t, 8>& random_tail) {
    if (now_unix_ms > last_ms_) {
        last_ms_ = now_unix_ms;
        counter_ = 0;
    } else if (++counter_ > 0x0FFF) {
        // Counter exhausted (or the clock went back): borrow the next millisecond.
        ++last_ms_;
        counter_ = 0;
    }
    return uuid_v7_from_parts(last_ms_, counter_, random_tail);
}

std::uint64_t uuid_v7_unix_ms(const Uuid& id) {
    std::uint64_t ms = 0;
    for (int i = 0; i < 6; ++i) ms = (ms << 8) | id[i];
    return ms;
}

std::string uuid_to_string(const Uuid& id) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[id[i] >> 4];
        out += hex[id[i] & 0x0F];
    }
    return out;
}

}  // namespace webhook
