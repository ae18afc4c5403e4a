#include "pg/settings.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "core/address_policy.hpp"
#include "core/error.hpp"
#include "pg/postgres_headers.hpp"

extern "C" {
#include "utils/guc.h"
#include "utils/uuid.h"
}

namespace webhook::pg {

char* setting_database = nullptr;
char* setting_workspace_id = nullptr;
char* setting_retry_schedule = nullptr;
int setting_max_in_flight = 64;
int setting_request_timeout_ms = 15000;
int setting_connect_timeout_ms = 5000;
int setting_response_body_limit = 4096;
char* setting_allowed_networks = nullptr;
char* setting_tls_ca_file = nullptr;

namespace {

// GUC check hooks are called by Postgres: they must not throw.
bool check_retry_schedule(char** value, void**, GucSource) noexcept {
    try {
        parse_retry_schedule(*value ? *value : "");
        return true;
    } catch (const Error& error) {
        GUC_check_errdetail("%s", error.detail().c_str());
        GUC_check_errhint("%s", error.hint().c_str());
    } catch (...) {
        GUC_check_errdetail("The schedule could not be parsed.");
    }
    return false;
}

bool looks_like_uuid(const char* text) noexcept {
    int hex_digits = 0;
    for (const char* p = text; *p; ++p) {
        if (isxdigit(static_cast<unsigned char>(*p))) {
            ++hex_digits;
        } else if (*p != '-' && *p != '{' && *p != '}') {
            return false;
        }
    }
    return hex_digits == 32;
}

// A name no database can have would leave the launcher waiting for it
// forever, saying only that it does not exist: Postgres cuts a database's
// name to NAMEDATALEN - 1 bytes, so a longer one never matches.
bool check_database_name(char** value, void**, GucSource) noexcept {
    const char* name = *value ? *value : "";
    if (*name == '\0') {
        GUC_check_errdetail("The worker needs a database to serve; an empty name names none.");
        GUC_check_errhint("Set webhook.database to the name of the database where CREATE "
                          "EXTENSION pg_webhook was run, or remove the line for postgres.");
        return false;
    }
    if (std::strlen(name) >= NAMEDATALEN) {
        GUC_check_errdetail("A database name has at most %d bytes; this one has %zu.",
                            NAMEDATALEN - 1, std::strlen(name));
        GUC_check_errhint("Set webhook.database to the database's name as Postgres shows it "
                          "(SELECT datname FROM pg_database).");
        return false;
    }
    return true;
}

bool check_workspace_id(char** value, void**, GucSource) noexcept {
    if (*value == nullptr || **value == '\0' || looks_like_uuid(*value)) return true;
    GUC_check_errdetail("\"%s\" is not a UUID.", *value);
    GUC_check_errhint("Set webhook.workspace_id to the UUID of a workspace, or to '' for none.");
    return false;
}

bool check_allowed_networks(char** value, void**, GucSource) noexcept {
    try {
        AddressPolicy::parse(*value ? *value : "");
        return true;
    } catch (const Error& error) {
        GUC_check_errdetail("%s", error.detail().c_str());
        GUC_check_errhint("%s", error.hint().c_str());
    } catch (...) {
        GUC_check_errdetail("The list of networks could not be parsed.");
    }
    return false;
}

// Refused here, a file that cannot be read keeps the setting's previous
// value (a reload only logs the refusal) instead of failing every https
// delivery until someone reads the attempts' errors.
bool check_tls_ca_file(char** value, void**, GucSource) noexcept {
    if (*value == nullptr || **value == '\0') return true;
    struct stat status {};
    if (stat(*value, &status) != 0 || !S_ISREG(status.st_mode) || access(*value, R_OK) != 0) {
        GUC_check_errdetail("\"%s\" is not a file the server can read.", *value);
        GUC_check_errhint("Name a PEM file of CA certificates, relative to the data directory "
                          "or absolute; or set webhook.tls_ca_file to '' for the system's.");
        return false;
    }
    return true;
}

void register_dispatcher_settings() {
    DefineCustomIntVariable(
        "webhook.max_in_flight", "Requests the worker keeps in flight at once.", nullptr,
        &setting_max_in_flight, 64, 1, 10000, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "webhook.request_timeout", "Time limit of one delivery attempt.",
        "An endpoint's timeout_ms takes precedence.", &setting_request_timeout_ms, 15000, 100,
        3600 * 1000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "webhook.connect_timeout", "Time limit for connecting to a receiver.", nullptr,
        &setting_connect_timeout_ms, 5000, 100, 3600 * 1000, PGC_SIGHUP, GUC_UNIT_MS, nullptr,
        nullptr, nullptr);
    DefineCustomIntVariable(
        "webhook.response_body_limit", "Bytes of a response body that are kept.",
        "The rest of the body is read and discarded.", &setting_response_body_limit, 4096, 0,
        1024 * 1024, PGC_SIGHUP, GUC_UNIT_BYTE, nullptr, nullptr, nullptr);
    DefineCustomStringVariable(
        "webhook.allowed_networks",
        "Special-purpose networks (CIDRs, comma-separated) the worker may send to.",
        "Loopback, private, link-local and other special ranges are refused unless listed here.",
        &setting_allowed_networks, "", PGC_SIGHUP, 0, check_allowed_networks, nullptr, nullptr);
    DefineCustomStringVariable(
        "webhook.tls_ca_file",
        "PEM file of the certificate authorities trusted for https endpoints.",
        "Replaces the system's trust store when set; empty means the system's.",
        &setting_tls_ca_file, "", PGC_SIGHUP, 0, check_tls_ca_file, nullptr, nullptr);
}

}  // namespace

void register_settings() {
    // Read at server start, by the worker that exists only when the library
    // is preloaded. Loaded later (CREATE EXTENSION, or any call, without
    // shared_preload_libraries), the library may not define a PGC_POSTMASTER
    // setting: Postgres ends the session with a FATAL. There is no worker
    // then, and the setting is defined as one read from the configuration
    // file, to be shown and to keep its value there.
    DefineCustomStringVariable(
        "webhook.database", "The database whose deliveries the pg_webhook worker sends.",
        "Takes effect at server start, with pg_webhook in shared_preload_libraries.",
        &setting_database, "postgres",
        process_shared_preload_libraries_in_progress ? PGC_POSTMASTER : PGC_SIGHUP, 0,
        check_database_name, nullptr, nullptr);
    DefineCustomStringVariable(
        "webhook.workspace_id", "The workspace this session acts in: a uuid, or empty for none.",
        "Used when request.jwt.claims (PostgREST) has no workspace_id claim. A webhook_user "
        "sees and changes only this workspace; create_endpoint and publish without a "
        "workspace_id act in it.",
        &setting_workspace_id, "", PGC_USERSET, 0, check_workspace_id, nullptr, nullptr);
    DefineCustomStringVariable(
        "webhook.retry_schedule", "Waits between delivery attempts, such as 5s,5m,30m.",
        "Each wait gets +/-20% jitter. Deliveries without max_attempts get one attempt more "
        "than the schedule has waits.",
        &setting_retry_schedule, kDefaultRetrySchedule, PGC_SIGHUP, 0, check_retry_schedule,
        nullptr, nullptr);
    register_dispatcher_settings();
    MarkGUCPrefixReserved("webhook");
}

RetrySchedule current_retry_schedule() {
    return parse_retry_schedule(setting_retry_schedule ? setting_retry_schedule
                                                       : kDefaultRetrySchedule);
}

}  // namespace webhook::pg
