#include "core/siphash.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

using webhook::SipHash24;

namespace {

// The key of the reference implementation's test vectors: bytes 00..0f.
SipHash24 reference_hash() {
    std::array<std::uint8_t, 16> key{};
    std::iota(key.begin(), key.end(), 0);
    return SipHash24(key);
}

std::vector<std::uint8_t> counting_bytes(std::size_t size) {
    std::vector<std::uint8_t> bytes(size);
    std::iota(bytes.begin(), bytes.end(), 0);
    return bytes;
}

}  // namespace

// The worked example of the SipHash paper (appendix A): message 00..0e.
TEST(SipHash, MatchesThePapersExample) {
    auto message = counting_bytes(15);
    EXPECT_EQ(reference_hash().digest(message.data(), message.size()), 0xa129ca6149be45e5ULL);
}

TEST(SipHash, MatchesTheReferenceVectorOfTheEmptyMessage) {
    EXPECT_EQ(reference_hash().digest(nullptr, 0), 0x726fdb47dd0e0e31ULL);
}

TEST(SipHash, DependsOnEveryByteTheLengthAndTheKey) {
    auto message = counting_bytes(40);
    SipHash24 hash = reference_hash();
    std::uint64_t original = hash.digest(message.data(), message.size());
    for (std::size_t i = 0; i < message.size(); ++i) {
        auto altered = message;
        altered[i] ^= 0x80;
        EXPECT_NE(hash.digest(altered.data(), altered.size()), original) << "byte " << i;
    }
    EXPECT_NE(hash.digest(message.data(), message.size() - 1), original);
    std::array<std::uint8_t, 16> other_key{};
    other_key[15] = 1;
    EXPECT_NE(SipHash24(other_key).digest(message.data(), message.size()), original);
}
