#include "core/listing_order.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using webhook::Error;
using webhook::listing::parse_order_by;

namespace {

std::string sqlstate_of(const std::string& json) {
    try {
        parse_order_by(json);
    } catch (const Error& error) {
        return error.sqlstate();
    }
    return "none";
}

std::string hint_of(const std::string& json) {
    try {
        parse_order_by(json);
    } catch (const Error& error) {
        return error.hint();
    }
    return "";
}

}  // namespace

TEST(ListingOrder, DefaultsToNewestFirst) {
    EXPECT_EQ(parse_order_by(std::nullopt).canonical(),
              "created_at:desc_nulls_first,id:desc_nulls_first");
    EXPECT_EQ(parse_order_by("[]").canonical(), parse_order_by(std::nullopt).canonical());
}

TEST(ListingOrder, AppendsIdInTheLastKeysDirection) {
    EXPECT_EQ(parse_order_by(R"([{"status":"asc"}])").canonical(),
              "status:asc_nulls_last,id:asc_nulls_last");
    EXPECT_EQ(
        parse_order_by(R"([{"status":"asc"},{"next_attempt_at":"desc_nulls_last"}])").canonical(),
        "status:asc_nulls_last,next_attempt_at:desc_nulls_last,id:desc_nulls_first");
}

TEST(ListingOrder, KeepsAnExplicitIdLast) {
    EXPECT_EQ(parse_order_by(R"([{"event_type":"desc"},{"id":"asc"}])").canonical(),
              "event_type:desc_nulls_first,id:asc_nulls_last");
}

TEST(ListingOrder, ReadsEveryDirectionOnANullableColumn) {
    EXPECT_EQ(parse_order_by(R"([{"delivered_at":"asc"}])").keys[0].nulls_first, false);
    EXPECT_EQ(parse_order_by(R"([{"delivered_at":"desc"}])").keys[0].nulls_first, true);
    EXPECT_EQ(parse_order_by(R"([{"delivered_at":"asc_nulls_first"}])").keys[0].nulls_first, true);
    EXPECT_EQ(parse_order_by(R"([{"delivered_at":"asc_nulls_last"}])").keys[0].nulls_first, false);
    EXPECT_EQ(parse_order_by(R"([{"delivered_at":"desc_nulls_first"}])").keys[0].nulls_first, true);
    EXPECT_EQ(parse_order_by(R"([{"delivered_at":"desc_nulls_last"}])").keys[0].nulls_first, false);
    EXPECT_TRUE(parse_order_by(R"([{"delivered_at":"desc_nulls_last"}])").keys[0].descending);
    EXPECT_FALSE(parse_order_by(R"([{"delivered_at":"asc_nulls_first"}])").keys[0].descending);
}

TEST(ListingOrder, NormalisesNullPlacementOfNotNullColumns) {
    // created_at is NOT NULL: desc_nulls_last sorts like desc, and must match
    // the (created_at DESC, id DESC) index.
    EXPECT_EQ(parse_order_by(R"([{"created_at":"desc_nulls_last"}])").canonical(),
              parse_order_by(std::nullopt).canonical());
}

TEST(ListingOrder, WritesSqlAndItsReverse) {
    auto order = parse_order_by(R"([{"http_status":"asc_nulls_first"}])");
    EXPECT_EQ(order.sql("d"), "d.http_status ASC NULLS FIRST, d.id ASC NULLS LAST");
    EXPECT_EQ(order.reversed().sql("d"), "d.http_status DESC NULLS LAST, d.id DESC NULLS FIRST");
    EXPECT_EQ(order.reversed().reversed().canonical(), order.canonical());
}

TEST(ListingOrder, RefusesBadInputWith22023) {
    EXPECT_EQ(sqlstate_of(R"({"status":"asc"})"), "22023");
    EXPECT_EQ(sqlstate_of(R"(["status"])"), "22023");
    EXPECT_EQ(sqlstate_of(R"([{"status":"asc","id":"asc"}])"), "22023");
    EXPECT_EQ(sqlstate_of(R"([{"payload":"asc"}])"), "22023");
    EXPECT_EQ(sqlstate_of(R"([{"response_body":"asc"}])"), "22023");
    EXPECT_EQ(sqlstate_of(R"([{"nope":"asc"}])"), "22023");
    EXPECT_EQ(sqlstate_of(R"([{"status":"up"}])"), "22023");
    EXPECT_EQ(sqlstate_of(R"([{"status":1}])"), "22023");
    EXPECT_EQ(sqlstate_of(R"([{"status":"asc"},{"status":"desc"}])"), "22023");
    EXPECT_EQ(sqlstate_of(R"([{"id":"asc"},{"status":"desc"}])"), "22023");
    EXPECT_EQ(sqlstate_of("not json"), "22023");
}

// A number too large for a double is still JSON (jsonb holds it), and a
// number is no direction.
TEST(ListingOrder, CallsANumberDirectionANumber) {
    for (const char* json :
         {R"([{"status":5}])", R"([{"status":1e400}])", R"([{"status":1.10}])"}) {
        try {
            parse_order_by(std::string(json));
            ADD_FAILURE() << json << " was accepted";
        } catch (const Error& error) {
            EXPECT_EQ(error.message(), "unknown sort direction a number for field \"status\"")
                << json;
        }
    }
}

TEST(ListingOrder, HintsNameWhatIsAllowed) {
    EXPECT_NE(hint_of(R"([{"nope":"asc"}])").find("next_attempt_at"), std::string::npos);
    EXPECT_EQ(hint_of(R"([{"nope":"asc"}])").find("payload,"), std::string::npos);
    EXPECT_EQ(hint_of(R"([{"nope":"asc"}])").find("response_body"), std::string::npos);
    EXPECT_NE(hint_of(R"([{"status":"up"}])").find("desc_nulls_last"), std::string::npos);
}

TEST(ListingOrder, InjectionThroughNamesOrDirectionsIsRefused) {
    EXPECT_EQ(sqlstate_of(R"([{"created_at; DROP TABLE webhook.delivery; --":"asc"}])"), "22023");
    EXPECT_EQ(sqlstate_of(R"([{"created_at":"asc; DROP TABLE webhook.delivery"}])"), "22023");
    EXPECT_EQ(sqlstate_of(R"j([{"created_at":"asc NULLS FIRST, (SELECT 1)"}])j"), "22023");
}
