// An HttpEngine driven by a thread of its own. The worker's main thread
// spends about half its time in the database (claiming, recording); with the
// engine on its own thread, responses are read and freed slots refilled
// during that time, on the machine's other core, instead of waiting for the
// next pass of the worker loop.
//
// The calling thread hands requests over and takes outcomes back:
//
//   submit() ... submit(), then perform() hands them to the engine's thread;
//   event_fd() becomes readable when outcomes wait; perform() clears it and
//   take_finished() collects them.
//
// The engine's thread runs no Postgres code and receives no signals (it is
// started with every signal blocked), so the process's signal handlers, latch
// and error handling stay on the calling thread. Outcomes, requests and
// settings cross between the threads only under one mutex.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/http_engine.hpp"

namespace webhook::http {

class EngineThread {
  public:
    // Throws webhook::Error when libcurl, the descriptors or the thread cannot
    // be set up.
    explicit EngineThread(EngineSettings settings);
    // Stops the thread; requests still in flight are abandoned.
    ~EngineThread();
    EngineThread(const EngineThread&) = delete;
    EngineThread& operator=(const EngineThread&) = delete;

    // Applies to requests started from now on.
    void reconfigure(EngineSettings settings);

    // Kept until the next perform(), which hands every submitted request over
    // at once (one wake-up of the engine's thread per batch).
    void submit(Request request);

    // Takes back the requests among these tags that are still waiting for a
    // slot (submitted, or in the engine's queue): they come back from
    // take_finished() as withdrawn and are never sent. Requests already on
    // the network are left to finish. Hands submitted requests over, as
    // perform() does, so that none of them can slip past the withdrawal.
    void withdraw(std::vector<std::uint64_t> tags);

    // Readable while finished outcomes wait to be taken.
    int event_fd() const noexcept { return outcomes_ready_fd_; }
    // Hands submitted requests to the engine's thread and clears event_fd().
    // Throws webhook::Error (XX000) if the engine's thread has failed.
    void perform();
    std::vector<Outcome> take_finished();

    // Submitted and not yet taken back as finished.
    std::size_t busy() const noexcept { return submitted_ - taken_; }
    // Of those, the ones on the network: handed to the engine's thread and
    // not finished, at most max_in_flight (the rest wait in its queue).
    // Known without waiting for the engine's thread, so a caller that
    // reports it right after perform() already counts what it handed over.
    std::size_t on_the_wire() const noexcept;

    // Stops and joins the thread (idempotent). Safe to call from process-exit
    // callbacks: it only sets a flag, writes a descriptor and joins.
    void stop() noexcept;

  private:
    friend void stop_engine_threads() noexcept;
    void run() noexcept;
    void serve();
    // Moves unsent_ to inbox_; the caller holds mutex_. True when any moved.
    bool hand_over_unsent();

    HttpEngine engine_;  // touched only by the engine's thread once it runs
    int wake_fd_ = -1;   // eventfd: the caller -> the engine's thread
    int outcomes_ready_fd_ = -1;  // eventfd: the engine's thread -> the caller

    std::mutex mutex_;  // guards the five members below
    std::vector<Request> inbox_;
    std::vector<std::uint64_t> withdrawals_;  // applied after inbox_'s requests are queued
    std::optional<EngineSettings> new_settings_;
    std::vector<Outcome> outbox_;
    std::optional<std::string> failure_;
    std::atomic<bool> stopping_{false};

    std::atomic<std::size_t> finished_by_engine_{0};
    std::vector<Request> unsent_;  // the caller's, until perform()
    std::size_t submitted_ = 0;    // the caller's counters
    std::size_t handed_over_ = 0;
    std::size_t taken_ = 0;
    std::size_t max_in_flight_ = 1;  // the caller's copy of the setting

    EngineThread* next_live_ = nullptr;  // in the list stop_engine_threads() walks
    EngineThread* previous_live_ = nullptr;

    std::thread thread_;
};

// Stops every engine thread of the process. For exit paths that never unwind
// the C++ objects owning them (a FATAL on SIGTERM ends the process through
// exit()): a thread still using libcurl or OpenSSL while exit() runs their
// clean-up handlers could crash the process on its way out.
void stop_engine_threads() noexcept;

}  // namespace webhook::http
