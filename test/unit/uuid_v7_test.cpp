#include "core/uuid_v7.hpp"

#include <gtest/gtest.h>

using webhook::Uuid;
using webhook::UuidV7Generator;

namespace {
const std::array<std::uint8_t, 8> kTail = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
}

TEST(UuidV7, LayoutHasTimestampVersionAndVariant) {
    Uuid id = webhook::uuid_v7_from_parts(0x017F22E279B0ULL, 0xCC3, kTail);
    EXPECT_EQ(webhook::uuid_to_string(id).substr(0, 19), "017f22e2-79b0-7cc3-");
    EXPECT_EQ(id[6] >> 4, 7);            // version 7
    EXPECT_EQ(id[8] & 0xC0, 0x80);       // RFC 4122 variant
    EXPECT_EQ(webhook::uuid_v7_unix_ms(id), 0x017F22E279B0ULL);
}

TEST(UuidV7, GeneratorIsStrictlyIncreasingWithinOneMillisecond) {
    UuidV7Generator generator;
    Uuid previous = generator.next(1000, kTail);
    for (int i = 0; i < 10000; ++i) {  // more than the 4096 a counter holds
        Uuid next = generator.next(1000, kTail);
        EXPECT_LT(previous, next);
        previous = next;
    }
}

TEST(UuidV7, GeneratorDoesNotGoBackWhenTheClockDoes) {
    UuidV7Generator generator;
    Uuid first = generator.next(5000, kTail);
    Uuid second = generator.next(4000, kTail);
    EXPECT_LT(first, second);
    EXPECT_EQ(webhook::uuid_v7_unix_ms(second), 5000u);
}

TEST(UuidV7, NewMillisecondResetsTheCounter) {
    UuidV7Generator generator;
    generator.next(1, kTail);
    generator.next(1, kTail);
    Uuid id = generator.next(2, kTail);
    EXPECT_EQ(id[6] & 0x0F, 0);
    EXPECT_EQ(id[7], 0);
}
