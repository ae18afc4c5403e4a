// A small HTTP/1.1 server on the loopback interface for the HTTP engine's
// tests: one thread accepts, one thread serves each connection (keep-alive),
// and every request is recorded. The path picks the answer:
//   /ok 204 · /status/N · /delay/MS (then 200) · /trickle (200, one byte
//   every 200 ms) · /huge/BYTES · /redirect (302 to /ok) · /retry-after/S (429)
//   · /interim/MS (102 Processing at once, then 200 after MS)
//   · /long-header/BYTES (200 with one header line of that many bytes)
//   · /bad-status (the status line "HTTP/1.1 2OO OK")
//   · /stray/STATUS/MS (STATUS, 204 or 304, announcing a 9-byte body that
//     is sent MS later; the connection is kept)
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace test_support {

struct ReceivedRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::vector<std::string> header_lines;       // as sent
    std::string body;
    int connection = 0;  // which accepted connection carried it
};

class LoopbackHttpServer {
  public:
    LoopbackHttpServer() {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int yes = 1;
        setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            listen(listener_, 256) != 0) {
            throw std::runtime_error("cannot listen on 127.0.0.1");
        }
        socklen_t length = sizeof address;
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }

    ~LoopbackHttpServer() {
        stopping_ = true;
        acceptor_.join();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (int client : clients_) shutdown(client, SHUT_RDWR);
        }
        for (std::thread& worker : workers_) worker.join();
        for (int client : clients_) close(client);
        close(listener_);
    }

    int port() const { return port_; }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

    std::vector<ReceivedRequest> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }
    int connections_accepted() const { return connections_.load(); }
    // Bytes of body the server managed to send (for /huge and /trickle).
    long long body_bytes_sent() const { return body_bytes_sent_.load(); }

  private:
    void accept_loop() {
        while (!stopping_) {
            pollfd waiting{listener_, POLLIN, 0};
            if (poll(&waiting, 1, 50) <= 0) continue;
            int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            int connection = ++connections_;
            std::lock_guard<std::mutex> lock(mutex_);
            clients_.push_back(client);
            workers_.emplace_back([this, client, connection] { serve(client, connection); });
        }
    }

    bool send_all(int client, const std::string& data) {
        std::size_t sent = 0;
        while (sent < data.size()) {
            ssize_t n = send(client, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }

    // Sleeps in small steps so that the destructor never waits long.
    bool pause(std::chrono::milliseconds duration) {
        auto until = std::chrono::steady_clock::now() + duration;
        while (std::chrono::steady_clock::now() < until) {
            if (stopping_) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return !stopping_;
    }

    static std::string response(int status, const std::string& extra_headers,
                                const std::string& body) {
        std::string text = "HTTP/1.1 " + std::to_string(status) + " Test\r\n" + extra_headers;
        if (status != 204) text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        return text + "\r\n" + body;
    }

    void serve(int client, int connection) {
        std::string buffer;
        char chunk[16384];
        while (!stopping_) {
            std::size_t header_end;
            while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
                ssize_t n = recv(client, chunk, sizeof chunk, 0);
                if (n <= 0) return;
                buffer.append(chunk, static_cast<std::size_t>(n));
            }
            ReceivedRequest request;
            request.connection = connection;
            std::string head = buffer.substr(0, header_end);
            buffer.erase(0, header_end + 4);
            std::size_t line_end = head.find("\r\n");
            std::string request_line = head.substr(0, line_end);
            std::size_t space = request_line.find(' ');
            request.method = request_line.substr(0, space);
            request.path = request_line.substr(space + 1, request_line.rfind(' ') - space - 1);
            std::size_t position = line_end == std::string::npos ? head.size() : line_end + 2;
            while (position < head.size()) {
                std::size_t end = head.find("\r\n", position);
                if (end == std::string::npos) end = head.size();
                std::string line = head.substr(position, end - position);
                request.header_lines.push_back(line);
                std::size_t colon = line.find(':');
                std::string name = line.substr(0, colon);
                std::transform(name.begin(), name.end(), name.begin(),
                               [](unsigned char c) { return std::tolower(c); });
                std::size_t value_start = line.find_first_not_of(' ', colon + 1);
                request.headers[name] =
                    value_start == std::string::npos ? "" : line.substr(value_start);
                position = end + 2;
            }
            std::size_t length = 0;
            if (request.headers.count("content-length")) {
                length = std::stoul(request.headers["content-length"]);
            }
            while (buffer.size() < length) {
                ssize_t n = recv(client, chunk, sizeof chunk, 0);
                if (n <= 0) return;
                buffer.append(chunk, static_cast<std::size_t>(n));
            }
            request.body = buffer.substr(0, length);
            buffer.erase(0, length);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                requests_.push_back(request);
            }
            if (!answer(client, request.path)) return;
        }
    }

    bool answer(int client, const std::string& path) {
        auto argument = [&](const std::string& prefix) {
            return std::stoll(path.substr(prefix.size()));
        };
        if (path.rfind("/ok", 0) == 0) return send_all(client, response(204, "", ""));
        if (path.rfind("/status/", 0) == 0) {
            int status = static_cast<int>(argument("/status/"));
            return send_all(client, response(status, "", "status " + std::to_string(status)));
        }
        if (path.rfind("/delay/", 0) == 0) {
            if (!pause(std::chrono::milliseconds(argument("/delay/")))) return false;
            return send_all(client, response(200, "", "delayed"));
        }
        if (path.rfind("/interim/", 0) == 0) {
            if (!send_all(client, "HTTP/1.1 102 Processing\r\n\r\n")) return false;
            if (!pause(std::chrono::milliseconds(argument("/interim/")))) return false;
            return send_all(client, response(200, "", "done"));
        }
        if (path.rfind("/long-header/", 0) == 0) {
            std::string line(static_cast<std::size_t>(argument("/long-header/")), 'a');
            return send_all(client, response(200, "X-Long: " + line + "\r\n", "long"));
        }
        if (path.rfind("/bad-status", 0) == 0) {
            return send_all(client, "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok");
        }
        if (path.rfind("/stray/", 0) == 0) {
            // A 204 or 304 has no body (RFC 9110 6.4.1): bytes sent after
            // it belong to no response.
            const std::size_t slash = path.find('/', 7);
            const std::string status = path.substr(7, slash - 7);
            if (!send_all(client, "HTTP/1.1 " + status + " Empty\r\nContent-Length: 9\r\n\r\n"))
                return false;
            if (!pause(std::chrono::milliseconds(std::stoll(path.substr(slash + 1))))) return false;
            return send_all(client, "leftover!");
        }
        if (path.rfind("/redirect", 0) == 0) {
            return send_all(client, response(302, "Location: /ok\r\n", "moved"));
        }
        if (path.rfind("/retry-after/", 0) == 0) {
            return send_all(client, response(429, "Retry-After: " + path.substr(13) + "\r\n", ""));
        }
        if (path.rfind("/trickle", 0) == 0) {
            if (!send_all(client, "HTTP/1.1 200 Test\r\nContent-Length: 1000\r\n\r\n"))
                return false;
            for (int i = 0; i < 1000; ++i) {
                if (!pause(std::chrono::milliseconds(200)) || !send_all(client, "x")) return false;
                ++body_bytes_sent_;
            }
            return true;
        }
        if (path.rfind("/huge/", 0) == 0) {
            long long total = argument("/huge/");
            if (!send_all(client, "HTTP/1.1 200 Test\r\nContent-Length: " + std::to_string(total) +
                                      "\r\n\r\n")) {
                return false;
            }
            const std::string block(64 * 1024, 'h');
            for (long long sent = 0; sent < total;) {
                std::size_t size = static_cast<std::size_t>(
                    std::min<long long>(static_cast<long long>(block.size()), total - sent));
                if (stopping_ || !send_all(client, block.substr(0, size))) return false;
                sent += static_cast<long long>(size);
                body_bytes_sent_ += static_cast<long long>(size);
            }
            return true;
        }
        return send_all(client, response(404, "", "unknown"));
    }

    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::atomic<long long> body_bytes_sent_{0};
    mutable std::mutex mutex_;
    std::vector<ReceivedRequest> requests_;
    std::vector<int> clients_;
    std::vector<std::thread> workers_;
    std::thread acceptor_;
};

}  // namespace test_support
