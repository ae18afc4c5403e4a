// The dispatcher's view of the HTTP engine: submit requests, learn when its
// sockets or timers need attention, collect finished attempts. Keeping it
// this small lets the worker loop be read (and changed) without libcurl.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/attempt_recording.hpp"

namespace webhook::worker {

struct SenderSettings {
    int max_in_flight = 64;
    int connect_timeout_ms = 5000;
    int request_timeout_ms = 15000;  // of a request whose endpoint sets none
    std::size_t response_body_limit = 4096;
    std::string allowed_networks;
    std::string tls_ca_file;  // empty: the system's trust store

    bool operator==(const SenderSettings& other) const {
        return max_in_flight == other.max_in_flight &&
               connect_timeout_ms == other.connect_timeout_ms &&
               request_timeout_ms == other.request_timeout_ms &&
               response_body_limit == other.response_body_limit &&
               allowed_networks == other.allowed_networks && tls_ca_file == other.tls_ca_file;
    }
    bool operator!=(const SenderSettings& other) const { return !(*this == other); }
};

struct OutgoingRequest {
    std::uint64_t tag = 0;
    std::string url;
    std::vector<std::string> headers;  // "name: value"
    std::string body;
    int timeout_ms = 0;  // 0: the sender's request_timeout_ms when the request starts
    // Headers made when the request starts (see http::Request).
    std::function<std::vector<std::string>(std::int64_t unix_seconds, const std::string& body)>
        headers_at_start;
};

struct SentAttempt {
    std::uint64_t tag = 0;
    bool withdrawn = false;  // taken back by withdraw(): never sent, no attempt made
    AttemptObservation observation;
};

class RequestSender {
  public:
    virtual ~RequestSender() = default;
    // For requests started from now on. Throws webhook::Error (22023) for
    // settings it cannot use, and then keeps the previous ones.
    virtual void reconfigure(const SenderSettings& settings) = 0;
    // A descriptor that becomes readable when a socket needs attention.
    virtual int event_fd() const = 0;
    // Milliseconds until a timer of the engine is due; -1 when none is.
    virtual long timeout_ms() = 0;
    // Does all I/O that can be done now without blocking; requests submitted
    // since the last call may wait for it to start.
    virtual void perform() = 0;
    virtual void submit(OutgoingRequest request) = 0;
    // Takes back the submitted requests among these tags that have not
    // started: take_finished() returns them as withdrawn. Started ones finish.
    virtual void withdraw(std::vector<std::uint64_t> tags) = 0;
    virtual std::vector<SentAttempt> take_finished() = 0;
    // Requests submitted and not yet taken back as finished.
    virtual std::size_t busy() const = 0;
    // Of those, the ones on the network now (the rest wait for a slot).
    virtual std::size_t on_the_wire() const = 0;
};

// The libcurl engine behind the interface, on a thread of its own (see
// http/engine_thread.hpp). Throws webhook::Error (22023) for
// settings it cannot use, such as a malformed webhook.allowed_networks.
// Requests carry the engine's own content-type and user-agent headers.
std::unique_ptr<RequestSender> make_http_sender(const SenderSettings& settings);

// Stops the network threads of every sender, for process exit (see
// http::stop_engine_threads).
void stop_http_senders() noexcept;

}  // namespace webhook::worker
