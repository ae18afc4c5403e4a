#include "core/siphash.hpp"

namespace webhook {
namespace {

std::uint64_t read_little_endian(const std::uint8_t* bytes, std::size_t count) noexcept {
    std::uint64_t word = 0;
    for (std::size_t i = count; i-- > 0;) word = (word << 8) | bytes[i];
    return word;
}

constexpr std::uint64_t rotate_left(std::uint64_t x, int bits) noexcept {
    return (x << bits) | (x >> (64 - bits));
}

struct State {
    std::uint64_t v0, v1, v2, v3;

    void round() noexcept {
        v0 += v1;
        v1 = rotate_left(v1, 13);
        v1 ^= v0;
        v0 = rotate_left(v0, 32);
        v2 += v3;
        v3 = rotate_left(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = rotate_left(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = rotate_left(v1, 17);
        v1 ^= v2;
        v2 = rotate_left(v2, 32);
    }

    // Two compression rounds per 8-byte word: the "2" of SipHash-2-4.
    void absorb(std::uint64_t word) noexcept {
        v3 ^= word;
        round();
        round();
        v0 ^= word;
    }
};

}  // namespace

SipHash24::SipHash24(const std::array<std::uint8_t, 16>& key) noexcept
    : k0_(read_little_endian(key.data(), 8)), k1_(read_little_endian(key.data() + 8, 8)) {}

std::uint64_t SipHash24::digest(const std::uint8_t* data, std::size_t size) const noexcept {
    State state{k0_ ^ 0x736f6d6570736575ULL, k1_ ^ 0x646f72616e646f6dULL,
                k0_ ^ 0x6c7967656e657261ULL, k1_ ^ 0x7465646279746573ULL};
    std::size_t whole = size - size % 8;
    for (std::size_t i = 0; i < whole; i += 8) state.absorb(read_little_endian(data + i, 8));
    // The last word: the remaining bytes, and the length's low byte on top.
    std::uint64_t last = read_little_endian(data + whole, size - whole) |
                         (static_cast<std::uint64_t>(size & 0xff) << 56);
    state.absorb(last);
    state.v2 ^= 0xff;
    for (int i = 0; i < 4; ++i) state.round();
    return state.v0 ^ state.v1 ^ state.v2 ^ state.v3;
}

}  // namespace webhook
