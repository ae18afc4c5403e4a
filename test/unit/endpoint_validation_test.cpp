#include "core/endpoint_secret.hpp"
#include "core/endpoint_url.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>

namespace {

std::string sqlstate_of(void (*action)(std::string_view), std::string_view input) {
    try {
        action(input);
    } catch (const webhook::Error& error) {
        EXPECT_FALSE(error.hint().empty());
        return error.sqlstate();
    }
    return "ok";
}

void decode_secret(std::string_view secret) { webhook::decode_endpoint_secret(secret); }

}  // namespace

TEST(EndpointSecret, GeneratedSecretsAreWellFormedAndDistinct) {
    std::string a = webhook::generate_endpoint_secret();
    std::string b = webhook::generate_endpoint_secret();
    EXPECT_NE(a, b);
    EXPECT_EQ(a.rfind("whsec_", 0), 0u);
    EXPECT_EQ(webhook::decode_endpoint_secret(a).size(), webhook::kGeneratedSecretBytes);
}

TEST(EndpointSecret, AcceptsTheStandardWebhooksExample) {
    EXPECT_EQ(webhook::decode_endpoint_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").size(), 24u);
}

TEST(EndpointSecret, RefusesMalformedSecretsWith22023) {
    EXPECT_EQ(sqlstate_of(decode_secret, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "22023");
    EXPECT_EQ(sqlstate_of(decode_secret, "whsec_not base64!"), "22023");
    EXPECT_EQ(sqlstate_of(decode_secret, "whsec_c2hvcnQ="), "22023");  // 5 bytes
    std::string too_long = "whsec_" + std::string(88, 'A');          // 66 bytes
    EXPECT_EQ(sqlstate_of(decode_secret, too_long), "22023");
}

TEST(EndpointUrl, AcceptsHttpAndHttps) {
    EXPECT_EQ(sqlstate_of(webhook::validate_endpoint_url, "https://example.com/hook"), "ok");
    EXPECT_EQ(sqlstate_of(webhook::validate_endpoint_url, "http://127.0.0.1:8080/x?y=1"), "ok");
    EXPECT_EQ(sqlstate_of(webhook::validate_endpoint_url, "HTTPS://[::1]:9/"), "ok");
}

TEST(EndpointUrl, RefusesEverythingElseWith22023) {
    for (const char* url : {"", "ftp://example.com/", "file:///etc/passwd", "example.com/hook",
                            "https://", "https://exa mple.com/", "javascript:alert(1)",
                            "gopher://x/", "https://example.com/\n", "http:///x",
                            "HTTPS:///example.com/", "https://example.com:0/", "http://[::1]:00/"}) {
        EXPECT_EQ(sqlstate_of(webhook::validate_endpoint_url, url), "22023") << url;
    }
}

// libcurl sends "http:/example.com" and "http:example.com" to example.com;
// stored so, the URL would not read as where the requests go.
TEST(EndpointUrl, RefusesAHostWithoutTheTwoSlashes) {
    for (const char* url : {"http:/example.com/hook", "https:example.com/hook",
                            "HTTPS:/example.com/", "http:/127.0.0.1:8080/x"}) {
        EXPECT_EQ(sqlstate_of(webhook::validate_endpoint_url, url), "22023") << url;
    }
}

// Pasted URLs bring characters that cannot be seen, or read as a space; curl
// parses them, and then no request reaches the host.
TEST(EndpointUrl, RefusesInvisibleAndSpaceCharacters) {
    for (const char* url : {"https://exa\u00A0mple.com/", "https://example.com/hook\u200B",
                            "https://example.com\u2028/", "\uFEFFhttps://example.com/",
                            "https://example.com/\u202Ekoohbew", "https://example.com/a\u3000b",
                            "https://example.com/\xC2\x85", "https://ex\u00ADample.com/"}) {
        EXPECT_EQ(sqlstate_of(webhook::validate_endpoint_url, url), "22023") << url;
    }
    try {
        webhook::validate_endpoint_url("https://exa\u00A0mple.com/");
    } catch (const webhook::Error& error) {
        EXPECT_NE(error.detail().find("U+00A0"), std::string::npos) << error.detail();
    }
    // Letters beyond ASCII are not refused: an internationalized host name.
    EXPECT_EQ(sqlstate_of(webhook::validate_endpoint_url, "https://b\u00FCcher.example/\u00E9t\u00E9"),
              "ok");
}

// The limit is in bytes: the detail says bytes, and counts them, for a URL
// of fewer than 2048 characters but more bytes.
TEST(EndpointUrl, LengthLimitIsStatedInBytes) {
    std::string url = "https://example.com/";
    for (int i = 0; i < 1100; ++i) url += "\u00E9";  // two bytes each
    try {
        webhook::validate_endpoint_url(url);
        ADD_FAILURE() << "a URL of " << url.size() << " bytes was accepted";
    } catch (const webhook::Error& error) {
        EXPECT_EQ(error.detail(), "The URL has " + std::to_string(url.size()) +
                                      " bytes; at most 2048 are allowed.");
    }
    EXPECT_EQ(sqlstate_of(webhook::validate_endpoint_url,
                          "https://example.com/" + std::string(2048 - 20, 'a')),
              "ok");
}

TEST(EndpointUrl, RefusesCredentialsInTheUrl) {
    for (const char* url : {"https://user:pass@example.com/hook", "https://user@example.com/",
                            "http://:token@127.0.0.1:8080/x"}) {
        EXPECT_EQ(sqlstate_of(webhook::validate_endpoint_url, url), "22023") << url;
    }
    // An @ in the path or query is not a credential.
    EXPECT_EQ(sqlstate_of(webhook::validate_endpoint_url, "https://example.com/a@b?to=x@y"), "ok");
}

// A refused URL is never repeated back: it may carry credentials, and the
// error's detail reaches the server log even when the call's parameters do not.
TEST(EndpointUrl, RefusalsNeverRepeatTheUrl) {
    for (const char* url : {"https://user:s3cret@example.com:99999/", "https://user:s3cret@[::1/",
                            "https://user:s3cret@/", "ftp://user:s3cret@example.com/",
                            "https://user:s3cret@example.com/"}) {
        try {
            webhook::validate_endpoint_url(url);
            ADD_FAILURE() << url << " was accepted";
        } catch (const webhook::Error& error) {
            EXPECT_EQ(error.sqlstate(), "22023") << url;
            EXPECT_EQ(error.message().find("s3cret"), std::string::npos) << error.message();
            EXPECT_EQ(error.detail().find("s3cret"), std::string::npos) << error.detail();
            EXPECT_FALSE(error.detail().empty()) << url;
        }
    }
}
