// webhook.listing_cursor(VARIADIC "any"): the cursor of one listed row, from
// its sort-key values; called by the rows statement of a listing (see
// pg/listing_cursor_scope.hpp), once per row.
#include "core/error.hpp"
#include "pg/error_boundary.hpp"
#include "pg/listing_cursor_scope.hpp"
#include "pg/listing_values.hpp"

namespace {

using webhook::Error;

}  // namespace

WEBHOOK_SQL_FUNCTION(webhook_listing_cursor) {
    const webhook::pg::ActiveCursorWriter* active = webhook::pg::active_cursor_writer();
    if (active == nullptr) {
        throw Error(webhook::sqlstate::kInsufficientPrivilege,
                    "webhook.listing_cursor can only be used by the listing functions",
                    "It makes the cursor of each row that webhook.list_deliveries returns.",
                    "Use the cursor column of webhook.list_deliveries or webhook.deliveries_page.");
    }
    const auto& keys = active->order.keys;
    if (PG_NARGS() != static_cast<int>(keys.size())) {
        throw Error(webhook::sqlstate::kInternalError,
                    "webhook.listing_cursor got another number of sort keys than the order has");
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
        int argument = static_cast<int>(i);
        webhook::pg::add_cursor_key(active->writer, PG_GETARG_DATUM(argument),
                                    PG_ARGISNULL(argument), keys[i].field->type, active->labels);
    }
    const std::string& token = active->writer.finish();
    const char* token_text = token.data();
    int token_length = static_cast<int>(token.size());
    return webhook::pg::call_postgres(
        [&] { return PointerGetDatum(cstring_to_text_with_len(token_text, token_length)); });
}
