#include "core/endpoint_url.hpp"

#include <cstdio>
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

// Characters that cannot be seen where a URL is shown, or that read as a
// space: C1 controls, Unicode spaces, zero-width and bidirectional formatting
// characters, the soft hyphen and the byte order mark. A URL pasted with
// one passes curl's parser, and then no request can reach its host.
bool is_invisible_or_space(char32_t code_point) {
    return (code_point >= 0x80 && code_point <= 0xA0) || code_point == 0xAD ||
           code_point == 0x1680 || code_point == 0x180E ||
           (code_point >= 0x2000 && code_point <= 0x200F) ||
           (code_point >= 0x2028 && code_point <= 0x202F) ||
           (code_point >= 0x205F && code_point <= 0x206F) || code_point == 0x3000 ||
           code_point == 0xFEFF;
}

// The first such character of the UTF-8 text, or 0. Bytes that are not
// well-formed UTF-8 are passed over (curl's parser judges them).
char32_t first_invisible_or_space(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = lead >= 0xF0 && lead <= 0xF4   ? 4
                             : lead >= 0xE0 && lead <= 0xEF ? 3
                             : lead >= 0xC2 && lead <= 0xDF ? 2
                                                            : 1;
        if (length == 1 || i + length > text.size()) {
            ++i;
            continue;
        }
        char32_t code_point = lead & (0xFF >> (length + 1));
        bool well_formed = true;
        for (std::size_t k = 1; k < length; ++k) {
            auto byte = static_cast<unsigned char>(text[i + k]);
            if ((byte & 0xC0) != 0x80) well_formed = false;
            code_point = (code_point << 6) | (byte & 0x3F);
        }
        if (!well_formed) {
            ++i;
            continue;
        }
        if (is_invisible_or_space(code_point)) return code_point;
        i += length;
    }
    return 0;
}

std::string code_point_name(char32_t code_point) {
    char name[16];
    std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(code_point));
    return name;
}

}  // namespace

void validate_endpoint_url(std::string_view url) {
    if (url.empty()) refuse("The URL is empty.");
    if (url.size() > kMaxUrlLength) {
        // Bytes, not characters: a URL of letters beyond ASCII is refused
        // with fewer than 2048 of them, and the detail must say so truly.
        refuse("The URL has " + std::to_string(url.size()) + " bytes; at most " +
               std::to_string(kMaxUrlLength) + " are allowed.");
    }
    for (char c : url) {
        auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7F) refuse("The URL contains whitespace or a control character.");
    }
    if (char32_t hidden = first_invisible_or_space(url)) {
        refuse("The URL contains " + code_point_name(hidden) +
               ", a space, invisible or control character.");
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
    // libcurl reads "http:///x" as host x, and "http:/x" or "http:x" as
    // http://x: the stored URL would not say where requests go (nor match a
    // listing filter such as {"like": "https://x/%"}). An http URL's host
    // comes after "//".
    std::string_view after_scheme = url.substr(scheme_text.size());
    if (after_scheme.rfind(":///", 0) == 0) refuse("The URL has no host.");
    if (after_scheme.rfind("://", 0) != 0) {
        refuse("The scheme is not followed by \"//\" and the host, as in https://example.com/.");
    }

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
