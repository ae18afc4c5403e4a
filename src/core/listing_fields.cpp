#include "core/listing_fields.hpp"

namespace webhook::listing {

const std::vector<Field>& delivery_fields() {
    // payload is neither filterable nor sortable; response_body is too large
    // to sort on usefully but may be filtered.
    static const std::vector<Field> fields = {
        {"id", ValueType::Uuid, false, true},
        {"workspace_id", ValueType::Uuid, false, true},
        {"endpoint_id", ValueType::Uuid, false, true},
        {"event_id", ValueType::Text, false, true},
        {"event_type", ValueType::Text, false, true},
        {"payload_hash", ValueType::Text, false, true},
        {"status", ValueType::DeliveryStatus, false, true},
        {"attempt_count", ValueType::Int4, false, true},
        {"max_attempts", ValueType::Int4, false, true},
        {"next_attempt_at", ValueType::Timestamptz, true, true},
        {"last_attempted_at", ValueType::Timestamptz, true, true},
        {"last_error", ValueType::Text, true, true},
        {"http_status", ValueType::Int4, true, true},
        {"response_body", ValueType::Text, true, false},
        {"delivered_at", ValueType::Timestamptz, true, true},
        {"created_at", ValueType::Timestamptz, false, true},
        {"updated_at", ValueType::Timestamptz, false, true},
    };
    return fields;
}

const std::vector<Field>& endpoint_fields() {
    static const std::vector<Field> fields = {
        {"url", ValueType::Text, false, false},
        {"description", ValueType::Text, true, false},
        {"enabled", ValueType::Boolean, false, false},
    };
    return fields;
}

std::string comparison_sql(ValueType type, std::string_view op) {
    if (type == ValueType::DeliveryStatus) return "OPERATOR(webhook." + std::string(op) + ")";
    return std::string(op);
}

const Field* find_field(const std::vector<Field>& fields, std::string_view name) {
    for (const Field& field : fields) {
        if (field.name == name) return &field;
    }
    return nullptr;
}

std::string field_list(const std::vector<Field>& fields, bool sortable_only) {
    std::string out;
    for (const Field& field : fields) {
        if (sortable_only && !field.sortable) continue;
        if (!out.empty()) out += ", ";
        out += field.name;
    }
    return out;
}

}  // namespace webhook::listing
