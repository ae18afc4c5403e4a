#include "core/webhook_signature.hpp"
#include "core/endpoint_secret.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>

namespace {

const std::string kSpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const char* const kSpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const std::int64_t kSpecTimestamp = 1614265330;
const char* const kSpecBody = "{\"test\": 2432232314}";
const char* const kSpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

}  // namespace

TEST(WebhookSignature, MatchesTheStandardWebhooksTestVector) {
    EXPECT_EQ(
        webhook::standard_webhooks_signature(kSpecId, kSpecTimestamp, kSpecBody, {kSpecSecret}),
        kSpecSignature);
    EXPECT_EQ(webhook::webhook_signature_v1(webhook::decode_endpoint_secret(kSpecSecret), kSpecId,
                                            kSpecTimestamp, kSpecBody),
              kSpecSignature);
}

TEST(WebhookSignature, EveryInputChangesTheSignature) {
    const std::string reference =
        webhook::standard_webhooks_signature(kSpecId, kSpecTimestamp, kSpecBody, {kSpecSecret});
    EXPECT_NE(
        webhook::standard_webhooks_signature("msg_other", kSpecTimestamp, kSpecBody, {kSpecSecret}),
        reference);
    EXPECT_NE(
        webhook::standard_webhooks_signature(kSpecId, kSpecTimestamp + 1, kSpecBody, {kSpecSecret}),
        reference);
    EXPECT_NE(webhook::standard_webhooks_signature(kSpecId, kSpecTimestamp, "{\"test\":2432232314}",
                                                   {kSpecSecret}),
              reference);
    EXPECT_NE(webhook::standard_webhooks_signature(kSpecId, kSpecTimestamp, kSpecBody,
                                                   {webhook::generate_endpoint_secret()}),
              reference);
}

TEST(WebhookSignature, SignsWithEverySecretDuringRotation) {
    const std::string next = webhook::generate_endpoint_secret();
    const std::string header = webhook::standard_webhooks_signature(kSpecId, kSpecTimestamp,
                                                                    kSpecBody, {next, kSpecSecret});
    const std::string first =
        webhook::standard_webhooks_signature(kSpecId, kSpecTimestamp, kSpecBody, {next});
    EXPECT_EQ(header, first + " " + kSpecSignature);
}

TEST(WebhookSignature, RefusesMissingOrMalformedSecrets) {
    for (const std::vector<std::string>& secrets :
         {std::vector<std::string>{}, std::vector<std::string>{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
          std::vector<std::string>{kSpecSecret, "whsec_not base64"}}) {
        try {
            webhook::standard_webhooks_signature(kSpecId, kSpecTimestamp, kSpecBody, secrets);
            ADD_FAILURE() << "signed with " << secrets.size() << " secrets";
        } catch (const webhook::Error& error) {
            EXPECT_EQ(error.sqlstate(), "22023");
            EXPECT_FALSE(error.hint().empty());
        }
    }
}
