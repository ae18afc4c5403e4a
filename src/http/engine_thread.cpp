#include "http/engine_thread.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <system_error>
#include <utility>

#include "core/error.hpp"

namespace webhook::http {
namespace {

// The engine threads alive in this process, for stop_engine_threads().
// Plain statics with constant initialisation: nothing runs in the postmaster.
std::mutex live_mutex;
EngineThread* live_head = nullptr;

int make_eventfd() {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
        throw Error(sqlstate::kInternalError, "could not create an eventfd for the HTTP engine",
                    std::string("eventfd failed: ") + std::strerror(errno) + ".");
    }
    return fd;
}

void signal_fd(int fd) noexcept {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is already non-zero: readable either way.
    ssize_t written = write(fd, &one, sizeof one);
    (void)written;
}

void clear_fd(int fd) noexcept {
    std::uint64_t count = 0;
    ssize_t read_bytes = read(fd, &count, sizeof count);
    (void)read_bytes;
}

}  // namespace

EngineThread::EngineThread(EngineSettings settings)
    : engine_(settings), max_in_flight_(static_cast<std::size_t>(std::max(settings.max_in_flight, 1))) {
    wake_fd_ = make_eventfd();
    try {
        outcomes_ready_fd_ = make_eventfd();
    } catch (...) {
        close(wake_fd_);
        throw;
    }
    // The new thread inherits this mask: with every signal blocked there, the
    // process's handlers (die, latch wake-ups) run on the calling thread only.
    sigset_t all_signals;
    sigset_t previous;
    sigfillset(&all_signals);
    pthread_sigmask(SIG_SETMASK, &all_signals, &previous);
    try {
        thread_ = std::thread([this] { run(); });
    } catch (const std::system_error& error) {
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        close(wake_fd_);
        close(outcomes_ready_fd_);
        throw Error(sqlstate::kInternalError, "could not start the HTTP engine's thread",
                    std::string(error.what()) + ".");
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);

    std::lock_guard<std::mutex> lock(live_mutex);
    next_live_ = live_head;
    if (live_head != nullptr) live_head->previous_live_ = this;
    live_head = this;
}

EngineThread::~EngineThread() {
    stop();
    {
        std::lock_guard<std::mutex> lock(live_mutex);
        if (previous_live_ != nullptr) {
            previous_live_->next_live_ = next_live_;
        } else {
            live_head = next_live_;
        }
        if (next_live_ != nullptr) next_live_->previous_live_ = previous_live_;
    }
    close(wake_fd_);
    close(outcomes_ready_fd_);
}

void EngineThread::reconfigure(EngineSettings settings) {
    max_in_flight_ = static_cast<std::size_t>(std::max(settings.max_in_flight, 1));
    {
        std::lock_guard<std::mutex> lock(mutex_);
        new_settings_ = std::move(settings);
    }
    signal_fd(wake_fd_);
}

void EngineThread::submit(Request request) {
    unsent_.push_back(std::move(request));
    ++submitted_;
}

bool EngineThread::hand_over_unsent() {
    if (unsent_.empty()) return false;
    if (inbox_.empty()) {
        inbox_.swap(unsent_);
    } else {
        std::move(unsent_.begin(), unsent_.end(), std::back_inserter(inbox_));
        unsent_.clear();
    }
    // Counted before the engine's thread can see them, so that
    // on_the_wire() never subtracts more finished than handed over.
    handed_over_ = submitted_;
    return true;
}

void EngineThread::withdraw(std::vector<std::uint64_t> tags) {
    if (tags.empty()) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        hand_over_unsent();
        withdrawals_.insert(withdrawals_.end(), tags.begin(), tags.end());
    }
    signal_fd(wake_fd_);
}

void EngineThread::perform() {
    clear_fd(outcomes_ready_fd_);
    std::optional<std::string> failure;
    bool handing_over = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        failure = failure_;
        handing_over = hand_over_unsent();
    }
    if (failure) {
        throw Error(sqlstate::kInternalError, "the HTTP engine's thread has failed", *failure + ".");
    }
    if (handing_over) signal_fd(wake_fd_);
}

std::size_t EngineThread::on_the_wire() const noexcept {
    std::size_t in_engine = handed_over_ - finished_by_engine_.load();
    return std::min(in_engine, max_in_flight_);
}

std::vector<Outcome> EngineThread::take_finished() {
    std::vector<Outcome> taken;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        taken.swap(outbox_);
    }
    taken_ += taken.size();
    return taken;
}

void EngineThread::stop() noexcept {
    if (!thread_.joinable()) return;
    stopping_.store(true);
    signal_fd(wake_fd_);
    try {
        thread_.join();
    } catch (...) {
        // join() only throws for a thread that is not joinable; checked above.
    }
}

void EngineThread::run() noexcept {
    try {
        serve();
    } catch (const std::exception& error) {
        std::lock_guard<std::mutex> lock(mutex_);
        failure_ = error.what();
    } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        failure_ = "unknown C++ exception";
    }
    signal_fd(outcomes_ready_fd_);
}

void EngineThread::serve() {
    pollfd watched[2] = {{wake_fd_, POLLIN, 0}, {engine_.event_fd(), POLLIN, 0}};
    std::vector<Request> incoming;
    std::vector<std::uint64_t> withdrawals;
    std::optional<EngineSettings> settings;
    std::vector<Outcome> finished;
    for (;;) {
        long wait = engine_.timeout_ms();
        poll(watched, 2, wait < 0 ? -1 : static_cast<int>(std::min<long>(wait, INT_MAX)));
        if (watched[0].revents & POLLIN) clear_fd(wake_fd_);
        if (stopping_.load()) return;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            incoming.swap(inbox_);
            withdrawals.swap(withdrawals_);
            settings.swap(new_settings_);
        }
        if (settings) {
            engine_.reconfigure(std::move(*settings));
            settings.reset();
        }
        // Queued, not started: perform() below starts them only after the
        // withdrawals that came with them are applied, so that a withdrawal
        // reaches every request submitted before it.
        for (Request& request : incoming) engine_.enqueue(std::move(request));
        incoming.clear();
        engine_.withdraw(withdrawals);
        withdrawals.clear();

        engine_.perform();
        finished = engine_.take_finished();
        if (finished.empty()) continue;
        finished_by_engine_.fetch_add(finished.size());
        bool was_empty = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            was_empty = outbox_.empty();
            if (was_empty) {
                outbox_.swap(finished);
            } else {
                std::move(finished.begin(), finished.end(), std::back_inserter(outbox_));
            }
        }
        finished.clear();
        // Only the first outcome of a batch wakes the caller; later ones join
        // it until the caller takes them.
        if (was_empty) signal_fd(outcomes_ready_fd_);
    }
}

void stop_engine_threads() noexcept {
    std::lock_guard<std::mutex> lock(live_mutex);
    for (EngineThread* engine = live_head; engine != nullptr; engine = engine->next_live_) {
        engine->stop();
    }
}

}  // namespace webhook::http
