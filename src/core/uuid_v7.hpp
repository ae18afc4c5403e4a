// Time-ordered UUIDs in the UUIDv7 layout (RFC 9562): 48-bit Unix milliseconds,
// then a 12-bit counter that keeps ids from one generator strictly increasing
// within a millisecond, then 62 random bits.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace webhook {

using Uuid = std::array<std::uint8_t, 16>;

// Assembles the layout from its parts (pure; the unit tests drive it).
Uuid uuid_v7_from_parts(std::uint64_t unix_ms, std::uint16_t counter12,
                        const std::array<std::uint8_t, 8>& random_tail);

// Keeps the last timestamp and counter so that successive ids never go
// backwards, even when the clock does or a millisecond holds >4096 ids.
class UuidV7Generator {
public:
    Uuid next(std::uint64_t now_unix_ms, const std::array<std::uint8_t, 8>& random_tail);

private:
    std::uint64_t last_ms_ = 0;
    std::uint16_t counter_ = 0;
};

std::uint64_t uuid_v7_unix_ms(const Uuid& id);
std::string uuid_to_string(const Uuid& id);

}  // namespace webhook
