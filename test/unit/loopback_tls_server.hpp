// A TLS listener on 127.0.0.1 with a freshly made self-signed certificate,
// for checking that the HTTP engine verifies certificates: it completes
// handshakes when it can and counts the ones that completed.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

namespace test_support {

class LoopbackTlsServer {
  public:
    LoopbackTlsServer() {
        key_ = EVP_RSA_gen(2048);
        certificate_ = X509_new();
        ASN1_INTEGER_set(X509_get_serialNumber(certificate_), 1);
        X509_gmtime_adj(X509_getm_notBefore(certificate_), 0);
        X509_gmtime_adj(X509_getm_notAfter(certificate_), 3600);
        X509_set_pubkey(certificate_, key_);
        X509_NAME* name = X509_get_subject_name(certificate_);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
        X509_set_issuer_name(certificate_, name);
        X509_sign(certificate_, key_, EVP_sha256());

        context_ = SSL_CTX_new(TLS_server_method());
        if (key_ == nullptr || context_ == nullptr ||
            SSL_CTX_use_certificate(context_, certificate_) != 1 ||
            SSL_CTX_use_PrivateKey(context_, key_) != 1) {
            throw std::runtime_error("cannot set up the test TLS server");
        }

        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            listen(listener_, 16) != 0) {
            throw std::runtime_error("cannot listen on 127.0.0.1");
        }
        socklen_t length = sizeof address;
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        acceptor_ = std::thread([this] { serve(); });
    }

    ~LoopbackTlsServer() {
        stopping_ = true;
        acceptor_.join();
        close(listener_);
        SSL_CTX_free(context_);
        X509_free(certificate_);
        EVP_PKEY_free(key_);
    }

    std::string url(const std::string& path) const {
        return "https://127.0.0.1:" + std::to_string(port_) + path;
    }
    int connections() const { return connections_.load(); }
    int completed_handshakes() const { return handshakes_.load(); }

  private:
    void serve() {
        while (!stopping_) {
            pollfd waiting{listener_, POLLIN, 0};
            if (poll(&waiting, 1, 50) <= 0) continue;
            int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            ++connections_;
            timeval limit{2, 0};
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
            SSL* session = SSL_new(context_);
            SSL_set_fd(session, client);
            if (SSL_accept(session) == 1) {
                ++handshakes_;
                const char answer[] = "HTTP/1.1 204 Test\r\n\r\n";
                char request[4096];
                SSL_read(session, request, sizeof request);
                SSL_write(session, answer, sizeof answer - 1);
                SSL_shutdown(session);
            }
            SSL_free(session);
            close(client);
        }
    }

    EVP_PKEY* key_ = nullptr;
    X509* certificate_ = nullptr;
    SSL_CTX* context_ = nullptr;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::atomic<int> handshakes_{0};
    std::thread acceptor_;
};

}  // namespace test_support
