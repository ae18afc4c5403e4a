#include "core/listing_query.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using webhook::Error;
using webhook::listing::compile_count_query;
using webhook::listing::compile_estimate_query;
using webhook::listing::compile_rows_query;
using webhook::listing::KeyValues;
using webhook::listing::ListingRequest;
using webhook::listing::ParameterSource;
using webhook::listing::parse_order_by;

namespace {
const std::vector<std::string> kColumns = {"id", "status"};
}

TEST(ListingQuery, SelectsAFirstPage) {
    ListingRequest request;
    request.order = parse_order_by(std::nullopt);
    auto query = compile_rows_query(request, kColumns, 101, std::nullopt);
    // The columns only: the receiver appends each row's cursor.
    EXPECT_EQ(query.sql,
              "SELECT d.id, d.status FROM webhook.delivery AS d ORDER BY d.created_at DESC NULLS "
              "FIRST, d.id DESC NULLS FIRST LIMIT 101");
    EXPECT_TRUE(query.parameters.empty());
    EXPECT_FALSE(query.reversed);
}

TEST(ListingQuery, BindsPlainArgumentsAsThemselves) {
    ListingRequest request;
    request.order = parse_order_by(std::nullopt);
    request.present[webhook::listing::kEndpointId] = true;
    request.present[webhook::listing::kCreatedBefore] = true;
    request.present[webhook::listing::kIds] = true;
    request.filter = R"({"status":{"eq":"pending"}})";
    auto query = compile_count_query(request);
    EXPECT_EQ(query.sql,
              "SELECT count(*) FROM webhook.delivery AS d WHERE d.endpoint_id = $1 AND "
              "d.created_at <= $2 AND d.id = ANY ($3) AND (d.status OPERATOR(webhook.=) $4)");
    ASSERT_EQ(query.parameters.size(), 4u);
    EXPECT_EQ(query.parameters[0].source, ParameterSource::Argument);
    EXPECT_EQ(query.parameters[0].argument, 1);
    EXPECT_EQ(query.parameters[1].argument, 6);
    EXPECT_TRUE(query.parameters[2].is_array);
    EXPECT_EQ(query.parameters[3].source, ParameterSource::Literal);
    EXPECT_EQ(compile_estimate_query(request).sql.rfind("EXPLAIN (FORMAT JSON) SELECT 1 FROM", 0),
              0u);
}

TEST(ListingQuery, ReadsAPreviousPageInReverse) {
    ListingRequest request;
    request.order = parse_order_by(std::nullopt);
    request.before = KeyValues{"5", "u"};
    auto query = compile_rows_query(request, kColumns, 10, std::nullopt);
    EXPECT_TRUE(query.reversed);
    EXPECT_EQ(query.sql,
              "SELECT d.id, d.status FROM webhook.delivery AS d WHERE (d.created_at, d.id) > ($1, "
              "$2) ORDER BY d.created_at ASC NULLS LAST, d.id ASC NULLS LAST LIMIT 10");
}

TEST(ListingQuery, AddsAnOffsetParameterInOffsetMode) {
    ListingRequest request;
    request.order = parse_order_by(std::nullopt);
    auto query = compile_rows_query(request, kColumns, 10, 900);
    EXPECT_EQ(query.sql,
              "SELECT d.id, d.status FROM webhook.delivery AS d ORDER BY d.created_at DESC NULLS "
              "FIRST, d.id DESC NULLS FIRST LIMIT 10 OFFSET $1");
    ASSERT_EQ(query.parameters.size(), 1u);
    EXPECT_EQ(query.parameters[0].source, ParameterSource::Integer);
    EXPECT_EQ(query.parameters[0].integer, 900);
}

TEST(ListingQuery, RefusesAfterAndBeforeTogether) {
    ListingRequest request;
    request.order = parse_order_by(std::nullopt);
    request.after = KeyValues{"5", "u"};
    request.before = KeyValues{"5", "u"};
    try {
        compile_rows_query(request, kColumns, 10, std::nullopt);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(error.sqlstate(), "22023");
    }
}

TEST(ListingQuery, ReadsThePlannersRowEstimate) {
    using webhook::listing::estimated_rows;
    EXPECT_EQ(estimated_rows(R"([{"Plan": {"Node Type": "Seq Scan", "Plan Rows": 1234}}])"),
              1234.0);
    EXPECT_EQ(estimated_rows("[]"), std::nullopt);
    EXPECT_EQ(estimated_rows(R"([{"Plan": {}}])"), std::nullopt);
    EXPECT_EQ(estimated_rows("not json"), std::nullopt);
}
