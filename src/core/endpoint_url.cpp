#include "core/endpoint_url.hpp"

#include <memory>

#include <curl/curl.h>

#include "core/error.hpp"

namespace webhook {
namespace {

const char* const kUrlHint = "Give an absolute URL such as https://example.com/webhooks.";

struct CurlUrlDeleter {
    void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
struct CurlFree {
    void operator()(char* text) const noexcept { curl_free(text); }
};

[[noreturn]] void refuse(std::string detail) {
    throw Error::invalid_parameter("invalid endpoint url", std::move(detail), kUrlHint);
}

}  // namespace

void validate_endpoint_url(std::string_view url) {
    if (url.empty()) refuse("The URL is empty.");
    if (url.size() > kMaxUrlLength) {
        refuse("The URL is longer than " + std::to_string(kMaxUrlLength) + " characters.");
    }
    for (char c : url) {
        auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7F) refuse("The URL contains whitespace or a control character.");
    }

    std::unique_ptr<CURLU, CurlUrlDeleter> handle(curl_url());
    if (!handle) throw Error(sqlstate::kOutOfMemory, "out of memory");
    std::string text(url);
    // CURLU_NON_SUPPORT_SCHEME lets us parse any scheme and refuse it ourselves
    // with a clear message instead of curl's generic one.
    // The URL is not repeated in the detail: it may carry credentials (which
    // are refused below, but only once it parses), and the detail is written
    // to the server log even when the call's parameters are not.
    CURLUcode parsed =
        curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
    if (parsed != CURLUE_OK) {
        refuse(std::string("The URL cannot be parsed as an absolute URL (") +
               curl_url_strerror(parsed) + ").");
    }

    char* raw = nullptr;
    curl_url_get(handle.get(), CURLUPART_SCHEME, &raw, 0);
    std::unique_ptr<char, CurlFree> scheme(raw);
    std::string scheme_text = scheme ? scheme.get() : "";
    if (scheme_text != "http" && scheme_text != "https") {
        throw Error::invalid_parameter(
            "invalid endpoint url",
            "The scheme \"" + scheme_text + "\" is not allowed; only http and https are.",
            kUrlHint);
    }

    raw = nullptr;
    curl_url_get(handle.get(), CURLUPART_HOST, &raw, 0);
    std::unique_ptr<char, CurlFree> host(raw);
    if (!host || host.get()[0] == '\0') refuse("The URL has no host.");
    // libcurl reads "http:///x" as host x; the stored URL would then not say
    // where requests go.
    std::string_view after_scheme = url.substr(scheme_text.size());
    if (after_scheme.rfind(":///", 0) == 0) refuse("The URL has no host.");

    raw = nullptr;
    curl_url_get(handle.get(), CURLUPART_PORT, &raw, 0);
    std::unique_ptr<char, CurlFree> port(raw);
    if (port && std::string_view(port.get()) == "0") refuse("Port 0 cannot be connected to.");

    // Credentials in the URL would be shown wherever the URL is (every list
    // of endpoints, the listing's endpoint filter), unlike a header's value.
    for (CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD}) {
        raw = nullptr;
        CURLUcode found = curl_url_get(handle.get(), part, &raw, 0);
        std::unique_ptr<char, CurlFree> credential(raw);
        if (found == CURLUE_OK) {
            throw Error::invalid_parameter(
                "invalid endpoint url",
                "The URL carries credentials (user:password@), which would be shown wherever "
                "the endpoint is listed.",
                "Remove them from the URL and send them in a header, such as headers => "
                "'{\"authorization\": \"Basic ...\"}': header values are never listed.");
        }
    }
}

}  // namespace webhook
