#include "core/listing_keyset.hpp"

#include <gtest/gtest.h>

using webhook::listing::keyset_condition;
using webhook::listing::KeyValues;
using webhook::listing::ParameterList;
using webhook::listing::ParameterSource;
using webhook::listing::parse_order_by;

TEST(ListingKeyset, UsesARowComparisonWhenTheIndexCanServeIt) {
    ParameterList parameters;
    auto sql = keyset_condition(parse_order_by(std::nullopt), KeyValues{"1", "u"}, "d", parameters);
    EXPECT_EQ(sql, "(d.created_at, d.id) < ($1, $2)");
    ASSERT_EQ(parameters.items().size(), 2u);
    EXPECT_EQ(parameters.items()[0].source, ParameterSource::CursorKey);
    EXPECT_EQ(parameters.items()[0].texts[0], "1");

    ParameterList ascending;
    EXPECT_EQ(keyset_condition(parse_order_by(R"([{"attempt_count":"asc"}])"), KeyValues{"3", "u"},
                               "d", ascending),
              "(d.attempt_count, d.id) > ($1, $2)");
}

TEST(ListingKeyset, ExpandsMixedDirectionsWithALeadingBound) {
    ParameterList parameters;
    auto order = parse_order_by(R"([{"status":"asc"},{"created_at":"desc"}])");
    EXPECT_EQ(keyset_condition(order, KeyValues{"pending", "5", "u"}, "d", parameters),
              "(d.status OPERATOR(webhook.>=) $1 AND (d.status OPERATOR(webhook.>) $1 OR (d.status "
              "OPERATOR(webhook.=) $1 AND d.created_at < $2) OR "
              "(d.status OPERATOR(webhook.=) $1 AND d.created_at = $2 AND d.id < $3)))");
}

// A row comparison would name the built-in, not leakproof, enum operator:
// under a tenant's row-level security it could not bound the index scan.
TEST(ListingKeyset, ComparesStatusWithTheLeakproofOperatorsNotARowComparison) {
    ParameterList parameters;
    auto order = parse_order_by(R"([{"status":"desc"},{"created_at":"desc"}])");
    EXPECT_EQ(keyset_condition(order, KeyValues{"pending", "5", "u"}, "d", parameters),
              "(d.status OPERATOR(webhook.<=) $1 AND (d.status OPERATOR(webhook.<) $1 OR "
              "(d.status OPERATOR(webhook.=) $1 AND d.created_at < $2) OR "
              "(d.status OPERATOR(webhook.=) $1 AND d.created_at = $2 AND d.id < $3)))");
}

TEST(ListingKeyset, PlacesNullsLastAfterEveryValue) {
    ParameterList parameters;
    auto order = parse_order_by(R"([{"delivered_at":"asc_nulls_last"}])");
    EXPECT_EQ(keyset_condition(order, KeyValues{"7", "u"}, "d", parameters),
              "((d.delivered_at >= $1 OR d.delivered_at IS NULL) AND ((d.delivered_at > $1 OR "
              "d.delivered_at IS NULL) OR (d.delivered_at = $1 AND d.id > $2)))");
    ParameterList at_null;
    // From a NULL key only the other NULL rows with a greater id remain.
    EXPECT_EQ(keyset_condition(order, KeyValues{std::nullopt, "u"}, "d", at_null),
              "(d.delivered_at IS NULL AND ((d.delivered_at IS NULL AND d.id > $1)))");
}

TEST(ListingKeyset, PlacesNullsFirstBeforeEveryValue) {
    ParameterList parameters;
    auto order = parse_order_by(R"([{"delivered_at":"desc_nulls_first"}])");
    EXPECT_EQ(keyset_condition(order, KeyValues{"7", "u"}, "d", parameters),
              "(d.delivered_at <= $1 AND (d.delivered_at < $1 OR (d.delivered_at = $1 AND d.id < "
              "$2)))");
    ParameterList at_null;
    EXPECT_EQ(keyset_condition(order, KeyValues{std::nullopt, "u"}, "d", at_null),
              "(d.delivered_at IS NOT NULL OR (d.delivered_at IS NULL AND d.id < $1))");
}

TEST(ListingKeyset, RejectsAPositionThatDoesNotFitTheOrder) {
    ParameterList parameters;
    EXPECT_THROW(keyset_condition(parse_order_by(std::nullopt), KeyValues{"1"}, "d", parameters),
                 std::logic_error);
    EXPECT_THROW(keyset_condition(parse_order_by(std::nullopt), KeyValues{std::nullopt, "u"}, "d",
                                  parameters),
                 std::logic_error);
}
