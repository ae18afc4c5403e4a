#include "core/utf8_text.hpp"

#include <gtest/gtest.h>

namespace {

TEST(StorableText, KeepsValidUtf8) {
    EXPECT_EQ(webhook::to_storable_text("h\xC3\xA9llo \xF0\x9F\x98\x80", 100),
              "h\xC3\xA9llo \xF0\x9F\x98\x80");
}

TEST(StorableText, ReplacesInvalidBytesAndNul) {
    EXPECT_EQ(webhook::to_storable_text(std::string("a\0b", 3), 100),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(webhook::to_storable_text("a\xFF"
                                        "b",
                                        100),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(webhook::to_storable_text("\xC0\xAF", 100), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
    EXPECT_EQ(webhook::to_storable_text("\xED\xA0\x80", 100),
              "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST(StorableText, CutsOnACharacterBoundary) {
    EXPECT_EQ(webhook::to_storable_text("ab\xC3\xA9", 3), "ab");
    EXPECT_EQ(webhook::to_storable_text("abcdef", 4), "abcd");
    EXPECT_EQ(webhook::to_storable_text("abc", 0), "");
    // A truncated multibyte character at the end of the input is invalid.
    EXPECT_EQ(webhook::to_storable_text("ab\xE2\x82", 100), "ab\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
