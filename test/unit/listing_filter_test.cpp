#include "core/listing_filter.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using webhook::Error;
using webhook::listing::compile_filter;
using webhook::listing::ParameterList;
using webhook::listing::ParameterSource;
using webhook::listing::ValueType;

namespace {

struct Compiled {
    std::string sql;
    ParameterList parameters;
};

Compiled compile(const std::string& json) {
    Compiled out;
    out.sql = compile_filter(json, out.parameters);
    return out;
}

Error error_of(const std::string& json) {
    try {
        compile(json);
    } catch (const Error& error) {
        return error;
    }
    return Error("none", "");
}

}  // namespace

TEST(ListingFilter, ComparesNotNullFieldsDirectly) {
    auto c = compile(R"({"status":{"eq":"delivered"}})");
    EXPECT_EQ(c.sql, "(d.status OPERATOR(webhook.=) $1)");
    ASSERT_EQ(c.parameters.items().size(), 1u);
    EXPECT_EQ(c.parameters.items()[0].type, ValueType::DeliveryStatus);
    EXPECT_EQ(c.parameters.items()[0].source, ParameterSource::Literal);
    EXPECT_EQ(c.parameters.items()[0].texts, std::vector<std::string>{"delivered"});
}

TEST(ListingFilter, WritesEveryComparison) {
    EXPECT_EQ(compile(R"({"attempt_count":{"neq":1}})").sql, "(d.attempt_count <> $1)");
    EXPECT_EQ(compile(R"({"attempt_count":{"gt":1}})").sql, "(d.attempt_count > $1)");
    EXPECT_EQ(compile(R"({"attempt_count":{"gte":1}})").sql, "(d.attempt_count >= $1)");
    EXPECT_EQ(compile(R"({"attempt_count":{"lt":1}})").sql, "(d.attempt_count < $1)");
    EXPECT_EQ(compile(R"({"attempt_count":{"lte":1}})").sql, "(d.attempt_count <= $1)");
    EXPECT_EQ(compile(R"({"event_type":{"like":"a%"}})").sql, "(d.event_type LIKE $1)");
    EXPECT_EQ(compile(R"({"event_type":{"ilike":"a%"}})").sql, "(d.event_type ILIKE $1)");
    EXPECT_EQ(compile(R"({"event_type":{"in":["a","b"]}})").sql, "(d.event_type = ANY ($1))");
    EXPECT_EQ(compile(R"({"event_type":{"nin":["a"]}})").sql, "(d.event_type <> ALL ($1))");
    EXPECT_EQ(compile(R"({"delivered_at":{"is_null":true}})").sql, "(d.delivered_at IS NULL)");
    EXPECT_EQ(compile(R"({"delivered_at":{"is_null":false}})").sql, "(d.delivered_at IS NOT NULL)");
}

// Status comparisons name pg_webhook's leakproof operators, so that they can
// be index conditions under a tenant's row-level security.
TEST(ListingFilter, ComparesStatusWithTheLeakproofOperators) {
    EXPECT_EQ(compile(R"({"status":{"neq":"delivered"}})").sql,
              "(d.status OPERATOR(webhook.<>) $1)");
    EXPECT_EQ(compile(R"({"status":{"in":["pending","retrying"]}})").sql,
              "(d.status OPERATOR(webhook.=) ANY ($1))");
    EXPECT_EQ(compile(R"({"status":{"nin":["pending"]}})").sql,
              "(d.status OPERATOR(webhook.<>) ALL ($1))");
    EXPECT_EQ(compile(R"({"status":{"gte":"retrying"}})").sql,
              "(d.status OPERATOR(webhook.>=) $1)");
}

TEST(ListingFilter, KeepsNullableFieldsTwoValued) {
    EXPECT_EQ(compile(R"({"http_status":{"eq":500}})").sql,
              "((d.http_status IS NOT NULL AND d.http_status = $1))");
    EXPECT_EQ(compile(R"({"http_status":{"neq":500}})").sql,
              "((d.http_status IS NULL OR d.http_status <> $1))");
    EXPECT_EQ(compile(R"({"http_status":{"nin":[500]}})").sql,
              "((d.http_status IS NULL OR d.http_status <> ALL ($1)))");
}

TEST(ListingFilter, TurnsJsonScalarsIntoInputText) {
    auto c =
        compile(R"({"attempt_count":{"eq":3},"event_id":{"eq":true},"http_status":{"gt":1.5}})");
    ASSERT_EQ(c.parameters.items().size(), 3u);
    // Keys are read in sorted order: attempt_count, event_id, http_status.
    EXPECT_EQ(c.parameters.items()[0].texts[0], "3");
    EXPECT_EQ(c.parameters.items()[1].texts[0], "true");
    EXPECT_EQ(c.parameters.items()[2].texts[0], "1.5");
}

// A JSON number reaches Postgres as the digits the filter holds (as jsonb
// prints them), not as a double's rendering of them: trailing zeros, more
// digits than a double keeps, and magnitudes beyond a double all survive.
TEST(ListingFilter, KeepsTheDigitsOfJsonNumbers) {
    auto c = compile(R"({"event_id":{"eq":1.10},"http_status":{"gt":99999999999999999999},)"
                     R"("last_error":{"in":[12345678901234567890123, -0.000]}})");
    ASSERT_EQ(c.parameters.items().size(), 3u);
    EXPECT_EQ(c.parameters.items()[0].texts[0], "1.10");
    EXPECT_EQ(c.parameters.items()[1].texts[0], "99999999999999999999");
    EXPECT_EQ(c.parameters.items()[2].texts,
              (std::vector<std::string>{"12345678901234567890123", "-0.000"}));
    std::string huge = "1" + std::string(400, '0');
    EXPECT_EQ(compile(R"({"event_id":{"eq":)" + huge + "}}").parameters.items()[0].texts[0], huge);
    EXPECT_EQ(compile(R"({"event_id":{"eq":1e400}})").parameters.items()[0].texts[0], "1e400");
    // Still a number where only a string will do.
    Error like = error_of(R"({"event_type":{"like":1.10}})");
    EXPECT_EQ(like.message(), "operator \"like\" takes a string pattern");
    EXPECT_EQ(like.detail(), "Its value is a number.");
    EXPECT_EQ(error_of(R"({"status":1e400})").detail(), "Its value is a number.");
    // Digits inside strings and keys are left alone.
    EXPECT_EQ(compile(R"({"event_id":{"eq":"-1.50e3 \" 7"}})").parameters.items()[0].texts[0],
              "-1.50e3 \" 7");
}

TEST(ListingFilter, BindsArraysAsOneArrayParameter) {
    auto c = compile(R"({"id":{"in":["a","b","c"]}})");
    ASSERT_EQ(c.parameters.items().size(), 1u);
    EXPECT_TRUE(c.parameters.items()[0].is_array);
    EXPECT_EQ(c.parameters.items()[0].type, ValueType::Uuid);
    EXPECT_EQ(c.parameters.items()[0].texts.size(), 3u);
}

TEST(ListingFilter, CombinesSeveralKeysAndOperatorsWithAnd) {
    EXPECT_EQ(compile(R"({"created_at":{"gte":"a","lt":"b"},"status":{"eq":"pending"}})").sql,
              "(((d.created_at >= $1 AND d.created_at < $2) AND d.status OPERATOR(webhook.=) $3))");
}

TEST(ListingFilter, NestsAndOrNot) {
    EXPECT_EQ(
        compile(
            R"({"or":[{"status":{"eq":"dead_letter"}},{"and":[{"status":{"eq":"retrying"}},{"attempt_count":{"gte":3}}]}]})")
            .sql,
        "((d.status OPERATOR(webhook.=) $1 OR (d.status OPERATOR(webhook.=) $2 AND d.attempt_count "
        ">= $3)))");
    EXPECT_EQ(compile(R"({"not":{"status":{"eq":"delivered"},"attempt_count":{"gt":1}}})").sql,
              "((NOT (d.attempt_count > $1 AND d.status OPERATOR(webhook.=) $2)))");
    EXPECT_EQ(compile(R"({"and":[]})").sql, "(true)");
    EXPECT_EQ(compile(R"({"or":[]})").sql, "(false)");
    EXPECT_EQ(compile("{}").sql, "(true)");
    EXPECT_EQ(compile("null").sql, "true");
}

TEST(ListingFilter, TraversesIntoTheEndpoint) {
    auto c = compile(R"({"endpoint":{"url":{"like":"%example%"},"enabled":{"eq":true}}})");
    EXPECT_EQ(c.sql,
              "((EXISTS (SELECT 1 FROM webhook.endpoint AS e WHERE e.id = d.endpoint_id AND "
              "(e.enabled = $1 AND e.url LIKE $2))))");
    EXPECT_EQ(c.parameters.items()[0].type, ValueType::Boolean);
    EXPECT_EQ(compile(R"({"not":{"endpoint":{"description":{"is_null":true}}}})").sql,
              "((NOT (EXISTS (SELECT 1 FROM webhook.endpoint AS e WHERE e.id = d.endpoint_id AND "
              "e.description IS NULL))))");
}

TEST(ListingFilter, RefusesUnknownFieldsAndOperatorsNamingTheAllowedOnes) {
    Error field = error_of(R"({"secret":{"eq":"x"}})");
    EXPECT_EQ(field.sqlstate(), "22023");
    EXPECT_NE(field.hint().find("event_type"), std::string::npos);
    EXPECT_NE(field.hint().find("endpoint"), std::string::npos);
    Error endpoint_field = error_of(R"({"endpoint":{"secret":{"eq":"x"}}})");
    EXPECT_EQ(endpoint_field.sqlstate(), "22023");
    EXPECT_NE(endpoint_field.hint().find("url, description, enabled"), std::string::npos);
    EXPECT_EQ(error_of(R"({"endpoint":{"endpoint":{}}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"payload":{"eq":"x"}})").sqlstate(), "22023");
    Error op = error_of(R"({"status":{"between":[1,2]}})");
    EXPECT_EQ(op.sqlstate(), "22023");
    EXPECT_NE(op.hint().find("ilike"), std::string::npos);
}

TEST(ListingFilter, RefusesMisshapenValues) {
    EXPECT_EQ(error_of(R"([{"status":{"eq":"x"}}])").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"status":"pending"})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"status":{}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"status":{"eq":null}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"status":{"eq":["pending"]}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"status":{"in":"pending"}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"status":{"in":[null]}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"status":{"like":"p%"}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"event_type":{"like":5}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"delivered_at":{"is_null":"yes"}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"and":{"status":{"eq":"x"}}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"not":[]})").sqlstate(), "22023");
}

TEST(ListingFilter, RefusesAPatternEndingWithItsEscapeCharacter) {
    Error lone = error_of(R"({"event_type":{"like":"invoice\\"}})");
    EXPECT_EQ(lone.sqlstate(), "22025");
    EXPECT_EQ(lone.message(),
              "pattern of \"like\" on field \"event_type\" ends with an escape character");
    EXPECT_FALSE(lone.detail().empty());
    EXPECT_FALSE(lone.hint().empty());
    EXPECT_EQ(error_of(R"({"endpoint":{"url":{"ilike":"\\\\\\"}}})").sqlstate(), "22025");
    // An escaped backslash, or a backslash before any other character, is fine.
    EXPECT_EQ(compile(R"({"event_type":{"like":"a\\\\"}})").parameters.items().at(0).texts.at(0),
              "a\\\\");
    EXPECT_EQ(compile(R"({"event_type":{"ilike":"\\%\\é"}})").sql, "(d.event_type ILIKE $1)");
}

TEST(ListingFilter, BoundsDepthAndSize) {
    std::string deep = R"({"status":{"eq":"pending"}})";
    for (int i = 0; i < 20; ++i) deep = R"({"not":)" + deep + "}";
    EXPECT_EQ(error_of(deep).sqlstate(), "22023");
    std::string wide = R"({"or":[)";
    for (int i = 0; i < 300; ++i)
        wide += std::string(i ? "," : "") + R"({"attempt_count":{"eq":1}})";
    wide += "]}";
    EXPECT_EQ(error_of(wide).sqlstate(), "22023");
}

// Conditions that bind no value (is_null, an empty object) and the values of
// one "in" list counted for nothing: such filters of any width were compiled.
static std::string junction_of(const std::string& name, int count, const std::string& child) {
    std::string out = "{\"" + name + "\":[";
    for (int i = 0; i < count; ++i) out += std::string(i ? "," : "") + child;
    return out + "]}";
}

static std::string in_list_of(const std::string& op, int count) {
    std::string out = "{\"attempt_count\":{\"" + op + "\":[";
    for (int i = 0; i < count; ++i) out += std::string(i ? "," : "") + std::to_string(i);
    return out + "]}}";
}

TEST(ListingFilter, BoundsTheWidthOfJunctionsAndLists) {
    const std::string unbound = R"({"delivered_at":{"is_null":true}})";
    for (const char* name : {"and", "or"}) {
        EXPECT_NO_THROW(compile(junction_of(name, 100, unbound))) << name;
        Error error = error_of(junction_of(name, 101, unbound));
        EXPECT_EQ(error.sqlstate(), "22023") << name;
        EXPECT_EQ(error.detail(), std::string("This \"") + name +
                                      "\" combines 101 filters; one may combine at most 100.");
        EXPECT_EQ(error_of(junction_of(name, 101, "{}")).sqlstate(), "22023") << name;
    }
    for (const char* op : {"in", "nin"}) {
        Compiled accepted = compile(in_list_of(op, 1000));
        EXPECT_EQ(accepted.parameters.items().size(), 1u) << op;
        Error error = error_of(in_list_of(op, 1001));
        EXPECT_EQ(error.sqlstate(), "22023") << op;
        EXPECT_EQ(error.detail(), std::string("This \"") + op +
                                      "\" list has 1001 values; one may hold at most 1000.");
    }
}

TEST(ListingFilter, BoundsTheNodesOfTheWholeFilter) {
    // 11 "or"s of 90 conditions each, under one "and": every junction is
    // narrow enough, but together they are 1,002 nodes.
    const std::string unbound = R"({"delivered_at":{"is_null":true}})";
    std::string branch = junction_of("or", 90, unbound);
    EXPECT_NO_THROW(compile(junction_of("and", 10, branch)));  // 911 nodes
    Error error = error_of(junction_of("and", 11, branch));
    EXPECT_EQ(error.sqlstate(), "22023");
    EXPECT_EQ(error.message(), "filter has too many conditions");
}

TEST(ListingFilter, ValuesNeverReachTheSqlText) {
    auto c = compile(R"({"event_type":{"eq":"x'); DROP TABLE webhook.delivery; --"}})");
    EXPECT_EQ(c.sql.find("DROP"), std::string::npos);
    EXPECT_EQ(c.parameters.items()[0].texts[0], "x'); DROP TABLE webhook.delivery; --");
    EXPECT_EQ(error_of(R"({"status = status OR true --":{"eq":"x"}})").sqlstate(), "22023");
    EXPECT_EQ(error_of(R"({"status":{"eq); DROP TABLE x; --":"x"}})").sqlstate(), "22023");
}
