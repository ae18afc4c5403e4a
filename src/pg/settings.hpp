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

}  // namespace webhook::pg
