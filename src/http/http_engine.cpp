#include "http/http_engine.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <unordered_set>

#include "core/error.hpp"

namespace webhook::http {
namespace {

using Steady = std::chrono::steady_clock;

// What is read and dropped past response_body_limit before the transfer is
// cut off: small bodies still end cleanly (keeping the connection), a huge
// one costs neither memory nor time.
constexpr std::size_t kDiscardAllowance = 64 * 1024;

CURLM* multi_of(void* handle) { return static_cast<CURLM*>(handle); }

bool starts_with_ignoring_case(const char* text, std::size_t size, const char* prefix) {
    std::size_t length = std::strlen(prefix);
    return size >= length && strncasecmp(text, prefix, length) == 0;
}

// The line libcurl needs to send "name: value". Given "name:" with nothing
// but blanks after the colon, libcurl sends no header at all (that form
// removes a header of its own); "name;" is its way to send an empty value.
std::string curl_header_line(const std::string& header) {
    std::size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0 ||
        header.find_first_not_of(" \t", colon + 1) != std::string::npos) {
        return header;
    }
    return header.substr(0, colon) + ';';
}

void ensure_curl_initialised() {
    // Not a static initialiser: this runs in the worker, never in the postmaster.
    static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (result != CURLE_OK) {
        throw Error(sqlstate::kInternalError, "could not initialise libcurl",
                    std::string("curl_global_init failed: ") + curl_easy_strerror(result) + ".");
    }
}

}  // namespace

struct HttpEngine::Transfer {
    HttpEngine* engine = nullptr;
    CURL* easy = nullptr;
    curl_slist* header_list = nullptr;
    Request request;
    Outcome outcome;
    std::size_t body_limit = 0;
    std::size_t body_bytes_seen = 0;
    bool cut_off = false;  // we stopped reading a body past its limit
    // Of the response whose headers are being read: its status, and whether
    // a Content-Length above 0 or a Transfer-Encoding announced a body.
    int response_status = 0;
    bool body_announced = false;
    bool stray_body = false;  // we hung up after headers that announced a body that cannot be one
    int sockets_opened = 0;
    std::string denial;  // why the address policy refused, if it did
    Steady::time_point started;
    char error_buffer[CURL_ERROR_SIZE] = {};

    ~Transfer() {
        if (easy != nullptr) curl_easy_cleanup(easy);
        curl_slist_free_all(header_list);
    }
};

// The C callbacks given to libcurl. Each is noexcept and reports trouble
// through its return value only.
struct EngineCallbacks {
    static int on_socket(CURL*, curl_socket_t socket, int what, void* engine_pointer,
                         void* registered) noexcept {
        auto* engine = static_cast<HttpEngine*>(engine_pointer);
        if (what == CURL_POLL_REMOVE) {
            // The socket may already be closed (and so gone from the set).
            epoll_ctl(engine->epoll_fd_, EPOLL_CTL_DEL, socket, nullptr);
            return 0;
        }
        epoll_event event{};
        event.data.fd = socket;
        if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) event.events |= EPOLLIN;
        if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) event.events |= EPOLLOUT;
        // libcurl hands back what curl_multi_assign stored: set once the
        // socket is in the epoll set, forgotten when it is removed.
        if (registered != nullptr) {
            return epoll_ctl(engine->epoll_fd_, EPOLL_CTL_MOD, socket, &event) == 0 ? 0 : -1;
        }
        if (epoll_ctl(engine->epoll_fd_, EPOLL_CTL_ADD, socket, &event) != 0) {
            // A descriptor number reused before libcurl said it was removed.
            if (errno != EEXIST ||
                epoll_ctl(engine->epoll_fd_, EPOLL_CTL_MOD, socket, &event) != 0) {
                return -1;
            }
        }
        curl_multi_assign(multi_of(engine->multi_), socket, engine);
        return 0;
    }

    static int on_timer(CURLM*, long timeout_ms, void* engine_pointer) noexcept {
        auto* engine = static_cast<HttpEngine*>(engine_pointer);
        if (timeout_ms < 0) {
            engine->timer_deadline_.reset();
        } else {
            engine->timer_deadline_ = Steady::now() + std::chrono::milliseconds(timeout_ms);
        }
        return 0;
    }

    // Keeps the first reason a transfer's address was refused, for its
    // outcome; short of memory for the reason, a shorter one.
    template <typename MakeReason>
    static void note_denial(HttpEngine::Transfer* transfer, MakeReason make_reason) noexcept {
        if (!transfer->denial.empty()) return;
        try {
            transfer->denial = make_reason();
        } catch (...) {
            try {
                transfer->denial = "address not allowed";
            } catch (...) {
            }
        }
    }

    // Judges an address by the policy in force; a refusal is noted.
    static bool allowed_by_policy(HttpEngine::Transfer* transfer,
                                  const sockaddr* address) noexcept {
        AddressDenial denial = transfer->engine->settings_.address_policy.judge(address);
        if (!denial.denied()) return true;
        note_denial(transfer, [&] { return describe_denial(address, denial); });
        return false;
    }

    static curl_socket_t on_open_socket(void* transfer_pointer, curlsocktype purpose,
                                        curl_sockaddr* address) noexcept {
        auto* transfer = static_cast<HttpEngine::Transfer*>(transfer_pointer);
        if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
        if (!allowed_by_policy(transfer, &address->addr)) return CURL_SOCKET_BAD;
        curl_socket_t socket =
            ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
        if (socket != CURL_SOCKET_BAD) ++transfer->sockets_opened;
        return socket;
    }

    // Runs before each request goes out, on a new connection or a kept one.
    // A new one was judged when its socket opened; a kept one was judged by
    // the policy in force when it opened, which reconfigure() may since have
    // narrowed: judge the peer again, before a byte of the request is sent.
    static int on_prerequest(void* transfer_pointer, char* peer_ip, char*, int, int) noexcept {
        auto* transfer = static_cast<HttpEngine::Transfer*>(transfer_pointer);
        sockaddr_storage storage{};
        auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
        if (peer_ip != nullptr && inet_pton(AF_INET, peer_ip, &v4->sin_addr) == 1) {
            v4->sin_family = AF_INET;
        } else if (peer_ip != nullptr && inet_pton(AF_INET6, peer_ip, &v6->sin6_addr) == 1) {
            v6->sin6_family = AF_INET6;
        } else {
            note_denial(transfer, [] {
                return std::string("the connection's peer address could not be checked");
            });
            return CURL_PREREQFUNC_ABORT;
        }
        const sockaddr* peer = reinterpret_cast<const sockaddr*>(&storage);
        return allowed_by_policy(transfer, peer) ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
    }

    static std::size_t on_body(char* data, std::size_t size, std::size_t count,
                               void* transfer_pointer) noexcept {
        auto* transfer = static_cast<HttpEngine::Transfer*>(transfer_pointer);
        const std::size_t length = size * count;
        std::string& body = transfer->outcome.response_body;
        const std::size_t room = transfer->body_limit - body.size();
        const std::size_t kept = std::min(room, length);
        try {
            body.append(data, kept);
        } catch (...) {
            return 0;  // out of memory: abort this transfer
        }
        transfer->body_bytes_seen += length;
        if (kept < length) transfer->outcome.response_truncated = true;
        if (transfer->body_bytes_seen > transfer->body_limit + kDiscardAllowance) {
            transfer->cut_off = true;
            return 0;  // aborts the transfer: the rest is not worth reading
        }
        return length;
    }

    // The status code of a status line ("HTTP/1.1 204 No Content"); 0
    // when it has none.
    static int status_of(const char* line, std::size_t length) noexcept {
        const char* end = line + length;
        const char* digits = static_cast<const char*>(std::memchr(line, ' ', length));
        if (digits == nullptr || end - digits < 4) return 0;
        ++digits;
        int status = 0;
        for (int i = 0; i < 3; ++i) {
            if (digits[i] < '0' || digits[i] > '9') return 0;
            status = status * 10 + (digits[i] - '0');
        }
        return status;
    }

    // Whether a Content-Length value counts any byte: digits other than 0
    // (a value that is not a number is taken to announce a body).
    static bool announces_bytes(const char* value, std::size_t length) noexcept {
        for (std::size_t i = 0; i < length; ++i) {
            if (std::strchr(" \t\r\n0", value[i]) == nullptr) return true;
        }
        return false;
    }

    static std::size_t on_header(char* line, std::size_t size, std::size_t count,
                                 void* transfer_pointer) noexcept {
        auto* transfer = static_cast<HttpEngine::Transfer*>(transfer_pointer);
        const std::size_t length = size * count;
        if (starts_with_ignoring_case(line, length, "HTTP/")) {
            transfer->outcome.retry_after.reset();  // a new response (after a 1xx)
            transfer->response_status = status_of(line, length);
            transfer->body_announced = false;
        } else if (starts_with_ignoring_case(line, length, "transfer-encoding:") ||
                   (starts_with_ignoring_case(line, length, "content-length:") &&
                    announces_bytes(line + std::strlen("content-length:"),
                                    length - std::strlen("content-length:")))) {
            transfer->body_announced = true;
        } else if (length >= 1 && length <= 2 && (line[0] == '\r' || line[0] == '\n')) {
            // The end of a response's headers. A 204 or 304 has no body,
            // whatever its headers say, so libcurl reads none; but when they
            // announce one, its bytes may still come, and on a kept
            // connection would be read as the next request's response.
            // Hanging up (returning 0) closes this connection; the response
            // is complete as it is (see collect_finished). A 304's
            // Content-Length may be honest metadata, but no receiver has a
            // reason to answer a POST with a 304: closing costs nothing.
            const int status = transfer->response_status;
            if ((status == 204 || status == 304) && transfer->body_announced) {
                transfer->stray_body = true;
                return 0;
            }
        } else if (starts_with_ignoring_case(line, length, "retry-after:")) {
            std::size_t begin = std::strlen("retry-after:");
            std::size_t end = length;
            while (begin < end && (line[begin] == ' ' || line[begin] == '\t')) ++begin;
            while (end > begin && std::strchr(" \t\r\n", line[end - 1]) != nullptr) --end;
            try {
                transfer->outcome.retry_after.emplace(line + begin, end - begin);
            } catch (...) {
                return 0;
            }
        }
        return length;
    }
};

const char* user_agent() { return "pg_webhook/" PG_WEBHOOK_VERSION; }

HttpEngine::HttpEngine(EngineSettings settings) : settings_(std::move(settings)) {
    ensure_curl_initialised();
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) {
        throw Error(sqlstate::kInternalError, "could not create the HTTP engine's epoll set",
                    std::string("epoll_create1 failed: ") + std::strerror(errno) + ".");
    }
    multi_ = curl_multi_init();
    if (multi_ == nullptr) {
        close(epoll_fd_);
        throw Error(sqlstate::kOutOfMemory, "could not create a libcurl multi handle");
    }
    CURLM* multi = multi_of(multi_);
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &EngineCallbacks::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &EngineCallbacks::on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(settings_.max_in_flight));
    remember_default_trust_store();
}

void HttpEngine::remember_default_trust_store() {
    CURL* easy = curl_easy_init();
    if (easy == nullptr) return;
    char* file = nullptr;
    char* path = nullptr;
    if (curl_easy_getinfo(easy, CURLINFO_CAINFO, &file) == CURLE_OK && file != nullptr) {
        default_ca_file_ = file;
    }
    if (curl_easy_getinfo(easy, CURLINFO_CAPATH, &path) == CURLE_OK && path != nullptr) {
        default_ca_path_ = path;
    }
    curl_easy_cleanup(easy);
}

HttpEngine::~HttpEngine() {
    CURLM* multi = multi_of(multi_);
    for (std::unique_ptr<Transfer>& transfer : transfers_) {
        curl_multi_remove_handle(multi, transfer->easy);
    }
    transfers_.clear();
    for (void* easy : idle_easies_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);  // closes cached connections; may still call on_socket
    close(epoll_fd_);
}

void HttpEngine::reconfigure(EngineSettings settings) {
    settings_ = std::move(settings);
    curl_multi_setopt(multi_of(multi_), CURLMOPT_MAXCONNECTS,
                      static_cast<long>(settings_.max_in_flight));
    start_queued();
}

void HttpEngine::submit(Request request) {
    if (active_ < static_cast<std::size_t>(std::max(settings_.max_in_flight, 1))) {
        start(std::move(request));
    } else {
        queue_.push_back(std::move(request));
    }
}

void HttpEngine::enqueue(Request request) { queue_.push_back(std::move(request)); }

void HttpEngine::withdraw(const std::vector<std::uint64_t>& tags) {
    if (tags.empty() || queue_.empty()) return;
    std::unordered_set<std::uint64_t> wanted(tags.begin(), tags.end());
    auto kept = std::stable_partition(queue_.begin(), queue_.end(), [&](const Request& request) {
        return wanted.count(request.tag) == 0;
    });
    for (auto taken = kept; taken != queue_.end(); ++taken) {
        Outcome outcome;
        outcome.tag = taken->tag;
        outcome.withdrawn = true;
        outcome.started_at = std::chrono::system_clock::now();
        finished_.push_back(std::move(outcome));
    }
    queue_.erase(kept, queue_.end());
}

// Easy handles are kept for the next request: creating one per request
// costs more than the request itself on a fast local receiver.
void* HttpEngine::take_easy() {
    if (!idle_easies_.empty()) {
        void* easy = idle_easies_.back();
        idle_easies_.pop_back();
        return easy;
    }
    CURL* easy = curl_easy_init();
    if (easy == nullptr) return nullptr;
    CURLcode set = CURLE_OK;
    auto option = [&](CURLoption name, auto value) {
        if (set == CURLE_OK) set = curl_easy_setopt(easy, name, value);
    };
    option(CURLOPT_NOSIGNAL, 1L);
    option(CURLOPT_PROTOCOLS_STR, "http,https");
    option(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    option(CURLOPT_FOLLOWLOCATION, 0L);
    option(CURLOPT_PROXY, "");  // an empty proxy ignores http_proxy & co.
    option(CURLOPT_NOPROXY, "*");
    option(CURLOPT_POST, 1L);
    option(CURLOPT_USERAGENT, user_agent());
    option(CURLOPT_TCP_KEEPALIVE, 1L);
    // TLS 1.0 and 1.1 are deprecated (RFC 8996); some systems' OpenSSL
    // settings still allow them.
    option(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    option(CURLOPT_WRITEFUNCTION, &EngineCallbacks::on_body);
    option(CURLOPT_HEADERFUNCTION, &EngineCallbacks::on_header);
    option(CURLOPT_OPENSOCKETFUNCTION, &EngineCallbacks::on_open_socket);
    option(CURLOPT_PREREQFUNCTION, &EngineCallbacks::on_prerequest);
    if (set != CURLE_OK) {
        curl_easy_cleanup(easy);
        return nullptr;
    }
    return easy;
}

void HttpEngine::keep_easy(void* easy) noexcept {
    if (idle_easies_.size() < static_cast<std::size_t>(std::max(settings_.max_in_flight, 1))) {
        try {
            idle_easies_.push_back(easy);
            return;
        } catch (...) {
        }
    }
    curl_easy_cleanup(easy);
}

void HttpEngine::start(Request request) {
    auto transfer = std::make_unique<Transfer>();
    transfer->engine = this;
    transfer->request = std::move(request);
    transfer->body_limit = settings_.response_body_limit;
    transfer->outcome.tag = transfer->request.tag;
    transfer->outcome.started_at = std::chrono::system_clock::now();
    transfer->started = Steady::now();

    auto fail_now = [&](std::string error) {
        transfer->outcome.error = std::move(error);
        finished_.push_back(std::move(transfer->outcome));
    };
    if (transfer->request.headers_at_start) {
        try {
            const std::int64_t unix_now = std::chrono::duration_cast<std::chrono::seconds>(
                                              transfer->outcome.started_at.time_since_epoch())
                                              .count();
            for (std::string& header :
                 transfer->request.headers_at_start(unix_now, transfer->request.body)) {
                transfer->request.headers.push_back(std::move(header));
            }
        } catch (const std::exception& error) {
            return fail_now(std::string("request not sent: ") + error.what());
        } catch (...) {
            return fail_now("request not sent: its headers could not be made");
        }
    }
    for (const std::string& header : transfer->request.headers) {
        if (header.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
            return fail_now("a request header contains a line break or NUL byte");
        }
    }
    transfer->easy = take_easy();
    if (transfer->easy == nullptr) return fail_now("out of memory: could not create a transfer");

    for (const char* header : {"Content-Type: application/json", "Expect:"}) {
        curl_slist* extended = curl_slist_append(transfer->header_list, header);
        if (extended == nullptr) return fail_now("out of memory: could not build the headers");
        transfer->header_list = extended;
    }
    for (const std::string& header : transfer->request.headers) {
        curl_slist* extended =
            curl_slist_append(transfer->header_list, curl_header_line(header).c_str());
        if (extended == nullptr) return fail_now("out of memory: could not build the headers");
        transfer->header_list = extended;
    }

    // What differs from one request to the next; take_easy() set the rest.
    CURL* easy = transfer->easy;
    const long timeout_ms =
        std::max(transfer->request.timeout_ms > 0 ? transfer->request.timeout_ms
                                                  : settings_.request_timeout_ms,
                 1L);
    CURLcode set = CURLE_OK;
    auto option = [&](CURLoption name, auto value) {
        if (set == CURLE_OK) set = curl_easy_setopt(easy, name, value);
    };
    option(CURLOPT_PRIVATE, static_cast<void*>(transfer.get()));
    option(CURLOPT_ERRORBUFFER, transfer->error_buffer);
    option(CURLOPT_URL, transfer->request.url.c_str());
    option(CURLOPT_POSTFIELDS, transfer->request.body.data());
    option(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(transfer->request.body.size()));
    option(CURLOPT_HTTPHEADER, transfer->header_list);
    option(CURLOPT_TIMEOUT_MS, timeout_ms);
    option(CURLOPT_CONNECTTIMEOUT_MS, std::min(settings_.connect_timeout_ms, timeout_ms));
    // Set on every request, since easy handles outlive a reconfigure(). A
    // kept connection is reused only by a request with the same trust store.
    const bool own_authorities = !settings_.tls_ca_file.empty();
    const std::string& ca_file = own_authorities ? settings_.tls_ca_file : default_ca_file_;
    option(CURLOPT_CAINFO, ca_file.empty() ? nullptr : ca_file.c_str());
    option(CURLOPT_CAPATH,
           own_authorities || default_ca_path_.empty() ? nullptr : default_ca_path_.c_str());
    option(CURLOPT_WRITEDATA, static_cast<void*>(transfer.get()));
    option(CURLOPT_HEADERDATA, static_cast<void*>(transfer.get()));
    option(CURLOPT_OPENSOCKETDATA, static_cast<void*>(transfer.get()));
    option(CURLOPT_PREREQDATA, static_cast<void*>(transfer.get()));
    if (set != CURLE_OK) {
        return fail_now(std::string("could not set up the transfer: ") + curl_easy_strerror(set));
    }
    transfers_.push_back(std::move(transfer));
    CURLMcode added = curl_multi_add_handle(multi_of(multi_), easy);
    if (added != CURLM_OK) {
        transfer = std::move(transfers_.back());
        transfers_.pop_back();
        return fail_now(std::string("could not start the transfer: ") + curl_multi_strerror(added));
    }
    ++active_;
}

void HttpEngine::start_queued() {
    while (!queue_.empty() &&
           active_ < static_cast<std::size_t>(std::max(settings_.max_in_flight, 1))) {
        Request request = std::move(queue_.front());
        queue_.pop_front();
        start(std::move(request));
    }
}

long HttpEngine::timeout_ms() const noexcept {
    if (!timer_deadline_) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*timer_deadline_ - Steady::now());
    return std::max<long>(0, static_cast<long>(left.count()));
}

void HttpEngine::perform() {
    CURLM* multi = multi_of(multi_);
    int running = 0;
    epoll_event events[64];
    const int ready = epoll_wait(epoll_fd_, events, 64, 0);
    for (int i = 0; i < ready; ++i) {
        int flags = 0;
        if (events[i].events & EPOLLIN) flags |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
        if (events[i].events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action(multi, events[i].data.fd, flags, &running);
    }
    // A timer that is due now (often set to 0 by the calls above) is handled
    // here rather than costing the caller another wake-up.
    for (int round = 0; round < 4 && timer_deadline_ && *timer_deadline_ <= Steady::now();
         ++round) {
        timer_deadline_.reset();
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
        collect_finished();
        start_queued();
    }
    collect_finished();
    start_queued();
}

void HttpEngine::wait_and_perform(long max_wait_ms) {
    long wait = timeout_ms();
    if (wait < 0 || wait > max_wait_ms) wait = max_wait_ms;
    pollfd poll_fd{epoll_fd_, POLLIN, 0};
    poll(&poll_fd, 1, static_cast<int>(std::max(wait, 0L)));
    perform();
}

void HttpEngine::collect_finished() {
    CURLM* multi = multi_of(multi_);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
        if (message->msg != CURLMSG_DONE) continue;
        CURL* easy = message->easy_handle;
        const CURLcode result = message->data.result;
        curl_multi_remove_handle(multi, easy);

        auto found = std::find_if(transfers_.begin(), transfers_.end(),
                                  [easy](const auto& transfer) { return transfer->easy == easy; });
        if (found == transfers_.end()) continue;
        std::unique_ptr<Transfer> transfer = std::move(*found);
        *found = std::move(transfers_.back());
        transfers_.pop_back();
        --active_;

        Outcome& outcome = transfer->outcome;
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        // An interim 1xx (100 Continue, 102 Processing) is not the response:
        // an exchange that ended after one (timed out, closed) got none.
        const bool interim_only = status >= 100 && status <= 199;
        outcome.http_status = interim_only ? 0 : static_cast<int>(status);
        outcome.duration = Steady::now() - transfer->started;
        if (result == CURLE_OK ||
            (result == CURLE_WRITE_ERROR && (transfer->cut_off || transfer->stray_body))) {
            outcome.error.clear();
        } else if (!transfer->denial.empty() &&
                   (transfer->sockets_opened == 0 || result == CURLE_ABORTED_BY_CALLBACK)) {
            outcome.address_denied = true;
            outcome.error = transfer->denial;
        } else if (result == CURLE_UNSUPPORTED_PROTOCOL &&
                   std::strncmp(transfer->error_buffer, "Unsupported response code", 25) == 0) {
            // libcurl's words for a status line whose code is not three
            // digits of 100 or more ("HTTP/1.1 2OO", "HTTP/1.1 099").
            outcome.error = std::string("invalid response: its status line has no status code "
                                        "of three digits from 100 to 999 (") +
                            transfer->error_buffer + ")";
        } else if (transfer->error_buffer[0] != '\0') {
            outcome.error = transfer->error_buffer;
        } else if (result == CURLE_OUT_OF_MEMORY) {
            // libcurl's only word for a header line over its 100 kB limit.
            outcome.error = "a response header line is over 100 kB, or memory ran out";
        } else {
            outcome.error = curl_easy_strerror(result);
        }
        if (interim_only && outcome.error.empty()) {
            outcome.error = "no final response after HTTP " + std::to_string(status);
        }
        keep_easy(transfer->easy);
        transfer->easy = nullptr;
        finished_.push_back(std::move(outcome));
    }
}

std::vector<Outcome> HttpEngine::take_finished() {
    std::vector<Outcome> taken;
    taken.swap(finished_);
    return taken;
}

}  // namespace webhook::http
