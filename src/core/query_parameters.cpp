#include "core/query_parameters.hpp"

#include <utility>

namespace webhook::listing {

std::string ParameterList::add(QueryParameter parameter) {
    items_.push_back(std::move(parameter));
    return "$" + std::to_string(items_.size());
}

std::string ParameterList::add_literal(ValueType type, std::string text) {
    QueryParameter parameter;
    parameter.type = type;
    parameter.texts.push_back(std::move(text));
    return add(std::move(parameter));
}

std::string ParameterList::add_literal_array(ValueType type, std::vector<std::string> texts) {
    QueryParameter parameter;
    parameter.type = type;
    parameter.is_array = true;
    parameter.texts = std::move(texts);
    return add(std::move(parameter));
}

std::string ParameterList::add_argument(ValueType type, bool is_array, int argument) {
    QueryParameter parameter;
    parameter.type = type;
    parameter.is_array = is_array;
    parameter.source = ParameterSource::Argument;
    parameter.argument = argument;
    return add(std::move(parameter));
}

std::string ParameterList::add_integer(std::int64_t value) {
    QueryParameter parameter;
    parameter.source = ParameterSource::Integer;
    parameter.integer = value;
    return add(std::move(parameter));
}

}  // namespace webhook::listing
