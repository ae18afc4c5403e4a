// RequestSender over the libcurl engine of src/http, run on its own thread.
#include "http/engine_thread.hpp"
#include "worker/request_sender.hpp"

namespace webhook::worker {
namespace {

http::EngineSettings engine_settings(const SenderSettings& settings) {
    http::EngineSettings engine;
    engine.max_in_flight = settings.max_in_flight;
    engine.response_body_limit = settings.response_body_limit;
    engine.connect_timeout_ms = settings.connect_timeout_ms;
    engine.request_timeout_ms = settings.request_timeout_ms;
    engine.address_policy = AddressPolicy::parse(settings.allowed_networks);
    engine.tls_ca_file = settings.tls_ca_file;
    return engine;
}

class HttpRequestSender final : public RequestSender {
  public:
    explicit HttpRequestSender(const SenderSettings& settings)
        : engine_(engine_settings(settings)) {}

    void reconfigure(const SenderSettings& settings) override {
        engine_.reconfigure(engine_settings(settings));
    }
    int event_fd() const override { return engine_.event_fd(); }
    // The engine's timers are its thread's business.
    long timeout_ms() override { return -1; }
    void perform() override { engine_.perform(); }

    void submit(OutgoingRequest outgoing) override {
        http::Request request;
        request.tag = outgoing.tag;
        request.url = std::move(outgoing.url);
        request.headers = std::move(outgoing.headers);
        request.body = std::move(outgoing.body);
        request.timeout_ms = outgoing.timeout_ms;
        request.headers_at_start = std::move(outgoing.headers_at_start);
        engine_.submit(std::move(request));
    }

    void withdraw(std::vector<std::uint64_t> tags) override { engine_.withdraw(std::move(tags)); }

    std::vector<SentAttempt> take_finished() override {
        std::vector<SentAttempt> finished;
        for (http::Outcome& outcome : engine_.take_finished()) {
            SentAttempt sent;
            sent.tag = outcome.tag;
            sent.withdrawn = outcome.withdrawn;
            sent.observation.http_status = outcome.http_status;
            sent.observation.error = std::move(outcome.error);
            sent.observation.response_body = std::move(outcome.response_body);
            sent.observation.retry_after = std::move(outcome.retry_after);
            sent.observation.started_at = outcome.started_at;
            sent.observation.duration_ms = outcome.duration.count();
            finished.push_back(std::move(sent));
        }
        return finished;
    }

    std::size_t busy() const override { return engine_.busy(); }
    std::size_t on_the_wire() const override { return engine_.on_the_wire(); }

  private:
    http::EngineThread engine_;
};

}  // namespace

std::unique_ptr<RequestSender> make_http_sender(const SenderSettings& settings) {
    return std::make_unique<HttpRequestSender>(settings);
}

void stop_http_senders() noexcept { http::stop_engine_threads(); }

}  // namespace webhook::worker
