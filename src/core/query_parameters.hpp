// The typed parameter list of a compiled listing query. Every value a user
// gives reaches Postgres as one of these, bound to a $n placeholder; none is
// ever spliced into the SQL text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/listing_fields.hpp"

namespace webhook::listing {

enum class ParameterSource {
    Literal,    // text (or texts, for arrays) read with the type's input function
    CursorKey,  // one sort-key value decoded from a cursor (see listing_cursor.hpp)
    Argument,   // the SQL function's own argument at `argument`, already typed
    Integer,    // a LIMIT or OFFSET computed by the compiler
};

struct QueryParameter {
    ValueType type = ValueType::Text;
    bool is_array = false;
    ParameterSource source = ParameterSource::Literal;
    std::vector<std::string> texts;  // Literal: 1 element, or n for an array; CursorKey: 1
    int argument = -1;               // Argument
    std::int64_t integer = 0;        // Integer (type Int4 is not used: it is int8)
};

class ParameterList {
  public:
    // Appends `parameter` and returns its placeholder, "$1", "$2", ...
    std::string add(QueryParameter parameter);
    std::string add_literal(ValueType type, std::string text);
    std::string add_literal_array(ValueType type, std::vector<std::string> texts);
    std::string add_argument(ValueType type, bool is_array, int argument);
    std::string add_integer(std::int64_t value);

    const std::vector<QueryParameter>& items() const { return items_; }

  private:
    std::vector<QueryParameter> items_;
};

}  // namespace webhook::listing
