#include "core/hmac_sha256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string hex(const std::array<std::uint8_t, 32>& digest) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t byte : digest) {
        out += kHex[byte >> 4];
        out += kHex[byte & 15];
    }
    return out;
}

std::vector<std::uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }

std::string mac(const std::vector<std::uint8_t>& key, const std::string& data) {
    webhook::HmacSha256 hmac(key);
    return hex(hmac.digest(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

}  // namespace

// RFC 4231 test cases 1, 2 and 6 (a key longer than the block).
TEST(HmacSha256, MatchesRfc4231) {
    EXPECT_EQ(mac(std::vector<std::uint8_t>(20, 0x0b), "Hi There"),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(mac(bytes("Jefe"), "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(mac(std::vector<std::uint8_t>(131, 0xaa),
                  "Test Using Larger Than Block-Size Key - Hash Key First"),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, GivesTheSameDigestOnEveryCall) {
    webhook::HmacSha256 hmac(bytes("key"));
    const std::uint8_t data[] = {1, 2, 3};
    EXPECT_EQ(hmac.digest(data, 3), hmac.digest(data, 3));
    EXPECT_NE(hmac.digest(data, 3), hmac.digest(data, 2));
}
