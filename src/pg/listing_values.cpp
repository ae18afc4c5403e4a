#include "pg/listing_values.hpp"

#include <stdexcept>

#include "core/error.hpp"
#include "pg/error_boundary.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

namespace webhook::pg {
namespace {

using listing::ParameterSource;
using listing::QueryParameter;
using listing::ValueType;

Oid delivery_status_oid() {
    return call_postgres([] {
        Oid schema = get_namespace_oid("webhook", false);
        return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("delivery_status"),
                               ObjectIdGetDatum(schema));
    });
}

// Reads `text` with the input function of `type`; Postgres errors (bad
// syntax, out of range) come back as webhook::Error with their SQLSTATE.
Datum read_input(Oid type, const std::string& text) {
    const char* c_text = text.c_str();
    return call_postgres([&] {
        Oid input = InvalidOid;
        Oid io_parameter = InvalidOid;
        getTypeInputInfo(type, &input, &io_parameter);
        return OidInputFunctionCall(input, const_cast<char*>(c_text), io_parameter, -1);
    });
}

Datum read_array(Oid element_type, const std::vector<std::string>& texts) {
    std::vector<Datum> elements;
    elements.reserve(texts.size());
    for (const std::string& text : texts) elements.push_back(read_input(element_type, text));
    Datum* data = elements.data();
    int count = static_cast<int>(elements.size());
    return call_postgres([&] {
        int16 length = 0;
        bool by_value = false;
        char align = 'i';
        get_typlenbyvalalign(element_type, &length, &by_value, &align);
        return PointerGetDatum(construct_array(data, count, element_type, length, by_value, align));
    });
}

// A cursor key in canonical text (see core/listing_cursor.hpp). Its bytes
// were signed by this installation, so they parse; stoll/stoi only guard
// against a bug.
Datum read_cursor_key(ValueType type, const std::string& text) {
    switch (type) {
        case ValueType::Timestamptz:
            return TimestampTzGetDatum(std::stoll(text));
        case ValueType::Int4:
            return Int32GetDatum(std::stoi(text));
        case ValueType::Text: {
            const char* c_text = text.c_str();
            int length = static_cast<int>(text.size());
            return call_postgres(
                [&] { return PointerGetDatum(cstring_to_text_with_len(c_text, length)); });
        }
        default:
            return read_input(listing_type_oid(type, false), text);
    }
}

}  // namespace

Oid listing_type_oid(ValueType type, bool is_array) {
    Oid element = InvalidOid;
    switch (type) {
        case ValueType::Uuid:
            element = UUIDOID;
            break;
        case ValueType::Text:
            element = TEXTOID;
            break;
        case ValueType::Int4:
            element = INT4OID;
            break;
        case ValueType::Timestamptz:
            element = TIMESTAMPTZOID;
            break;
        case ValueType::Boolean:
            element = BOOLOID;
            break;
        case ValueType::DeliveryStatus:
            element = delivery_status_oid();
            break;
    }
    if (element == InvalidOid) {
        throw Error(sqlstate::kInternalError, "type webhook.delivery_status is missing");
    }
    if (!is_array) return element;
    Oid array = call_postgres([&] { return get_array_type(element); });
    if (array == InvalidOid) throw Error(sqlstate::kInternalError, "array type is missing");
    return array;
}

BoundParameters bind_parameters(const std::vector<QueryParameter>& parameters,
                                FunctionCallInfo fcinfo) {
    BoundParameters bound;
    for (const QueryParameter& parameter : parameters) {
        switch (parameter.source) {
            case ParameterSource::Integer:
                bound.types.push_back(INT8OID);
                bound.values.push_back(Int64GetDatum(parameter.integer));
                break;
            case ParameterSource::Argument:
                bound.types.push_back(listing_type_oid(parameter.type, parameter.is_array));
                bound.values.push_back(PG_GETARG_DATUM(parameter.argument));
                break;
            case ParameterSource::CursorKey:
                bound.types.push_back(listing_type_oid(parameter.type, false));
                bound.values.push_back(read_cursor_key(parameter.type, parameter.texts.at(0)));
                break;
            case ParameterSource::Literal: {
                Oid element = listing_type_oid(parameter.type, false);
                if (parameter.is_array) {
                    bound.types.push_back(listing_type_oid(parameter.type, true));
                    bound.values.push_back(read_array(element, parameter.texts));
                } else {
                    bound.types.push_back(element);
                    bound.values.push_back(read_input(element, parameter.texts.at(0)));
                }
                break;
            }
        }
    }
    return bound;
}

const std::string& EnumLabels::label(Datum value, ValueType type) {
    Oid value_oid = DatumGetObjectId(value);
    for (const auto& [oid, label] : labels_) {
        if (oid == value_oid) return label;
    }
    Oid type_oid = listing_type_oid(type, false);
    char* c_text = call_postgres([&] {
        Oid output = InvalidOid;
        bool varlena = false;
        getTypeOutputInfo(type_oid, &output, &varlena);
        return OidOutputFunctionCall(output, value);
    });
    labels_.emplace_back(value_oid, c_text);
    return labels_.back().second;
}

void add_cursor_key(listing::CursorWriter& writer, Datum value, bool is_null, ValueType type,
                    EnumLabels& labels) {
    if (is_null) {
        writer.add_null();
        return;
    }
    switch (type) {
        case ValueType::Timestamptz:
            writer.add_int64(DatumGetTimestampTz(value));
            return;
        case ValueType::Int4:
            writer.add_int32(DatumGetInt32(value));
            return;
        case ValueType::Uuid:
            writer.add_bytes(DatumGetUUIDP(value)->data, UUID_LEN);
            return;
        case ValueType::Text: {
            // Short text is read in place; only a toasted value is copied.
            auto* packed = call_postgres([&] {
                return pg_detoast_datum_packed(reinterpret_cast<struct varlena*>(DatumGetPointer(value)));
            });
            writer.add_bytes(reinterpret_cast<const std::uint8_t*>(VARDATA_ANY(packed)),
                             VARSIZE_ANY_EXHDR(packed));
            return;
        }
        default: {
            const std::string& label = labels.label(value, type);
            writer.add_bytes(reinterpret_cast<const std::uint8_t*>(label.data()), label.size());
            return;
        }
    }
}

}  // namespace webhook::pg
