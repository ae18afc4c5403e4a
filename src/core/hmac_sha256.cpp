#include "core/hmac_sha256.hpp"

#include <stdexcept>

#include <openssl/evp.h>

namespace webhook {
namespace {

constexpr std::size_t kBlockSize = 64;

// Fetched once per process: an implicit fetch on every digest is most of
// the cost of a short HMAC in OpenSSL 3.
const EVP_MD* sha256() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!md) throw std::runtime_error("SHA256 is not available from OpenSSL");
    return md;
}

void check(int ok) {
    if (ok != 1) throw std::runtime_error("SHA256 digest failed");
}

struct DigestContext {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    DigestContext() {
        if (!context) throw std::bad_alloc();
    }
    ~DigestContext() { EVP_MD_CTX_free(context); }
    DigestContext(const DigestContext&) = delete;
    DigestContext& operator=(const DigestContext&) = delete;
};

}  // namespace

struct HmacSha256::States {
    DigestContext inner;    // after absorbing key ^ ipad
    DigestContext outer;    // after absorbing key ^ opad
    DigestContext scratch;  // where each MAC runs
};

HmacSha256::HmacSha256(const std::vector<std::uint8_t>& key) : states_(std::make_unique<States>()) {
    std::array<std::uint8_t, kBlockSize> block{};
    if (key.size() > kBlockSize) {
        unsigned int length = 0;
        check(EVP_Digest(key.data(), key.size(), block.data(), &length, sha256(), nullptr));
    } else {
        std::copy(key.begin(), key.end(), block.begin());
    }
    std::array<std::uint8_t, kBlockSize> inner_pad, outer_pad;
    for (std::size_t i = 0; i < kBlockSize; ++i) {
        inner_pad[i] = block[i] ^ 0x36;
        outer_pad[i] = block[i] ^ 0x5c;
    }
    check(EVP_DigestInit_ex(states_->inner.context, sha256(), nullptr));
    check(EVP_DigestUpdate(states_->inner.context, inner_pad.data(), kBlockSize));
    check(EVP_DigestInit_ex(states_->outer.context, sha256(), nullptr));
    check(EVP_DigestUpdate(states_->outer.context, outer_pad.data(), kBlockSize));
}

HmacSha256::~HmacSha256() = default;

std::array<std::uint8_t, 32> HmacSha256::digest(const std::uint8_t* data, std::size_t size) const {
    EVP_MD_CTX* scratch = states_->scratch.context;
    std::array<std::uint8_t, 32> inner{}, result{};
    unsigned int length = 0;
    check(EVP_MD_CTX_copy_ex(scratch, states_->inner.context));
    check(EVP_DigestUpdate(scratch, data, size));
    check(EVP_DigestFinal_ex(scratch, inner.data(), &length));
    check(EVP_MD_CTX_copy_ex(scratch, states_->outer.context));
    check(EVP_DigestUpdate(scratch, inner.data(), inner.size()));
    check(EVP_DigestFinal_ex(scratch, result.data(), &length));
    return result;
}

}  // namespace webhook
