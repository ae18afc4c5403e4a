// The server settings (GUCs) of pg_webhook, registered from _PG_init.
#pragma once

#include "core/retry_schedule.hpp"

namespace webhook::pg {

void register_settings();

// The current webhook.retry_schedule, parsed (the check hook has validated it).
RetrySchedule current_retry_schedule();

extern char* setting_database;
extern char* setting_workspace_id;
extern char* setting_retry_schedule;

// The dispatcher's settings (all reloaded on SIGHUP).
extern int setting_max_in_flight;
extern int setting_request_timeout_ms;
extern int setting_connect_timeout_ms;
extern int setting_response_body_limit;
extern char* setting_allowed_networks;
extern char* setting_tls_ca_file;

}  // namespace webhook::pg
