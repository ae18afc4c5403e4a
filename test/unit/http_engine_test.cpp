#include "http/http_engine.hpp"
#include "http_test_requests.hpp"
#include "loopback_http_server.hpp"
#include "loopback_tls_server.hpp"

#include <poll.h>
#include <stdlib.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <stdexcept>
#include <thread>

using namespace std::chrono_literals;
using webhook::http::EngineSettings;
using webhook::http::HttpEngine;
using webhook::http::Outcome;
using webhook::http::Request;
using test_support::loopback_allowed;
using test_support::post;

namespace {

// Drives the engine the way the worker does: sleep on event_fd() for at most
// timeout_ms(), then perform().
std::vector<Outcome> run(HttpEngine& engine, std::size_t expected,
                         std::chrono::milliseconds limit = 10s) {
    std::vector<Outcome> outcomes;
    auto deadline = std::chrono::steady_clock::now() + limit;
    engine.perform();
    while (outcomes.size() < expected && std::chrono::steady_clock::now() < deadline) {
        long wait = engine.timeout_ms();
        if (wait < 0 || wait > 100) wait = 100;
        pollfd ready{engine.event_fd(), POLLIN, 0};
        poll(&ready, 1, static_cast<int>(wait));
        engine.perform();
        for (Outcome& outcome : engine.take_finished()) outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

Outcome run_one(HttpEngine& engine, Request request, std::chrono::milliseconds limit = 10s) {
    engine.submit(std::move(request));
    std::vector<Outcome> outcomes = run(engine, 1, limit);
    if (outcomes.size() != 1) {
        ADD_FAILURE() << "expected one outcome, got " << outcomes.size();
        return Outcome{};
    }
    return outcomes.front();
}

int closed_port() {
    int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
    close(probe);
    return ntohs(address.sin_port);
}

// A loopback port where a connect hangs: a listener that never accepts and
// whose accept queue (backlog 0) is already full, so new SYNs are dropped.
class UnansweredPort {
  public:
    UnansweredPort() {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            listen(listener_, 0) != 0) {
            throw std::runtime_error("cannot listen on 127.0.0.1");
        }
        socklen_t length = sizeof address;
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        // Fill the queue: connect until a connect no longer completes.
        for (int i = 0; i < 16; ++i) {
            int client = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            fillers_.push_back(client);
            connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address);
            pollfd done{client, POLLOUT, 0};
            if (poll(&done, 1, 200) == 0) return;
        }
        throw std::runtime_error("the accept queue does not fill");
    }
    ~UnansweredPort() {
        for (int client : fillers_) close(client);
        close(listener_);
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

  private:
    int listener_ = -1;
    int port_ = 0;
    std::vector<int> fillers_;
};

}  // namespace

TEST(HttpEngine, PostsTheExactBodyWithTheEngineAndCallerHeaders) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    const std::string body = "{\"name\": \"Zo\xc3\xab\", \"n\": [1, 2.5, null], \"tab\": \"\\t\"}";
    Request request = post(7, server.url("/status/201"), body);
    request.headers = {"webhook-id: msg_1", "webhook-timestamp: 1614265330", "X-Extra: a b"};
    Outcome outcome = run_one(engine, request);

    EXPECT_EQ(outcome.tag, 7u);
    EXPECT_EQ(outcome.http_status, 201);
    EXPECT_EQ(outcome.error, "");
    EXPECT_EQ(outcome.response_body, "status 201");
    EXPECT_FALSE(outcome.response_truncated);
    EXPECT_FALSE(outcome.address_denied);
    EXPECT_GT(outcome.duration.count(), 0.0);
    EXPECT_LE(std::chrono::system_clock::now() - outcome.started_at, 10s);

    auto received = server.requests();
    ASSERT_EQ(received.size(), 1u);
    const auto& got = received[0];
    EXPECT_EQ(got.method, "POST");
    EXPECT_EQ(got.path, "/status/201");
    EXPECT_EQ(got.body, body);
    EXPECT_EQ(got.headers.at("content-type"), "application/json");
    EXPECT_EQ(got.headers.at("user-agent"), std::string("pg_webhook/") + PG_WEBHOOK_VERSION);
    EXPECT_EQ(got.headers.at("webhook-id"), "msg_1");
    EXPECT_EQ(got.headers.at("webhook-timestamp"), "1614265330");
    EXPECT_EQ(got.headers.at("x-extra"), "a b");
    EXPECT_EQ(got.headers.at("content-length"), std::to_string(body.size()));
    EXPECT_EQ(got.headers.count("expect"), 0u);
    int content_types = 0;
    for (const std::string& line : got.header_lines) {
        if (strncasecmp(line.c_str(), "content-type:", 13) == 0) ++content_types;
    }
    EXPECT_EQ(content_types, 1);
}

TEST(HttpEngine, SendsLargeBodiesWithoutWaitingForContinue) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    std::string body = "[";
    while (body.size() < 3 * 1024 * 1024) body += "\"0123456789abcdef\",";
    body += "0]";
    Outcome outcome = run_one(engine, post(1, server.url("/ok"), body));
    EXPECT_EQ(outcome.http_status, 204);
    EXPECT_EQ(outcome.error, "");
    EXPECT_LT(outcome.duration.count(), 900.0);  // curl's 100-continue wait is 1 s
    auto received = server.requests();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].body, body);
    EXPECT_EQ(received[0].headers.count("expect"), 0u);
}

TEST(HttpEngine, ReportsErrorStatusesWithRetryAfter) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    Outcome limited = run_one(engine, post(1, server.url("/retry-after/30")));
    EXPECT_EQ(limited.http_status, 429);
    EXPECT_EQ(limited.error, "");
    ASSERT_TRUE(limited.retry_after.has_value());
    EXPECT_EQ(*limited.retry_after, "30");

    Outcome failed = run_one(engine, post(2, server.url("/status/500")));
    EXPECT_EQ(failed.http_status, 500);
    EXPECT_EQ(failed.response_body, "status 500");
    EXPECT_FALSE(failed.retry_after.has_value());
}

TEST(HttpEngine, NeverFollowsRedirects) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    Outcome outcome = run_one(engine, post(1, server.url("/redirect")));
    EXPECT_EQ(outcome.http_status, 302);
    EXPECT_EQ(outcome.error, "");
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests()[0].path, "/redirect");
}

TEST(HttpEngine, TimesOutASlowReceiver) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    Outcome outcome = run_one(engine, post(1, server.url("/delay/3000"), "{}", 300));
    EXPECT_EQ(outcome.http_status, 0);
    EXPECT_NE(outcome.error.find("timed out"), std::string::npos) << outcome.error;
    EXPECT_GE(outcome.duration.count(), 250.0);
    EXPECT_LT(outcome.duration.count(), 2000.0);
}

// A request without a timeout of its own takes the engine's request
// timeout when it starts, not when it was submitted: a reconfigure() in
// between (a reload of webhook.request_timeout) reaches it.
TEST(HttpEngine, AppliesTheRequestTimeoutInForceWhenARequestStarts) {
    test_support::LoopbackHttpServer server;
    webhook::http::EngineSettings settings = loopback_allowed();
    settings.request_timeout_ms = 10000;
    HttpEngine engine(settings);
    engine.enqueue(post(1, server.url("/delay/3000"), "{}", 0));  // queued, not started
    settings.request_timeout_ms = 300;
    engine.reconfigure(settings);
    std::vector<Outcome> outcomes = run(engine, 1);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_NE(outcomes[0].error.find("timed out"), std::string::npos) << outcomes[0].error;
    EXPECT_GE(outcomes[0].duration.count(), 250.0);
    EXPECT_LT(outcomes[0].duration.count(), 2000.0);
}

// So do the connect timeout and the response body limit: a reload reaches
// requests that were queued before it.
TEST(HttpEngine, AppliesTheConnectTimeoutInForceWhenARequestStarts) {
    UnansweredPort unanswered;
    webhook::http::EngineSettings settings = loopback_allowed();
    settings.connect_timeout_ms = 10000;
    HttpEngine engine(settings);
    engine.enqueue(post(1, unanswered.url("/ok"), "{}", 4000));  // queued, not started
    settings.connect_timeout_ms = 300;
    engine.reconfigure(settings);
    std::vector<Outcome> outcomes = run(engine, 1);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].http_status, 0);
    EXPECT_NE(outcomes[0].error.find("onnect"), std::string::npos) << outcomes[0].error;
    EXPECT_GE(outcomes[0].duration.count(), 250.0);
    EXPECT_LT(outcomes[0].duration.count(), 2000.0);  // not the request's 4 s
}

TEST(HttpEngine, AppliesTheResponseBodyLimitInForceWhenARequestStarts) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed(1, 4096));
    engine.enqueue(post(1, server.url("/status/200/shrunk")));
    engine.reconfigure(loopback_allowed(1, 4));
    engine.enqueue(post(2, server.url("/huge/10000/grown")));
    engine.reconfigure(loopback_allowed(1, 6000));
    std::map<std::uint64_t, Outcome> outcomes;
    for (Outcome& outcome : run(engine, 2)) outcomes[outcome.tag] = std::move(outcome);
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_EQ(outcomes[1].response_body, "stat");
    EXPECT_TRUE(outcomes[1].response_truncated);
    EXPECT_EQ(outcomes[2].response_body, std::string(6000, 'h'));
    EXPECT_TRUE(outcomes[2].response_truncated);
}

// An interim 1xx is not the response: an exchange that ends after one (here
// at the timeout) got no response, and says why.
TEST(HttpEngine, ReportsNoStatusWhenOnlyAnInterimResponseCame) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    Outcome stalled = run_one(engine, post(1, server.url("/interim/3000"), "{}", 300));
    EXPECT_EQ(stalled.http_status, 0);
    EXPECT_NE(stalled.error.find("timed out"), std::string::npos) << stalled.error;

    Outcome answered = run_one(engine, post(2, server.url("/interim/50"), "{}", 5000));
    EXPECT_EQ(answered.http_status, 200);
    EXPECT_EQ(answered.error, "");
    EXPECT_EQ(answered.response_body, "done");
}

// libcurl refuses a response header line over 100 kB with CURLE_OUT_OF_MEMORY
// and no message of its own: "Out of memory" would send the operator looking
// at the worker's memory instead of at the receiver.
TEST(HttpEngine, SaysWhenAResponseHeaderLineIsTooLong) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    Outcome outcome = run_one(engine, post(1, server.url("/long-header/300000")));
    EXPECT_NE(outcome.error.find("response header line"), std::string::npos) << outcome.error;
    Outcome fine = run_one(engine, post(2, server.url("/long-header/8000")));
    EXPECT_EQ(fine.http_status, 200);
    EXPECT_EQ(fine.error, "");
    EXPECT_EQ(fine.response_body, "long");
}

// libcurl says only "Unsupported response code in HTTP response" for a
// status line without a usable code; the outcome says what was wrong with it.
// A three-digit code above 599 comes through as it is (finish_attempt names it).
TEST(HttpEngine, SaysWhatIsWrongWithAStatusLine) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    for (const char* path : {"/bad-status", "/status/99"}) {
        Outcome outcome = run_one(engine, post(1, server.url(path)));
        EXPECT_EQ(outcome.http_status, 0) << path;
        EXPECT_FALSE(outcome.address_denied) << path;
        EXPECT_EQ(outcome.error,
                  "invalid response: its status line has no status code of three digits from "
                  "100 to 999 (Unsupported response code in HTTP response)")
            << path;
    }
    Outcome odd = run_one(engine, post(2, server.url("/status/999")));
    EXPECT_EQ(odd.http_status, 999);
    EXPECT_EQ(odd.error, "");
}

TEST(HttpEngine, AbortsATricklingResponseAtTheTimeout) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    Outcome outcome = run_one(engine, post(1, server.url("/trickle"), "{}", 700));
    EXPECT_EQ(outcome.http_status, 200);  // the status line came; the body never finished
    EXPECT_NE(outcome.error.find("timed out"), std::string::npos) << outcome.error;
    EXPECT_LT(outcome.duration.count(), 2000.0);
    EXPECT_LE(outcome.response_body.size(), 5u);
}

TEST(HttpEngine, KeepsOnlyTheStartOfAHugeResponseAndStopsReading) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed(64, 4096));
    Outcome outcome = run_one(engine, post(1, server.url("/huge/52428800")));
    EXPECT_EQ(outcome.http_status, 200);
    EXPECT_EQ(outcome.error, "");
    EXPECT_EQ(outcome.response_body, std::string(4096, 'h'));
    EXPECT_TRUE(outcome.response_truncated);
    EXPECT_LE(outcome.response_body.capacity(), 2 * 4096u);
    // The engine hung up early: the server got far less than 50 MB out.
    EXPECT_LT(server.body_bytes_sent(), 16LL * 1024 * 1024);
}

TEST(HttpEngine, TruncatesSmallBodiesWithoutLosingTheConnection) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed(64, 4));
    Outcome first = run_one(engine, post(1, server.url("/status/200")));
    EXPECT_EQ(first.response_body, "stat");
    EXPECT_TRUE(first.response_truncated);
    EXPECT_EQ(first.error, "");
    Outcome second = run_one(engine, post(2, server.url("/status/200")));
    EXPECT_EQ(second.http_status, 200);
    EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(HttpEngine, RefusesDeniedAddressesWithoutConnecting) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(EngineSettings{});  // the default policy denies loopback
    for (const std::string& url :
         {server.url("/ok"), "http://localhost:" + std::to_string(server.port()) + "/ok",
          "http://[::ffff:127.0.0.1]:" + std::to_string(server.port()) + "/ok",
          "http://[::1]:" + std::to_string(server.port()) + "/ok"}) {
        Outcome outcome = run_one(engine, post(3, url));
        EXPECT_EQ(outcome.http_status, 0) << url;
        EXPECT_TRUE(outcome.address_denied) << url;
        EXPECT_NE(outcome.error.find("is not allowed"), std::string::npos) << outcome.error;
    }
    Outcome outcome = run_one(engine, post(3, server.url("/ok")));
    EXPECT_EQ(outcome.error,
              "address 127.0.0.1 is not allowed (loopback 127.0.0.0/8); "
              "webhook.allowed_networks can allow it");
    EXPECT_EQ(server.connections_accepted(), 0);
    EXPECT_TRUE(server.requests().empty());

    // After allowing loopback, the same request goes through.
    engine.reconfigure(loopback_allowed());
    Outcome allowed = run_one(engine, post(4, server.url("/ok")));
    EXPECT_EQ(allowed.http_status, 204);
    EXPECT_FALSE(allowed.address_denied);
    EXPECT_EQ(server.requests().size(), 1u);
}

// A connection opened while loopback was allowed is kept for reuse; once the
// policy no longer allows it, the kept connection must not carry a request.
TEST(HttpEngine, JudgesKeptConnectionsByTheCurrentAddressPolicy) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    Outcome allowed = run_one(engine, post(1, server.url("/ok")));
    ASSERT_EQ(allowed.http_status, 204);

    engine.reconfigure(EngineSettings{});  // the default policy denies loopback
    Outcome denied = run_one(engine, post(2, server.url("/ok/after")));
    EXPECT_EQ(denied.http_status, 0);
    EXPECT_TRUE(denied.address_denied);
    EXPECT_EQ(denied.error,
              "address 127.0.0.1 is not allowed (loopback 127.0.0.0/8); "
              "webhook.allowed_networks can allow it");
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests()[0].path, "/ok");

    engine.reconfigure(loopback_allowed());
    Outcome again = run_one(engine, post(3, server.url("/ok/again")));
    EXPECT_EQ(again.http_status, 204);
    EXPECT_FALSE(again.address_denied);
}

// A reload that narrows the allowed networks reaches the requests already
// queued: here one waits for the only slot while the request ahead of it
// holds the connection it would reuse. Neither a new connection nor the kept
// one may carry it (the kept one was judged by the old policy when it opened).
TEST(HttpEngine, ANarrowedAddressPolicyReachesQueuedRequestsOnKeptConnections) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed(1));
    ASSERT_EQ(run_one(engine, post(1, server.url("/ok/opens"))).http_status, 204);
    engine.submit(post(2, server.url("/delay/300/ahead")));
    engine.submit(post(3, server.url("/ok/queued")));
    ASSERT_EQ(engine.queued(), 1u);
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (server.requests().size() < 2 && std::chrono::steady_clock::now() < deadline) {
        engine.wait_and_perform(10);
    }
    ASSERT_EQ(server.requests().size(), 2u);  // the one ahead is on the wire

    webhook::http::EngineSettings narrowed = loopback_allowed(1);
    narrowed.address_policy = webhook::AddressPolicy::parse("10.0.0.0/8");
    engine.reconfigure(narrowed);
    std::map<std::uint64_t, Outcome> outcomes;
    for (Outcome& outcome : run(engine, 2)) outcomes[outcome.tag] = std::move(outcome);
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_EQ(outcomes[2].http_status, 200);  // started before the reload
    EXPECT_EQ(outcomes[3].http_status, 0);
    EXPECT_TRUE(outcomes[3].address_denied);
    EXPECT_NE(outcomes[3].error.find("address 127.0.0.1 is not allowed"), std::string::npos)
        << outcomes[3].error;
    std::vector<std::string> paths;
    for (const auto& request : server.requests()) paths.push_back(request.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"/ok/opens", "/delay/300/ahead"}));
    EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(HttpEngine, OnlySpeaksHttpAndHttps) {
    HttpEngine engine(loopback_allowed());
    for (const char* url : {"file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/",
                            "dict://127.0.0.1:11211/stat"}) {
        Outcome outcome = run_one(engine, post(1, url));
        EXPECT_EQ(outcome.http_status, 0) << url;
        EXPECT_FALSE(outcome.error.empty()) << url;
        EXPECT_TRUE(outcome.response_body.empty()) << url;
    }
}

TEST(HttpEngine, IgnoresProxiesFromTheEnvironment) {
    test_support::LoopbackHttpServer server;
    const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(closed_port());
    setenv("http_proxy", dead_proxy.c_str(), 1);
    setenv("HTTPS_PROXY", dead_proxy.c_str(), 1);
    setenv("ALL_PROXY", dead_proxy.c_str(), 1);
    HttpEngine engine(loopback_allowed());
    Outcome outcome = run_one(engine, post(1, server.url("/ok")));
    unsetenv("http_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("ALL_PROXY");
    EXPECT_EQ(outcome.http_status, 204) << outcome.error;
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpEngine, ReportsRefusedConnections) {
    HttpEngine engine(loopback_allowed());
    Outcome outcome =
        run_one(engine, post(1, "http://127.0.0.1:" + std::to_string(closed_port()) + "/ok"));
    EXPECT_EQ(outcome.http_status, 0);
    EXPECT_FALSE(outcome.address_denied);
    EXPECT_FALSE(outcome.error.empty());
}

TEST(HttpEngine, RefusesHeadersThatWouldInjectLines) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    Request request = post(9, server.url("/ok"));
    request.headers = {"x-a: b\r\nx-injected: yes"};
    Outcome outcome = run_one(engine, request);
    EXPECT_EQ(outcome.tag, 9u);
    EXPECT_EQ(outcome.http_status, 0);
    EXPECT_NE(outcome.error.find("line break"), std::string::npos);
    EXPECT_TRUE(server.requests().empty());
}

TEST(HttpEngine, KeepsAtMostMaxInFlightAndReusesConnections) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed(8));
    const std::size_t total = 400;
    for (std::size_t i = 0; i < total; ++i) {
        engine.submit(
            post(i, server.url("/ok/" + std::to_string(i)), "{\"i\":" + std::to_string(i) + "}"));
    }
    EXPECT_EQ(engine.active(), 8u);
    EXPECT_EQ(engine.queued(), total - 8);

    std::map<std::uint64_t, int> statuses;
    std::size_t most_active = 0;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (statuses.size() < total && std::chrono::steady_clock::now() < deadline) {
        engine.wait_and_perform(100);
        most_active = std::max(most_active, engine.active());
        for (const Outcome& outcome : engine.take_finished())
            statuses[outcome.tag] = outcome.http_status;
    }
    ASSERT_EQ(statuses.size(), total);
    for (const auto& [tag, status] : statuses) EXPECT_EQ(status, 204) << tag;
    EXPECT_LE(most_active, 8u);
    EXPECT_EQ(engine.active(), 0u);
    EXPECT_EQ(engine.queued(), 0u);
    EXPECT_EQ(server.requests().size(), total);
    // 400 requests over at most 8 connections: they were reused.
    EXPECT_LE(server.connections_accepted(), 8);
}

TEST(HttpEngine, WithdrawTakesBackQueuedRequestsButNotStartedOnes) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed(1));
    engine.submit(post(1, server.url("/delay/300/first")));
    engine.submit(post(2, server.url("/ok/second")));
    engine.submit(post(3, server.url("/ok/third")));
    ASSERT_EQ(engine.active(), 1u);
    ASSERT_EQ(engine.queued(), 2u);

    engine.withdraw({1, 3, 99});  // 1 has started, 99 is unknown
    EXPECT_EQ(engine.active(), 1u);
    EXPECT_EQ(engine.queued(), 1u);

    std::map<std::uint64_t, Outcome> outcomes;
    for (Outcome& outcome : run(engine, 3)) outcomes[outcome.tag] = std::move(outcome);
    ASSERT_EQ(outcomes.size(), 3u);
    EXPECT_TRUE(outcomes[3].withdrawn);
    EXPECT_EQ(outcomes[3].http_status, 0);
    EXPECT_FALSE(outcomes[1].withdrawn);
    EXPECT_EQ(outcomes[1].http_status, 200);
    EXPECT_FALSE(outcomes[2].withdrawn);
    EXPECT_EQ(outcomes[2].http_status, 204);
    std::vector<std::string> paths;
    for (const auto& request : server.requests()) paths.push_back(request.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"/delay/300/first", "/ok/second"}));
}

TEST(HttpEngine, EnqueueStartsNothingUntilPerform) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed(4));
    engine.enqueue(post(1, server.url("/ok/a")));
    engine.enqueue(post(2, server.url("/ok/b")));
    EXPECT_EQ(engine.active(), 0u);
    EXPECT_EQ(engine.queued(), 2u);
    engine.withdraw({2});
    std::vector<Outcome> outcomes = run(engine, 2);
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_EQ(outcomes[0].tag, 2u);  // withdrawn at once
    EXPECT_TRUE(outcomes[0].withdrawn);
    EXPECT_EQ(outcomes[1].tag, 1u);
    EXPECT_EQ(outcomes[1].http_status, 204);
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests()[0].path, "/ok/a");
}

TEST(HttpEngine, EventFdWakesTheCallerWhenAResponseArrives) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    engine.submit(post(1, server.url("/delay/300")));
    engine.perform();
    auto started = std::chrono::steady_clock::now();
    std::vector<Outcome> outcomes;
    while (outcomes.empty() && std::chrono::steady_clock::now() - started < 5s) {
        long wait = engine.timeout_ms();
        pollfd ready{engine.event_fd(), POLLIN, 0};
        // Sleep as long as the engine allows (its timers are far away while
        // the server delays), so only the socket can wake us early.
        poll(&ready, 1, wait < 0 ? 5000 : static_cast<int>(wait));
        engine.perform();
        outcomes = engine.take_finished();
    }
    auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].http_status, 200);
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 1500ms);
}

TEST(HttpEngine, ReusedTransfersCarryNothingOver) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed(1));
    Request first = post(1, server.url("/retry-after/30"), "{\"first\":true}");
    first.headers = {"x-only-first: 1"};
    Outcome limited = run_one(engine, first);
    ASSERT_EQ(limited.http_status, 429);
    Outcome timed_out = run_one(engine, post(2, server.url("/delay/2000"), "{}", 200));
    ASSERT_EQ(timed_out.http_status, 0);
    Outcome ok = run_one(engine, post(3, server.url("/status/200"), "{\"third\":true}"));
    EXPECT_EQ(ok.tag, 3u);
    EXPECT_EQ(ok.http_status, 200);
    EXPECT_EQ(ok.error, "");
    EXPECT_EQ(ok.response_body, "status 200");
    EXPECT_FALSE(ok.retry_after.has_value());
    auto received = server.requests();
    ASSERT_EQ(received.size(), 3u);
    EXPECT_EQ(received[2].body, "{\"third\":true}");
    EXPECT_EQ(received[2].headers.count("x-only-first"), 0u);
}

TEST(HttpEngine, RefusesCertificatesItCannotVerify) {
    test_support::LoopbackTlsServer server;
    HttpEngine engine(loopback_allowed());
    Outcome outcome = run_one(engine, post(1, server.url("/ok")));
    EXPECT_EQ(outcome.http_status, 0);
    EXPECT_FALSE(outcome.address_denied);
    EXPECT_NE(outcome.error.find("certificate"), std::string::npos) << outcome.error;
    // The TLS server was reached, but no handshake completed: nothing was sent.
    EXPECT_EQ(server.connections(), 1);
    EXPECT_EQ(server.completed_handshakes(), 0);
}

// An endpoint header may have an empty value ({"x-flag": ""}); libcurl drops
// a "name:" line with nothing after the colon unless it is told otherwise.
TEST(HttpEngine, SendsCallerHeadersWithEmptyValues) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed());
    Request request = post(1, server.url("/ok"), "{}");
    request.headers = {"x-empty: ", "x-bare:", "x-full: yes"};
    Outcome outcome = run_one(engine, request);
    EXPECT_EQ(outcome.http_status, 204);
    auto received = server.requests();
    ASSERT_EQ(received.size(), 1u);
    ASSERT_EQ(received[0].headers.count("x-empty"), 1u);
    EXPECT_EQ(received[0].headers.at("x-empty"), "");
    ASSERT_EQ(received[0].headers.count("x-bare"), 1u);
    EXPECT_EQ(received[0].headers.at("x-bare"), "");
    EXPECT_EQ(received[0].headers.at("x-full"), "yes");
}

// A request waiting for a slot gets its start-time headers (the Standard
// Webhooks timestamp and signature) when it starts, not when it was handed over.
TEST(HttpEngine, MakesStartTimeHeadersWhenTheRequestStarts) {
    test_support::LoopbackHttpServer server;
    HttpEngine engine(loopback_allowed(1));
    const auto handed_over = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    engine.submit(post(1, server.url("/delay/1500"), "{}"));
    Request waiting = post(2, server.url("/ok"), "{\"n\": 2}");
    waiting.headers = {"x-first: 1"};
    waiting.headers_at_start = [](std::int64_t unix_seconds, const std::string& body) {
        return std::vector<std::string>{"x-started: " + std::to_string(unix_seconds),
                                        "x-body: " + body};
    };
    engine.submit(waiting);
    Request failing = post(3, server.url("/ok"), "{}");
    failing.headers_at_start = [](std::int64_t, const std::string&) -> std::vector<std::string> {
        throw std::runtime_error("no key");
    };
    engine.submit(failing);

    std::map<std::uint64_t, Outcome> outcomes;
    for (Outcome& outcome : run(engine, 3)) outcomes[outcome.tag] = std::move(outcome);
    ASSERT_EQ(outcomes.size(), 3u);
    EXPECT_EQ(outcomes[2].http_status, 204);
    EXPECT_EQ(outcomes[3].http_status, 0);
    EXPECT_EQ(outcomes[3].error, "request not sent: no key");

    auto received = server.requests();
    ASSERT_EQ(received.size(), 2u);  // the failing one never left
    const auto& got = received[1];
    EXPECT_EQ(got.headers.at("x-first"), "1");
    EXPECT_EQ(got.headers.at("x-body"), "{\"n\": 2}");
    EXPECT_GE(std::stoll(got.headers.at("x-started")), handed_over + 1);
}

// A 204 or 304 that announces a body and sends one anyway, at once or a
// little later, on a connection kept alive: those bytes belong to no
// response, and the next request must get its own answer, not them.
TEST(HttpEngine, AStrayBodyAfterA204Or304DoesNotReachTheNextResponse) {
    for (int status : {204, 304}) {
        for (int delay_ms : {0, 50}) {
            SCOPED_TRACE("HTTP " + std::to_string(status) + ", body after " +
                         std::to_string(delay_ms) + " ms");
            test_support::LoopbackHttpServer server;
            HttpEngine engine(loopback_allowed(1));
            Outcome first = run_one(engine, post(1, server.url("/stray/" + std::to_string(status) +
                                                               "/" + std::to_string(delay_ms))));
            EXPECT_EQ(first.http_status, status);
            EXPECT_EQ(first.error, "");
            EXPECT_EQ(first.response_body, "");
            // The stray bytes are there before the next request goes out.
            std::this_thread::sleep_for(std::chrono::milliseconds(2 * delay_ms));
            Outcome next = run_one(engine, post(2, server.url("/status/201")));
            EXPECT_EQ(next.http_status, 201);
            EXPECT_EQ(next.error, "");
            EXPECT_EQ(next.response_body, "status 201");
            ASSERT_EQ(server.requests().size(), 2u);
            EXPECT_EQ(server.requests()[1].path, "/status/201");
        }
    }
}
