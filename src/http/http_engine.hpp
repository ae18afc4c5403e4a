// The dispatcher's HTTP client: one libcurl multi handle driven by
// curl_multi_socket_action from an internal epoll set, so that the worker can
// sleep on its latch and on the network at once:
//
//   add event_fd() to the WaitEventSet as WL_SOCKET_READABLE, wait at most
//   timeout_ms(), then call perform() and take_finished().
//
// No Postgres here: nothing in this engine calls palloc or ereport, and every
// libcurl callback is noexcept. Connections are reused across requests.
// Not thread-safe: one thread drives an engine.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/address_policy.hpp"

namespace webhook::http {

struct EngineSettings {
    int max_in_flight = 64;
    std::size_t response_body_limit = 4096;  // bytes of a response body kept
    long connect_timeout_ms = 10000;         // capped by each request's timeout
    long request_timeout_ms = 15000;         // of a request without a timeout of its own
    AddressPolicy address_policy;            // checked on every new and every kept connection
    // PEM file of the certificate authorities trusted for https, instead of
    // the system's; empty for libcurl's built-in CA bundle and directory.
    std::string tls_ca_file;
};

struct Request {
    std::uint64_t tag = 0;             // the caller's handle (e.g. the delivery's index)
    std::string url;                   // http:// or https:// only
    std::vector<std::string> headers;  // "name: value", beyond the engine's own
    std::string body;                  // sent as is, content-type application/json
    // The whole exchange; 0: the engine's request_timeout_ms when the
    // request starts, so that a reconfigure() reaches queued requests too.
    long timeout_ms = 0;
    // Headers made when the request starts, from the Unix time then and the
    // body (a signature over a timestamp), sent after `headers`. When it
    // throws, the request fails unsent with the exception's text.
    std::function<std::vector<std::string>(std::int64_t unix_seconds, const std::string& body)>
        headers_at_start;
};

struct Outcome {
    std::uint64_t tag = 0;
    int http_status = 0;          // 0 when no final (non-1xx) response status came
    std::string error;            // empty when the exchange completed
    bool address_denied = false;  // refused by the address policy; nothing was sent
    bool withdrawn = false;       // taken back by withdraw() before it started; nothing was sent
    std::string response_body;    // at most response_body_limit bytes
    bool response_truncated = false;
    std::optional<std::string> retry_after;  // the Retry-After header, if any
    std::chrono::system_clock::time_point started_at;
    std::chrono::duration<double, std::milli> duration{0};
};

class HttpEngine {
  public:
    // Throws webhook::Error when libcurl or epoll cannot be set up.
    explicit HttpEngine(EngineSettings settings);
    ~HttpEngine();
    HttpEngine(const HttpEngine&) = delete;
    HttpEngine& operator=(const HttpEngine&) = delete;

    // Applies to requests started from now on (e.g. after SIGHUP).
    void reconfigure(EngineSettings settings);

    // Starts the request at once below max_in_flight, else queues it.
    void submit(Request request);
    // Queues the request behind the others without starting anything: the
    // next perform() starts it once a slot is free. Lets a caller withdraw
    // among requests it has just handed over before any of them starts.
    void enqueue(Request request);

    // Takes back the queued requests among these tags: each finishes at once
    // as withdrawn, and is never sent. A request already started is not
    // stopped (its receiver may have it); unknown tags are ignored.
    void withdraw(const std::vector<std::uint64_t>& tags);

    // Readable when a transfer's socket is ready.
    int event_fd() const noexcept { return epoll_fd_; }
    // How long the caller may sleep before perform() is due for libcurl's
    // timers: -1 when none is pending, 0 when due now.
    long timeout_ms() const noexcept;
    // Handles ready sockets and expired timers without blocking, collects
    // finished transfers and starts queued requests as slots free up.
    void perform();
    // Sleeps at most max_wait_ms (less when a timer is due) for network
    // events, then performs. For callers without a WaitEventSet (tests, benchmarks).
    void wait_and_perform(long max_wait_ms);

    std::vector<Outcome> take_finished();
    std::size_t active() const noexcept { return active_; }
    std::size_t queued() const noexcept { return queue_.size(); }

  private:
    friend struct EngineCallbacks;
    struct Transfer;

    void remember_default_trust_store();
    void start(Request request);
    void* take_easy();
    void keep_easy(void* easy) noexcept;
    void start_queued();
    void collect_finished();

    EngineSettings settings_;
    // libcurl's built-in trust store, put back when tls_ca_file is emptied
    // (NULL would mean no CA file at all, not the default).
    std::string default_ca_file_;
    std::string default_ca_path_;
    void* multi_ = nullptr;  // CURLM*; opaque so that users need no curl header
    int epoll_fd_ = -1;
    std::optional<std::chrono::steady_clock::time_point> timer_deadline_;
    std::size_t active_ = 0;
    std::vector<std::unique_ptr<Transfer>> transfers_;  // in flight
    std::vector<void*> idle_easies_;                    // CURL* kept for reuse
    std::deque<Request> queue_;
    std::vector<Outcome> finished_;
};

// "pg_webhook/<version>", the User-Agent of every request.
const char* user_agent();

}  // namespace webhook::http
