#include "core/listing_filter.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/json_text.hpp"

namespace webhook::listing {
namespace {

using Json = nlohmann::json;

// Bounds that keep a hostile filter from costing more than a normal one.
constexpr int kMaxDepth = 16;
constexpr std::size_t kMaxParameters = 256;
// Depth and values alone did not bound a filter: an "and" or "or" of
// thousands of conditions that bind nothing (is_null, {}) or an "in" list of
// a million values was compiled, planned and tested on every row.
constexpr std::size_t kMaxBranches = 100;     // filters in one "and" or "or"
constexpr std::size_t kMaxListValues = 1000;  // values in one "in" or "nin"
constexpr std::size_t kMaxNodes = 1000;       // filter nodes in the whole filter

// Postgres's SQLSTATE for a LIKE pattern that ends with its escape character.
const char kInvalidEscapeSequence[] = "22025";

const char kFilterHint[] =
    "A filter node is {\"and\": [...]}, {\"or\": [...]}, {\"not\": {...}}, "
    "{\"endpoint\": {...}} or {\"<field>\": {\"<operator>\": value}}.";

enum class Scope { Delivery, Endpoint };

class FilterCompiler {
  public:
    explicit FilterCompiler(ParameterList& parameters) : parameters_(parameters) {}

    std::string node(const Json& value, Scope scope, int depth) {
        if (depth > kMaxDepth) {
            throw Error::invalid_parameter(
                "filter is nested too deeply",
                "A filter may nest at most " + std::to_string(kMaxDepth) + " levels.",
                "Flatten the filter, for example with \"in\" instead of many \"or\" branches.");
        }
        if (++nodes_ > kMaxNodes) {
            throw Error::invalid_parameter(
                "filter has too many conditions",
                "A filter may have at most " + std::to_string(kMaxNodes) +
                    " nodes (JSON objects) in all; this one has more.",
                "Combine conditions on one field with \"in\" or \"nin\", or narrow the "
                "listing with its plain arguments.");
        }
        if (!value.is_object()) {
            throw Error::invalid_parameter("a filter node must be a JSON object",
                                           "A filter node is " + json_kind(value) + ".",
                                           kFilterHint);
        }
        std::string out;
        for (auto item = value.begin(); item != value.end(); ++item) {
            append_and(out, key(item.key(), item.value(), scope, depth));
        }
        // Parenthesised so that a surrounding NOT or OR binds to the whole node.
        if (out.empty()) return "true";
        return value.size() == 1 ? out : "(" + out + ")";
    }

  private:
    std::string key(const std::string& name, const Json& value, Scope scope, int depth) {
        if (name == "and" || name == "or") return junction(name, value, scope, depth);
        if (name == "not") return "(NOT " + node(value, scope, depth + 1) + ")";
        if (name == "endpoint" && scope == Scope::Delivery) {
            return "(EXISTS (SELECT 1 FROM webhook.endpoint AS e WHERE e.id = d.endpoint_id AND " +
                   node(value, Scope::Endpoint, depth + 1) + "))";
        }
        const auto& fields = scope == Scope::Delivery ? delivery_fields() : endpoint_fields();
        const Field* field = find_field(fields, name);
        if (!field) {
            std::string allowed = field_list(fields, false);
            if (scope == Scope::Delivery) allowed += ", endpoint";
            throw Error::invalid_parameter(
                "unknown filter field " + quoted(name),
                scope == Scope::Delivery
                    ? "Filters apply to the columns of webhook.delivery other than payload."
                    : "Endpoint filters apply to a few endpoint columns.",
                "Fields: " + allowed + "; and, or, not combine filters.");
        }
        return conditions(*field, scope == Scope::Delivery ? "d" : "e", value);
    }

    std::string junction(const std::string& name, const Json& value, Scope scope, int depth) {
        if (!value.is_array()) {
            throw Error::invalid_parameter("\"" + name + "\" takes a JSON array of filters",
                                           "Its value is " + json_kind(value) + ".", kFilterHint);
        }
        // An empty "and" matches everything, an empty "or" nothing.
        if (value.empty()) return name == "and" ? "true" : "false";
        if (value.size() > kMaxBranches) {
            throw Error::invalid_parameter(
                "filter \"" + name + "\" combines too many filters",
                "This \"" + name + "\" combines " + std::to_string(value.size()) +
                    " filters; one may combine at most " + std::to_string(kMaxBranches) + ".",
                "Combine conditions on one field into one \"in\" or \"nin\" list.");
        }
        std::string out;
        const char* joint = name == "and" ? " AND " : " OR ";
        for (const Json& child : value) {
            if (!out.empty()) out += joint;
            out += node(child, scope, depth + 1);
        }
        return "(" + out + ")";
    }

    std::string conditions(const Field& field, const std::string& alias, const Json& operators) {
        if (!operators.is_object() || operators.empty()) {
            throw Error::invalid_parameter(
                "filter field \"" + std::string(field.name) + "\" needs an object of operators",
                "Its value is " +
                    (operators.is_object() ? std::string("an empty object")
                                           : json_kind(operators)) +
                    ".",
                "Write {\"" + std::string(field.name) +
                    "\": {\"eq\": value}}; operators: " + operator_list() + ".");
        }
        std::string out;
        const std::string column = alias + "." + std::string(field.name);
        for (auto item = operators.begin(); item != operators.end(); ++item) {
            append_and(out, condition(field, column, item.key(), item.value()));
        }
        return operators.size() == 1 ? out : "(" + out + ")";
    }

    std::string condition(const Field& field, const std::string& column, const std::string& op,
                          const Json& value) {
        static const std::pair<const char*, const char*> kComparisons[] = {
            {"eq", "="}, {"gt", ">"}, {"gte", ">="}, {"lt", "<"}, {"lte", "<="}};
        for (const auto& [name, sql] : kComparisons) {
            if (op == name) {
                return not_null_and(field, column,
                                    column + " " + comparison_sql(field.type, sql) + " " +
                                        scalar(field, op, value));
            }
        }
        if (op == "neq") {
            return null_or(
                field, column,
                column + " " + comparison_sql(field.type, "<>") + " " + scalar(field, op, value));
        }
        if (op == "in")
            return not_null_and(field, column,
                                column + " " + comparison_sql(field.type, "=") + " ANY (" +
                                    array(field, op, value) + ")");
        if (op == "nin")
            return null_or(field, column,
                           column + " " + comparison_sql(field.type, "<>") + " ALL (" +
                               array(field, op, value) + ")");
        if (op == "like" || op == "ilike") {
            if (field.type != ValueType::Text) {
                throw Error::invalid_parameter(
                    "operator \"" + op + "\" does not apply to field \"" + std::string(field.name) +
                        "\"",
                    "Pattern matching works on text fields only.",
                    "Use eq, neq, gt, gte, lt, lte, in, nin or is_null on this field.");
            }
            if (!is_json_string(value)) {
                throw Error::invalid_parameter("operator \"" + op + "\" takes a string pattern",
                                               "Its value is " + json_kind(value) + ".",
                                               "Give a LIKE pattern such as \"%order%\".");
            }
            check_pattern(field, op, value.get<std::string>());
            return not_null_and(
                field, column,
                column + (op == "like" ? " LIKE " : " ILIKE ") + scalar(field, op, value));
        }
        if (op == "is_null") {
            if (!value.is_boolean()) {
                throw Error::invalid_parameter(
                    "operator \"is_null\" takes true or false",
                    "Its value is " + json_kind(value) + ".",
                    "Write {\"is_null\": true} or {\"is_null\": false}.");
            }
            return column + (value.get<bool>() ? " IS NULL" : " IS NOT NULL");
        }
        throw Error::invalid_parameter("unknown filter operator " + quoted(op),
                                       "The operator is not one pg_webhook knows.",
                                       std::string("Operators: ") + operator_list() + ".");
    }

    // A pattern that ends with its escape character (a lone backslash) is an
    // error of LIKE, but one Postgres raises only when a row's text gets that
    // far in the pattern: the same filter failed or not by the data it met,
    // and with neither detail nor hint. Refused here, before anything runs,
    // with Postgres's SQLSTATE. A backslash is one byte that UTF-8 never uses
    // inside another character, so a byte scan is exact.
    static void check_pattern(const Field& field, const std::string& op,
                              const std::string& pattern) {
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            if (pattern[i] != '\\') continue;
            if (i + 1 < pattern.size()) {
                ++i;  // the escaped character, whatever it is
                continue;
            }
            throw Error(kInvalidEscapeSequence,
                        "pattern of \"" + op + "\" on field \"" + std::string(field.name) +
                            "\" ends with an escape character",
                        "In a LIKE pattern a backslash escapes the character after it, and this "
                        "pattern ends with a backslash that escapes nothing.",
                        "To match a backslash, double it (\\\\ in the pattern, written "
                        "\"\\\\\\\\\" in JSON).");
        }
    }

    // A comparison that is false, not NULL, on a NULL column.
    static std::string not_null_and(const Field& field, const std::string& column,
                                    const std::string& comparison) {
        if (!field.nullable) return comparison;
        return "(" + column + " IS NOT NULL AND " + comparison + ")";
    }

    // A negative comparison that a NULL column satisfies.
    static std::string null_or(const Field& field, const std::string& column,
                               const std::string& comparison) {
        if (!field.nullable) return comparison;
        return "(" + column + " IS NULL OR " + comparison + ")";
    }

    std::string scalar(const Field& field, const std::string& op, const Json& value) {
        return bind(parameters_.add_literal(field.type, scalar_text(field, op, value)));
    }

    std::string array(const Field& field, const std::string& op, const Json& value) {
        if (!value.is_array()) {
            throw Error::invalid_parameter("operator \"" + op + "\" takes a JSON array",
                                           "Its value is " + json_kind(value) + ".",
                                           "Write {\"" + op + "\": [value, ...]}.");
        }
        if (value.size() > kMaxListValues) {
            throw Error::invalid_parameter(
                "filter operator \"" + op + "\" has too many values",
                "This \"" + op + "\" list has " + std::to_string(value.size()) +
                    " values; one may hold at most " + std::to_string(kMaxListValues) + ".",
                "Pass at most " + std::to_string(kMaxListValues) +
                    " values, and narrow the listing with another condition, such as a time "
                    "range or an endpoint.");
        }
        std::vector<std::string> texts;
        for (const Json& element : value) texts.push_back(scalar_text(field, op, element));
        return bind(parameters_.add_literal_array(field.type, std::move(texts)));
    }

    std::string bind(std::string placeholder) {
        if (parameters_.items().size() > kMaxParameters) {
            throw Error::invalid_parameter(
                "filter has too many values",
                "A filter may hold at most " + std::to_string(kMaxParameters) + " values.",
                "Use fewer conditions, or an \"in\" list.");
        }
        return placeholder;
    }

    // The text Postgres will read with the field type's input function, so a
    // wrong-typed value fails there with Postgres's own SQLSTATE.
    // A number is read as the digits the filter holds (see
    // parse_json_argument), never as a double's rendering of them.
    static std::string scalar_text(const Field& field, const std::string& op, const Json& value) {
        if (std::optional<std::string> digits = json_number_text(value)) return *digits;
        if (value.is_string()) return value.get<std::string>();
        if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
        if (value.is_null()) {
            bool list = op == "in" || op == "nin";
            throw Error::invalid_parameter(
                "operator \"" + op + "\" on field \"" + std::string(field.name) +
                    "\" cannot take null",
                list ? "A list of values cannot hold null: a comparison with null matches nothing."
                     : "A comparison with null matches nothing.",
                null_hint(field, op));
        }
        throw Error::invalid_parameter(
            "operator \"" + op + "\" on field \"" + std::string(field.name) +
                "\" takes a scalar value",
            "Its value is " + json_kind(value) + ".",
            "Give a string, number or boolean (arrays only with in and nin).");
    }

    // What a caller who wrote null with `op` meant, said as the filter that
    // does it: eq and in meant the NULL rows, neq and nin the others.
    static std::string null_hint(const Field& field, const std::string& op) {
        const std::string name(field.name);
        const std::string is_null = "{\"" + name + "\": {\"is_null\": ";
        if (op == "eq")
            return "To match rows whose " + name + " is NULL, write " + is_null + "true}}.";
        if (op == "neq") {
            return "To match rows whose " + name + " is not NULL, write " + is_null + "false}}.";
        }
        if (op == "in") {
            return "Leave null out of the list; to match rows whose " + name +
                   " is NULL too, write {\"or\": [{\"" + name + "\": {\"in\": [...]}}, " + is_null +
                   "true}}]}.";
        }
        if (op == "nin") {
            return "Leave null out of the list; to leave out rows whose " + name +
                   " is NULL too, add \"is_null\": false beside \"nin\".";
        }
        return "Compare with a value; to test whether " + name + " is NULL, write " + is_null +
               "true}} (or false).";
    }

    static void append_and(std::string& out, const std::string& condition) {
        if (!out.empty()) out += " AND ";
        out += condition;
    }

    ParameterList& parameters_;
    std::size_t nodes_ = 0;
};

}  // namespace

const char* operator_list() { return "eq, neq, gt, gte, lt, lte, in, nin, like, ilike, is_null"; }

std::string compile_filter(const std::string& json, ParameterList& parameters) {
    Json document = parse_json_argument("filter", json);
    if (document.is_null()) return "true";
    FilterCompiler compiler(parameters);
    return "(" + compiler.node(document, Scope::Delivery, 1) + ")";
}

}  // namespace webhook::listing
