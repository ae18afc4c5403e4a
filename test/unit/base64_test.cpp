#include "core/base64.hpp"

#include <gtest/gtest.h>

using webhook::base64_decode;
using webhook::base64_encode;
using webhook::base64url_decode;
using webhook::base64url_encode;

namespace {
std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }
}  // namespace

TEST(Base64, EncodesRfc4648Vectors) {
    EXPECT_EQ(base64_encode(bytes("")), "");
    EXPECT_EQ(base64_encode(bytes("f")), "Zg==");
    EXPECT_EQ(base64_encode(bytes("fo")), "Zm8=");
    EXPECT_EQ(base64_encode(bytes("foo")), "Zm9v");
    EXPECT_EQ(base64_encode(bytes("foobar")), "Zm9vYmFy");
}

TEST(Base64, RoundTripsEveryLength) {
    for (std::size_t n = 0; n < 70; ++n) {
        std::vector<std::uint8_t> data(n);
        for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>(i * 37 + 250);
        EXPECT_EQ(base64_decode(base64_encode(data)), data);
        EXPECT_EQ(base64url_decode(base64url_encode(data.data(), data.size())), data);
    }
}

TEST(Base64, RefusesMalformedInput) {
    EXPECT_FALSE(base64_decode("Zg="));     // wrong length
    EXPECT_FALSE(base64_decode("Zh=="));    // non-zero leftover bits
    EXPECT_FALSE(base64_decode("Zm9v!A=="));
    EXPECT_FALSE(base64_decode("Z==="));
    EXPECT_FALSE(base64url_decode("Zg=="));  // padding is not URL-safe form
    EXPECT_FALSE(base64url_decode("a+b/"));  // standard alphabet
    EXPECT_FALSE(base64url_decode("abcde"));
}

TEST(Base64, UrlSafeAlphabet) {
    std::vector<std::uint8_t> data = {0xfb, 0xff, 0xbf};
    EXPECT_EQ(base64_encode(data), "+/+/");
    EXPECT_EQ(base64url_encode(data.data(), data.size()), "-_-_");
}
