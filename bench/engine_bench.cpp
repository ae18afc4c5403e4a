// The HTTP engine alone against a sink: how many POSTs per second it gets
// through with N in flight, no database involved. Compare with wrk against
// the same sink to see what the engine costs.
//
//   engine_bench URL [requests] [in_flight]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "http/http_engine.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s URL [requests] [in_flight]\n", argv[0]);
        return 2;
    }
    const std::string url = argv[1];
    const long total = argc > 2 ? std::atol(argv[2]) : 100000;
    webhook::http::EngineSettings settings;
    settings.max_in_flight = argc > 3 ? std::atoi(argv[3]) : 64;
    settings.address_policy = webhook::AddressPolicy::parse("127.0.0.0/8, ::1");
    webhook::http::HttpEngine engine(settings);

    const std::string body =
        "{\"type\":\"invoice.paid\",\"data\":{\"id\":\"inv_0001\",\"amount\":4200}}";
    long submitted = 0, finished = 0, failed = 0;
    auto started = std::chrono::steady_clock::now();
    while (finished < total) {
        // Keep the queue short, as the worker does: top up to twice the slots.
        while (submitted < total && engine.active() + engine.queued() <
                                        2 * static_cast<std::size_t>(settings.max_in_flight)) {
            webhook::http::Request request;
            request.tag = static_cast<std::uint64_t>(submitted++);
            request.url = url;
            request.body = body;
            request.headers = {
                "webhook-id: 0190b0d6-5f1e-7cc4-9a7e-4f5b7e2c9d11", "webhook-timestamp: 1700000000",
                "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="};
            engine.submit(std::move(request));
        }
        engine.wait_and_perform(100);
        for (const auto& outcome : engine.take_finished()) {
            ++finished;
            if (outcome.http_status < 200 || outcome.http_status > 299) ++failed;
        }
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("%ld requests in %.3f s: %.0f requests/s, %ld failed\n", finished, seconds,
                finished / seconds, failed);
    return failed == 0 ? 0 : 1;
}
