# The one source list, read by the PGXS Makefile and by CMakeLists.txt.
# One file per line. CORE and HTTP files never include postgres.h.

CORE_SOURCES = \
	src/core/base64.cpp \
	src/core/random_bytes.cpp \
	src/core/uuid_v7.cpp \
	src/core/endpoint_secret.cpp \
	src/core/endpoint_url.cpp \
	src/core/retry_schedule.cpp \
	src/core/webhook_signature.cpp \
	src/core/address_policy.cpp \
	src/core/http_date.cpp \
	src/core/retry_policy.cpp \
	src/core/utf8_text.cpp \
	src/core/delivery_request.cpp \
	src/core/attempt_recording.cpp \
	src/core/listing_fields.cpp \
	src/core/json_text.cpp \
	src/core/query_parameters.cpp \
	src/core/listing_order.cpp \
	src/core/listing_filter.cpp \
	src/core/listing_keyset.cpp \
	src/core/hmac_sha256.cpp \
	src/core/siphash.cpp \
	src/core/listing_cursor.cpp \
	src/core/listing_query.cpp

HTTP_SOURCES = \
	src/http/http_engine.cpp \
	src/http/engine_thread.cpp

PG_SOURCES = \
	src/pg/error_boundary.cpp \
	src/pg/settings.cpp \
	src/pg_webhook.cpp \
	src/api/id_functions.cpp \
	src/api/session_workspace_function.cpp \
	src/api/payload_hash_function.cpp \
	src/api/endpoint_functions.cpp \
	src/api/endpoint_secret_read.cpp \
	src/api/dispatch_functions.cpp \
	src/api/withdrawal_trigger.cpp \
	src/api/endpoint_schedule_trigger.cpp \
	src/worker/shared_state.cpp \
	src/pg/spi_plan_cache.cpp \
	src/pg/cursor_signing_key.cpp \
	src/pg/listing_values.cpp \
	src/pg/listing_row_receiver.cpp \
	src/pg/pinned_search_path.cpp \
	src/pg/workspace_visibility.cpp \
	src/pg/table_lock_guard.cpp \
	src/api/list_deliveries.cpp \
	src/worker/delivery_store.cpp \
	src/worker/dispatcher.cpp \
	src/worker/http_request_sender.cpp \
	src/worker/worker_main.cpp \
	src/worker/database_drop_guard.cpp \
	src/worker/commit_prepared_wake.cpp

PG_WEBHOOK_SOURCES = $(CORE_SOURCES) $(HTTP_SOURCES) $(PG_SOURCES)
