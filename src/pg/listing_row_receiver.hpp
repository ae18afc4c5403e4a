// Where a listing's rows go: a DestReceiver that appends each row's cursor
// to the row as the statement yields it and stores the row in the
// function's result.
//
// The statement selects webhook.delivery's columns in the table's order, so
// an index scan hands over the table's own tuple, and the cursor is appended
// to a copy of its bytes: no projection, no deform and form of the row (what
// a cursor column computed in the statement costs). Rows in another shape
// (a Sort's, a join's) are formed with the cursor as any row would be.
#pragma once

#include <memory>
#include <vector>

#include "core/listing_cursor.hpp"
#include "core/listing_order.hpp"
#include "pg/listing_values.hpp"
#include "pg/postgres_headers.hpp"

extern "C" {
#include "tcop/dest.h"
#include "utils/tuplestore.h"
}

namespace webhook::pg {

struct ListingRowReceiverState;
struct RowCursorMaker;

class ListingRowReceiver {
  public:
    // `result`: the listing's result type (the statement's columns, then
    // cursor); `key_columns`: the 1-based column of each sort key of
    // `order` in the statement; `reversed`: the statement reads the page
    // backward (a `before` page), so its rows are stored in the opposite
    // order. Allocates in the current memory context, which must outlive
    // the statement.
    ListingRowReceiver(Tuplestorestate* store, TupleDesc result,
                       const std::vector<AttrNumber>& key_columns, listing::CursorWriter& writer,
                       const listing::SortOrder& order, EnumLabels& labels, bool reversed);
    ~ListingRowReceiver();
    ListingRowReceiver(const ListingRowReceiver&) = delete;
    ListingRowReceiver& operator=(const ListingRowReceiver&) = delete;

    DestReceiver* destination();

    // After the statement: throws what stopped the receiver (a statement of
    // another shape, a cursor that could not be made), else stores the rows
    // of a reversed page in the requested order.
    void finish();

  private:
    std::unique_ptr<RowCursorMaker> cursors_;
    ListingRowReceiverState* state_;  // palloc'd: the memory context frees it
};

}  // namespace webhook::pg
