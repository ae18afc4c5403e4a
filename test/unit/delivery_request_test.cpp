#include "core/delivery_request.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/webhook_signature.hpp"

namespace {

webhook::ClaimedDelivery sample_delivery() {
    webhook::ClaimedDelivery delivery{};
    delivery.id = {0x01, 0x8f, 0x3a, 0x10, 0x00, 0x00, 0x70, 0x00,
                   0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
    delivery.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    delivery.body = "{\"test\": 2432232314}";
    return delivery;
}

// The headers of a request that starts at unix_timestamp, as the worker
// sends them: the extra headers made at the claim, then the signing ones.
std::vector<std::string> request_headers(const webhook::ClaimedDelivery& delivery,
                                         std::int64_t unix_timestamp) {
    webhook::DeliverySigner signer(delivery);
    std::vector<std::string> headers = webhook::delivery_extra_headers(delivery);
    for (std::string& line : signer.headers(unix_timestamp, delivery.body)) {
        headers.push_back(std::move(line));
    }
    return headers;
}

std::string header(const std::vector<std::string>& headers, const std::string& name) {
    for (const std::string& line : headers) {
        if (line.rfind(name + ": ", 0) == 0) return line.substr(name.size() + 2);
    }
    return "<missing>";
}

TEST(DeliveryRequestHeaders, CarryIdTimestampAndSignature) {
    auto delivery = sample_delivery();
    auto headers = request_headers(delivery, 1614265330);
    EXPECT_EQ(header(headers, "webhook-id"), "018f3a10-0000-7000-8000-000000000001");
    EXPECT_EQ(header(headers, "webhook-timestamp"), "1614265330");
    EXPECT_EQ(header(headers, "webhook-signature"),
              webhook::standard_webhooks_signature("018f3a10-0000-7000-8000-000000000001",
                                                   1614265330, delivery.body, {delivery.secret}));
}

TEST(DeliveryRequestHeaders, SignWithBothSecretsDuringRotation) {
    auto delivery = sample_delivery();
    delivery.previous_secret = "whsec_" + std::string(32, 'A');
    auto headers = request_headers(delivery, 1614265330);
    std::string signature = header(headers, "webhook-signature");
    auto space = signature.find(' ');
    ASSERT_NE(space, std::string::npos);
    EXPECT_EQ(signature.substr(0, 3), "v1,");
    EXPECT_EQ(signature.substr(space + 1, 3), "v1,");
    EXPECT_NE(signature.substr(0, space), signature.substr(space + 1));
}

TEST(DeliveryRequestHeaders, KeepExtraHeadersButNotOursOrBrokenOnes) {
    auto delivery = sample_delivery();
    delivery.headers = {"x-team: blue",
                        "Webhook-Signature: forged",
                        "Content-Type: text/plain",
                        "x-evil: a\r\nx-injected: b",
                        "no colon",
                        "bad name: x",
                        "Host: example.com"};
    auto headers = request_headers(delivery, 1);
    EXPECT_EQ(headers.front(), "x-team: blue");
    EXPECT_EQ(headers.size(), 4u);  // x-team + the three webhook-* headers
    EXPECT_NE(header(headers, "webhook-signature"), "forged");
}

TEST(DeliveryRequestHeaders, TheSignerSignsWithTheTimestampItIsGiven) {
    auto delivery = sample_delivery();
    delivery.previous_secret = "whsec_" + std::string(32, 'A');
    webhook::DeliverySigner signer(delivery);
    for (std::int64_t timestamp : {1614265330, 1614265999}) {
        auto headers = signer.headers(timestamp, delivery.body);
        EXPECT_EQ(headers, request_headers(delivery, timestamp));
        EXPECT_EQ(header(headers, "webhook-timestamp"), std::to_string(timestamp));
    }
    delivery.previous_secret = "whsec_short";
    EXPECT_THROW(webhook::DeliverySigner{delivery}, webhook::Error);
}

TEST(DeliveryRequestHeaders, RefuseAMalformedSecret) {
    auto delivery = sample_delivery();
    delivery.secret = "not a secret";
    EXPECT_THROW(request_headers(delivery, 1), webhook::Error);
}

}  // namespace
