#include "core/listing_cursor.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "core/error.hpp"

using webhook::Error;
using webhook::listing::CursorCodec;
using webhook::listing::KeyValues;
using webhook::listing::parse_order_by;

namespace {

const std::vector<std::uint8_t> kKey(32, 7);
const char kUuid[] = "0191f0a2-7b3c-7def-8123-456789abcdef";

std::string sqlstate_of(const CursorCodec& codec, const std::string& order,
                        const std::string& token) {
    try {
        codec.decode(parse_order_by(order), token, "after");
    } catch (const Error& error) {
        return error.sqlstate() + ": " + error.message();
    }
    return "accepted";
}

}  // namespace

TEST(ListingCursor, RoundTripsEveryKeyType) {
    CursorCodec codec(kKey);
    auto order = parse_order_by(
        R"([{"status":"asc"},{"http_status":"desc"},{"event_type":"asc"},{"next_attempt_at":"asc"},{"workspace_id":"asc"}])");
    KeyValues values{"rate_limited", "-42", "order.created/é", "-86400000000", kUuid, kUuid};
    std::string token = codec.encode(order, values);
    EXPECT_EQ(codec.decode(order, token, "after"), values);
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
}

TEST(ListingCursor, RoundTripsNullKeys) {
    CursorCodec codec(kKey);
    auto order = parse_order_by(R"([{"delivered_at":"asc"},{"http_status":"desc"}])");
    KeyValues values{std::nullopt, std::nullopt, kUuid};
    EXPECT_EQ(codec.decode(order, codec.encode(order, values), "before"), values);
}

TEST(ListingCursor, IsCompact) {
    CursorCodec codec(kKey);
    std::string token = codec.encode(parse_order_by(std::nullopt), KeyValues{"1234567890", kUuid});
    EXPECT_LE(token.size(), 72u);
}

TEST(ListingCursor, RefusesEveryAlteredByte) {
    CursorCodec codec(kKey);
    auto order = parse_order_by(std::nullopt);
    std::string token = codec.encode(order, KeyValues{"1234567890", kUuid});
    auto bytes = *webhook::base64url_decode(token);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto altered = bytes;
        altered[i] ^= 0x01;
        std::string result =
            sqlstate_of(codec, "null", webhook::base64url_encode(altered.data(), altered.size()));
        EXPECT_EQ(result.substr(0, 5), "22023") << "byte " << i << ": " << result;
    }
}

TEST(ListingCursor, TellsTheKindsOfBadCursorApart) {
    CursorCodec codec(kKey);
    std::string token = codec.encode(parse_order_by(std::nullopt), KeyValues{"1", kUuid});
    EXPECT_EQ(sqlstate_of(codec, "null", token), "accepted");
    EXPECT_EQ(sqlstate_of(codec, "null", "not a cursor!"), "22023: invalid cursor in after");
    EXPECT_EQ(sqlstate_of(codec, "null", ""), "22023: invalid cursor in after");
    EXPECT_EQ(sqlstate_of(codec, "null", token.substr(0, token.size() - 3)),
              "22023: invalid cursor in after");
    EXPECT_EQ(sqlstate_of(codec, R"([{"created_at":"asc"}])", token),
              "22023: cursor in after belongs to a different order_by");
    EXPECT_EQ(sqlstate_of(CursorCodec(std::vector<std::uint8_t>(32, 8)), "null", token),
              "22023: invalid cursor in after");

    auto bytes = *webhook::base64url_decode(token);
    bytes[0] = webhook::listing::kCursorVersion - 1;  // an outdated cursor
    EXPECT_EQ(sqlstate_of(codec, "null", webhook::base64url_encode(bytes.data(), bytes.size())),
              "22023: unsupported cursor version in after");
}

TEST(ListingCursor, RefusesAShortKey) {
    EXPECT_THROW(CursorCodec(std::vector<std::uint8_t>(8, 1)), std::invalid_argument);
}

// The listing writes cursors from Datums through CursorWriter; decode reads
// them as canonical text. Both paths must agree, row after row.
TEST(ListingCursor, WriterMatchesTheTextEncodingForEveryRow) {
    CursorCodec codec(kKey);
    auto order = parse_order_by(R"([{"status":"asc"},{"http_status":"desc"},{"created_at":"asc"}])");
    webhook::listing::CursorWriter writer(codec, order);
    const std::uint8_t uuid_bytes[16] = {0x01, 0x91, 0xf0, 0xa2, 0x7b, 0x3c, 0x7d, 0xef,
                                         0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    for (std::int32_t http_status : {200, -7}) {
        writer.add_bytes(reinterpret_cast<const std::uint8_t*>("retrying"), 8);
        writer.add_int32(http_status);
        writer.add_int64(-86400000000);
        writer.add_bytes(uuid_bytes, sizeof uuid_bytes);
        std::string written = writer.finish();
        KeyValues values{"retrying", std::to_string(http_status), "-86400000000", kUuid};
        EXPECT_EQ(written, codec.encode(order, values));
        EXPECT_EQ(codec.decode(order, written, "after"), values);
    }
    writer.add_bytes(reinterpret_cast<const std::uint8_t*>("pending"), 7);
    writer.add_null();
    writer.add_int64(5);
    writer.add_bytes(uuid_bytes, sizeof uuid_bytes);
    EXPECT_EQ(codec.decode(order, writer.finish(), "after"),
              (KeyValues{"pending", std::nullopt, "5", kUuid}));
}

// A text sort key can be as long as its column holds; the cursor of its row
// must decode like any other.
TEST(ListingCursor, RoundTripsALongTextKey) {
    CursorCodec codec(kKey);
    auto order = parse_order_by(R"([{"last_error":"asc"}])");
    KeyValues values{std::string(100000, 'e'), kUuid};
    std::string token = codec.encode(order, values);
    EXPECT_GT(token.size(), 100000u);
    EXPECT_EQ(codec.decode(order, token, "after"), values);
}
