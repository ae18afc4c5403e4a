#include "pg/listing_row_receiver.hpp"

#include <cstring>
#include <string>

#include "core/error.hpp"
#include "pg/error_boundary.hpp"

extern "C" {
#include "access/htup_details.h"
#include "executor/tuptable.h"
}

namespace webhook::pg {

// Makes the cursor of a row from its sort-key values, for the receiver's
// callbacks: it never throws, it keeps what went wrong for finish().
struct RowCursorMaker {
    listing::CursorWriter& writer;
    const listing::SortOrder& order;
    EnumLabels& labels;
    std::exception_ptr failure;

    bool make(const Datum* values, const bool* nulls, const char** token,
              std::size_t* length) noexcept {
        try {
            for (std::size_t i = 0; i < order.keys.size(); ++i) {
                add_cursor_key(writer, values[i], nulls[i], order.keys[i].field->type, labels);
            }
            const std::string& made = writer.finish();
            *token = made.data();
            *length = made.size();
            return true;
        } catch (...) {
            failure = std::current_exception();
            return false;
        }
    }
};

// Plain C data, reached by Postgres through its first member.
struct ListingRowReceiverState {
    DestReceiver receiver;
    Tuplestorestate* store;
    TupleDesc result;
    RowCursorMaker* cursors;
    int key_count;
    AttrNumber* key_columns;
    Datum* key_values;
    bool* key_nulls;
    Datum* values;  // a row formed anew: its columns, then the cursor
    bool* nulls;
    char* row_buffer;  // the row being stored, reused from row to row
    Size row_buffer_size;
    HeapTupleData row;
    bool reversed;
    HeapTuple* held;  // a reversed page's rows, in the order read
    int held_count;
    int held_capacity;
    MemoryContext context;
    bool other_shape;  // the statement's columns are not the result's
};

namespace {

// The functions below are Postgres callbacks and what they call, in plain C
// style: no C++ object lives in their frames, so a Postgres error raised
// under them (out of memory, a tuplestore spilling to a full disk) unwinds
// through them to the statement's caller, as through Postgres's own
// receivers; C++ work goes through RowCursorMaker::make, which never throws.

char* row_buffer_of(ListingRowReceiverState* state, Size size) {
    if (size > state->row_buffer_size) {
        Size grown = Max(size, 2 * state->row_buffer_size);
        state->row_buffer = static_cast<char*>(repalloc(state->row_buffer, grown));
        state->row_buffer_size = grown;
    }
    return state->row_buffer;
}

// The row as the table stores it, with the cursor appended: a copy of its
// bytes, one more column counted, the cursor written as heap_fill_tuple
// would (a short header when it fits in one, else aligned with a 4-byte
// header). The tuple's first MINIMAL_TUPLE_OFFSET bytes are not copied: the
// tuplestore keeps rows as minimal tuples, which have none of them. Null
// when the row does not have exactly the statement's columns, or its null
// bitmap has no room for one more column.
HeapTuple appended_row(ListingRowReceiverState* state, HeapTupleHeader source, Size length,
                       const char* token, Size token_length) {
    int columns = HeapTupleHeaderGetNatts(source);
    bool has_nulls = (source->t_infomask & HEAP_HASNULL) != 0;
    if (columns != state->result->natts - 1) return nullptr;
    if (has_nulls && SizeofHeapTupleHeader + BITMAPLEN(columns + 1) > source->t_hoff) {
        return nullptr;
    }
    bool short_header = token_length + VARHDRSZ_SHORT <= VARATT_SHORT_MAX;
    Size at = short_header ? length : INTALIGN(length);
    Size size = at + (short_header ? VARHDRSZ_SHORT : VARHDRSZ) + token_length;
    char* out = row_buffer_of(state, size);
    memcpy(out + MINIMAL_TUPLE_OFFSET, reinterpret_cast<char*>(source) + MINIMAL_TUPLE_OFFSET,
           length - MINIMAL_TUPLE_OFFSET);
    memset(out + length, 0, at - length);
    if (short_header) {
        SET_VARSIZE_SHORT(out + at, VARHDRSZ_SHORT + token_length);
        memcpy(out + at + VARHDRSZ_SHORT, token, token_length);
    } else {
        SET_VARSIZE(out + at, VARHDRSZ + token_length);
        memcpy(out + at + VARHDRSZ, token, token_length);
    }
    auto* header = reinterpret_cast<HeapTupleHeader>(out);
    HeapTupleHeaderSetNatts(header, columns + 1);
    header->t_infomask |= HEAP_HASVARWIDTH;
    if (has_nulls) header->t_bits[columns / 8] |= static_cast<bits8>(1 << (columns % 8));
    state->row.t_len = static_cast<uint32>(size);
    state->row.t_data = header;
    return &state->row;
}

// Any other row (a projection's): its columns and the cursor formed anew.
HeapTuple formed_row(ListingRowReceiverState* state, TupleTableSlot* slot, const char* token,
                     Size token_length) {
    int columns = state->result->natts - 1;
    slot_getallattrs(slot);
    memcpy(state->values, slot->tts_values, columns * sizeof(Datum));
    memcpy(state->nulls, slot->tts_isnull, columns * sizeof(bool));
    auto* cursor = reinterpret_cast<text*>(row_buffer_of(state, VARHDRSZ + token_length));
    SET_VARSIZE(cursor, VARHDRSZ + token_length);
    memcpy(VARDATA(cursor), token, token_length);
    state->values[columns] = PointerGetDatum(cursor);
    state->nulls[columns] = false;
    return heap_form_tuple(state->result, state->values, state->nulls);
}

void hold_row(ListingRowReceiverState* state, HeapTuple row) {
    if (state->held_count == state->held_capacity) {
        state->held_capacity *= 2;
        state->held = static_cast<HeapTuple*>(
            repalloc(state->held, state->held_capacity * sizeof(HeapTuple)));
    }
    MemoryContext caller = MemoryContextSwitchTo(state->context);
    state->held[state->held_count++] = heap_copytuple(row);
    MemoryContextSwitchTo(caller);
}

bool receive_row(TupleTableSlot* slot, DestReceiver* self) {
    auto* state = reinterpret_cast<ListingRowReceiverState*>(self);
    if (state->other_shape) return false;
    for (int i = 0; i < state->key_count; ++i) {
        state->key_values[i] = slot_getattr(slot, state->key_columns[i], &state->key_nulls[i]);
    }
    const char* token = nullptr;
    std::size_t token_length = 0;
    if (!state->cursors->make(state->key_values, state->key_nulls, &token, &token_length)) {
        return false;
    }
    HeapTuple row = nullptr;
    bool formed = false;
    if (TTS_IS_BUFFERTUPLE(slot) || TTS_IS_HEAPTUPLE(slot)) {
        bool copied = false;
        HeapTuple tuple = ExecFetchSlotHeapTuple(slot, false, &copied);
        row = appended_row(state, tuple->t_data, tuple->t_len, token, token_length);
        if (copied) heap_freetuple(tuple);
    } else if (TTS_IS_MINIMALTUPLE(slot)) {
        bool copied = false;
        MinimalTuple tuple = ExecFetchSlotMinimalTuple(slot, &copied);
        // Seen as the heap tuple it was cut from (the bytes before it are
        // never read).
        auto* header = reinterpret_cast<HeapTupleHeader>(reinterpret_cast<char*>(tuple) -
                                                         MINIMAL_TUPLE_OFFSET);
        row = appended_row(state, header, tuple->t_len + MINIMAL_TUPLE_OFFSET, token, token_length);
        if (copied) pfree(tuple);
    }
    if (row == nullptr) {
        row = formed_row(state, slot, token, token_length);
        formed = true;
    }
    if (state->reversed) {
        hold_row(state, row);
    } else {
        tuplestore_puttuple(state->store, row);
    }
    if (formed) heap_freetuple(row);
    return true;
}

// The statement is generated from the result type, so only a bug can give
// it other columns; the receiver then stores nothing and finish() says so.
void start_statement(DestReceiver* self, int, TupleDesc statement) {
    auto* state = reinterpret_cast<ListingRowReceiverState*>(self);
    bool same = statement->natts == state->result->natts - 1;
    for (int i = 0; same && i < statement->natts; ++i) {
        same = TupleDescAttr(statement, i)->atttypid == TupleDescAttr(state->result, i)->atttypid;
    }
    for (int i = 0; same && i < state->key_count; ++i) {
        same = state->key_columns[i] >= 1 && state->key_columns[i] <= statement->natts;
    }
    state->other_shape = !same;
}

void end_statement(DestReceiver*) {}

void destroy_receiver(DestReceiver*) {}

}  // namespace

ListingRowReceiver::ListingRowReceiver(Tuplestorestate* store, TupleDesc result,
                                       const std::vector<AttrNumber>& key_columns,
                                       listing::CursorWriter& writer,
                                       const listing::SortOrder& order, EnumLabels& labels,
                                       bool reversed)
    : cursors_(new RowCursorMaker{writer, order, labels, nullptr}) {
    if (key_columns.size() != order.keys.size()) {
        throw Error(sqlstate::kInternalError, "listing sort keys do not match their columns");
    }
    int key_count = static_cast<int>(key_columns.size());
    int columns = result->natts;
    state_ = call_postgres([&] {
        auto* state =
            static_cast<ListingRowReceiverState*>(palloc0(sizeof(ListingRowReceiverState)));
        state->receiver.receiveSlot = receive_row;
        state->receiver.rStartup = start_statement;
        state->receiver.rShutdown = end_statement;
        state->receiver.rDestroy = destroy_receiver;
        state->receiver.mydest = DestNone;
        state->store = store;
        state->result = result;
        state->key_count = key_count;
        state->key_columns =
            static_cast<AttrNumber*>(palloc(Max(key_count, 1) * sizeof(AttrNumber)));
        state->key_values = static_cast<Datum*>(palloc(Max(key_count, 1) * sizeof(Datum)));
        state->key_nulls = static_cast<bool*>(palloc(Max(key_count, 1) * sizeof(bool)));
        state->values = static_cast<Datum*>(palloc(columns * sizeof(Datum)));
        state->nulls = static_cast<bool*>(palloc(columns * sizeof(bool)));
        state->row_buffer_size = 1024;
        state->row_buffer = static_cast<char*>(palloc(state->row_buffer_size));
        state->reversed = reversed;
        state->held_capacity = 128;
        state->held = static_cast<HeapTuple*>(palloc(state->held_capacity * sizeof(HeapTuple)));
        state->context = CurrentMemoryContext;
        return state;
    });
    for (int i = 0; i < key_count; ++i) state_->key_columns[i] = key_columns[i];
    state_->cursors = cursors_.get();
}

ListingRowReceiver::~ListingRowReceiver() = default;

DestReceiver* ListingRowReceiver::destination() { return &state_->receiver; }

void ListingRowReceiver::finish() {
    if (cursors_->failure) std::rethrow_exception(cursors_->failure);
    if (state_->other_shape) {
        throw Error(sqlstate::kInternalError,
                    "listing query does not match webhook.listed_delivery",
                    "The rows statement has other columns than the result type.");
    }
    ListingRowReceiverState* state = state_;
    call_postgres([state] {
        for (int n = state->held_count; n-- > 0;) tuplestore_puttuple(state->store, state->held[n]);
    });
}

}  // namespace webhook::pg
