#include "core/delivery_request.hpp"

#include <algorithm>
#include <cctype>

#include "core/endpoint_secret.hpp"
#include "core/webhook_signature.hpp"

namespace webhook {
namespace {

// Headers the request sets itself or that libcurl must control.
bool is_reserved_header(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static const char* const reserved[] = {"content-type",
                                           "content-length",
                                           "host",
                                           "user-agent",
                                           "webhook-id",
                                           "webhook-timestamp",
                                           "webhook-signature",
                                           "transfer-encoding",
                                           "connection",
                                           "expect"};
    for (const char* item : reserved) {
        if (name == item) return true;
    }
    return false;
}

bool is_acceptable_extra(const std::string& line) {
    std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return false;
    if (line.find_first_of("\r\n") != std::string::npos) return false;
    std::string name = line.substr(0, colon);
    if (name.find_first_of(" \t") != std::string::npos) return false;
    return !is_reserved_header(name);
}

}  // namespace

std::vector<std::string> delivery_extra_headers(const ClaimedDelivery& delivery) {
    std::vector<std::string> headers;
    headers.reserve(delivery.headers.size() + 3);
    for (const std::string& line : delivery.headers) {
        if (is_acceptable_extra(line)) headers.push_back(line);
    }
    return headers;
}

DeliverySigner::DeliverySigner(const ClaimedDelivery& delivery) : id_(uuid_to_string(delivery.id)) {
    keys_.push_back(decode_endpoint_secret(delivery.secret));
    if (delivery.previous_secret)
        keys_.push_back(decode_endpoint_secret(*delivery.previous_secret));
}

std::vector<std::string> DeliverySigner::headers(std::int64_t unix_timestamp,
                                                 std::string_view body) const {
    std::string signatures;
    for (const std::vector<std::uint8_t>& key : keys_) {
        if (!signatures.empty()) signatures += ' ';
        signatures += webhook_signature_v1(key, id_, unix_timestamp, body);
    }
    return {"webhook-id: " + id_, "webhook-timestamp: " + std::to_string(unix_timestamp),
            "webhook-signature: " + signatures};
}

}  // namespace webhook
