#include "http/engine_thread.hpp"
#include "http_test_requests.hpp"
#include "loopback_http_server.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using webhook::http::EngineSettings;
using webhook::http::EngineThread;
using webhook::http::Outcome;
using webhook::http::Request;
using test_support::loopback_allowed;

namespace {

// A body that names its request.
Request post(std::uint64_t tag, std::string url, long timeout_ms = 5000) {
    return test_support::post(tag, std::move(url), "{\"tag\":" + std::to_string(tag) + "}",
                              timeout_ms);
}

// The worker's way: sleep on event_fd(), then perform() and take_finished().
std::vector<Outcome> collect(EngineThread& engine, std::size_t expected,
                             std::chrono::milliseconds limit = 10s) {
    std::vector<Outcome> outcomes;
    auto deadline = std::chrono::steady_clock::now() + limit;
    engine.perform();
    while (outcomes.size() < expected && std::chrono::steady_clock::now() < deadline) {
        pollfd ready{engine.event_fd(), POLLIN, 0};
        poll(&ready, 1, 100);
        engine.perform();
        for (Outcome& outcome : engine.take_finished()) outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

TEST(EngineThread, DeliversEverySubmittedRequestOnce) {
    test_support::LoopbackHttpServer server;
    EngineThread engine(loopback_allowed(8));
    const std::size_t total = 300;
    for (std::size_t i = 0; i < total; ++i) engine.submit(post(i, server.url("/ok")));
    EXPECT_EQ(engine.busy(), total);
    // Nothing is handed over before perform().
    std::this_thread::sleep_for(50ms);
    EXPECT_TRUE(server.requests().empty());

    std::vector<Outcome> outcomes = collect(engine, total, 20s);
    ASSERT_EQ(outcomes.size(), total);
    std::set<std::uint64_t> tags;
    for (const Outcome& outcome : outcomes) {
        EXPECT_EQ(outcome.http_status, 204) << outcome.error;
        tags.insert(outcome.tag);
    }
    EXPECT_EQ(tags.size(), total);
    EXPECT_EQ(engine.busy(), 0u);
    EXPECT_EQ(engine.on_the_wire(), 0u);
    EXPECT_EQ(server.requests().size(), total);
    EXPECT_LE(server.connections_accepted(), 8);
}

TEST(EngineThread, ServesTheNetworkWhileTheCallerIsBusyElsewhere) {
    test_support::LoopbackHttpServer server;
    EngineThread engine(loopback_allowed(4));
    for (std::uint64_t i = 0; i < 20; ++i) engine.submit(post(i, server.url("/ok")));
    engine.perform();
    // The caller does other work and does not drive the engine; the
    // engine's thread still sends everything, refilling its 4 slots.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (server.requests().size() < 20 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(server.requests().size(), 20u);
    pollfd ready{engine.event_fd(), POLLIN, 0};
    EXPECT_EQ(poll(&ready, 1, 5000), 1);
    EXPECT_EQ(collect(engine, 20).size(), 20u);
}

TEST(EngineThread, EventFdIsQuietUntilAnOutcomeWaits) {
    test_support::LoopbackHttpServer server;
    EngineThread engine(loopback_allowed());
    engine.submit(post(1, server.url("/delay/300")));
    auto started = std::chrono::steady_clock::now();
    engine.perform();
    // Counted as on the wire as soon as it is handed over.
    EXPECT_EQ(engine.on_the_wire(), 1u);
    pollfd ready{engine.event_fd(), POLLIN, 0};
    ASSERT_EQ(poll(&ready, 1, 5000), 1);
    auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 2000ms);
    engine.perform();  // clears the descriptor
    std::vector<Outcome> outcomes = engine.take_finished();
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].http_status, 200);
    EXPECT_EQ(engine.on_the_wire(), 0u);
    ready.revents = 0;
    EXPECT_EQ(poll(&ready, 1, 0), 0);
}

TEST(EngineThread, ReconfigureReachesTheEngine) {
    test_support::LoopbackHttpServer server;
    EngineSettings denying;
    denying.max_in_flight = 4;  // no allowed networks: loopback is denied
    EngineThread engine(denying);
    engine.submit(post(1, server.url("/ok")));
    std::vector<Outcome> first = collect(engine, 1);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_TRUE(first[0].address_denied);

    engine.reconfigure(loopback_allowed(4));
    engine.submit(post(2, server.url("/ok")));
    std::vector<Outcome> second = collect(engine, 1);
    ASSERT_EQ(second.size(), 1u);
    EXPECT_FALSE(second[0].address_denied);
    EXPECT_EQ(second[0].http_status, 204);
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST(EngineThread, WithdrawsWhatWaitsForASlotWhereverItWaits) {
    test_support::LoopbackHttpServer server;
    EngineThread engine(loopback_allowed(1));
    engine.submit(post(1, server.url("/delay/400/first")));
    engine.submit(post(2, server.url("/ok/queued")));
    engine.perform();
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (server.requests().empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(server.requests().size(), 1u);
    // 2 waits in the engine's queue; 3 and 4 are not even handed over yet.
    engine.submit(post(3, server.url("/ok/unsent")));
    engine.submit(post(4, server.url("/ok/kept")));
    engine.withdraw({1, 2, 3});

    std::map<std::uint64_t, Outcome> outcomes;
    for (Outcome& outcome : collect(engine, 4)) outcomes[outcome.tag] = std::move(outcome);
    ASSERT_EQ(outcomes.size(), 4u);
    EXPECT_FALSE(outcomes[1].withdrawn);  // it was on the network
    EXPECT_EQ(outcomes[1].http_status, 200);
    EXPECT_TRUE(outcomes[2].withdrawn);
    EXPECT_TRUE(outcomes[3].withdrawn);
    EXPECT_FALSE(outcomes[4].withdrawn);
    EXPECT_EQ(outcomes[4].http_status, 204);
    EXPECT_EQ(engine.busy(), 0u);
    EXPECT_EQ(engine.on_the_wire(), 0u);
    std::set<std::string> paths;
    for (const auto& request : server.requests()) paths.insert(request.path);
    EXPECT_EQ(paths, (std::set<std::string>{"/delay/400/first", "/ok/kept"}));
}

TEST(EngineThread, AWithdrawalReachesRequestsHandedOverWithIt) {
    test_support::LoopbackHttpServer server;
    EngineThread engine(loopback_allowed(8));  // free slots: nothing has to wait
    for (std::uint64_t i = 0; i < 6; ++i) {
        engine.submit(post(i, server.url("/ok/" + std::to_string(i))));
    }
    engine.withdraw({1, 3, 5});
    std::vector<Outcome> outcomes = collect(engine, 6);
    ASSERT_EQ(outcomes.size(), 6u);
    std::set<std::uint64_t> withdrawn;
    for (const Outcome& outcome : outcomes) {
        if (outcome.withdrawn) withdrawn.insert(outcome.tag);
    }
    EXPECT_EQ(withdrawn, (std::set<std::uint64_t>{1, 3, 5}));
    std::set<std::string> paths;
    for (const auto& request : server.requests()) paths.insert(request.path);
    EXPECT_EQ(paths, (std::set<std::string>{"/ok/0", "/ok/2", "/ok/4"}));
}

TEST(EngineThread, StopsPromptlyWithRequestsInFlight) {
    test_support::LoopbackHttpServer server;
    auto engine = std::make_unique<EngineThread>(loopback_allowed());
    for (std::uint64_t i = 0; i < 5; ++i) engine->submit(post(i, server.url("/delay/3000"), 10000));
    engine->perform();
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (server.requests().size() < 5 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(engine->on_the_wire(), 5u);
    EXPECT_EQ(engine->busy(), 5u);
    auto started = std::chrono::steady_clock::now();
    webhook::http::stop_engine_threads();  // what the worker does on exit
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
    engine.reset();  // and destroying it after a stop is fine
}

TEST(EngineThread, LeavesSignalsToTheCallingThread) {
    // A signal sent to the process goes to a thread that does not block it.
    // With it blocked here, the engine's thread would take it, unless it
    // blocks every signal itself: then it stays pending until we unblock it.
    static std::atomic<bool> handled{false};
    static std::atomic<pthread_t> handled_on{};
    struct sigaction action {};
    struct sigaction previous {};
    action.sa_handler = [](int) {
        handled_on.store(pthread_self());
        handled.store(true);
    };
    sigemptyset(&action.sa_mask);
    ASSERT_EQ(sigaction(SIGUSR2, &action, &previous), 0);
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    {
        // Blocked after the engine's thread started: it would not inherit it.
        EngineThread engine(loopback_allowed());
        ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &usr2, nullptr), 0);
        ASSERT_EQ(kill(getpid(), SIGUSR2), 0);
        std::this_thread::sleep_for(200ms);
        EXPECT_FALSE(handled.load()) << "the engine's thread took a signal";
        ASSERT_EQ(pthread_sigmask(SIG_UNBLOCK, &usr2, nullptr), 0);
        auto deadline = std::chrono::steady_clock::now() + 2s;
        while (!handled.load() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(1ms);
        }
        ASSERT_TRUE(handled.load());
        EXPECT_TRUE(pthread_equal(handled_on.load(), pthread_self()));
    }
    sigaction(SIGUSR2, &previous, nullptr);
}

}  // namespace
