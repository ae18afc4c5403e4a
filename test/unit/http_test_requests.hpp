// Settings and requests shared by the HTTP engine's tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "http/http_engine.hpp"

namespace test_support {

// Engine settings that let requests reach the loopback test servers.
inline webhook::http::EngineSettings loopback_allowed(int max_in_flight = 64,
                                                      std::size_t body_limit = 4096) {
    webhook::http::EngineSettings settings;
    settings.max_in_flight = max_in_flight;
    settings.response_body_limit = body_limit;
    settings.address_policy = webhook::AddressPolicy::parse("127.0.0.0/8, ::1");
    return settings;
}

inline webhook::http::Request post(std::uint64_t tag, std::string url, std::string body = "{}",
                                   long timeout_ms = 5000) {
    webhook::http::Request request;
    request.tag = tag;
    request.url = std::move(url);
    request.body = std::move(body);
    request.timeout_ms = timeout_ms;
    return request;
}

}  // namespace test_support
