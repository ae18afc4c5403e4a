#include "worker/dispatcher.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/delivery_request.hpp"
#include "pg/error_boundary.hpp"
#include "pg/settings.hpp"
#include "worker/delivery_store.hpp"
#include "worker/request_sender.hpp"
#include "worker/shared_state.hpp"

extern "C" {
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/wait_event.h"
}

namespace webhook::worker {
namespace {

using std::chrono::milliseconds;
using webhook::pg::call_postgres;
using SteadyClock = std::chrono::steady_clock;

// How often the worker looks for due work when nothing woke it: catches
// deliveries made due without a wake-up (an endpoint enabled again, a
// prepared transaction committed, a manual UPDATE).
constexpr milliseconds kFallbackInterval{1000};
// A batch of results that cannot be recorded is retried this often before
// it is dropped; its deliveries, still due, are then sent again.
constexpr int kRecordRetries = 3;
// The most deliveries one transaction claims.
constexpr int kMaxClaimBatch = 1000;
// In units of max_in_flight: how far claims run ahead of the network, and
// how full the engine may be when a claim is made (see claim_room, claim_due).
constexpr long kClaimAhead = 8;
constexpr long kClaimWhenBusyAtMost = 6;
// How soon results whose deliveries were locked by another transaction are
// tried again.
constexpr milliseconds kLockedRetryInterval{200};
// Finished attempts are recorded in batches: when this many are waiting, or
// when the oldest has waited kRecordDelay, or when nothing else is in flight.
// Each transaction costs a commit and a run of the record statement, so
// fewer, larger ones leave more of the worker's time to the network.
constexpr std::size_t kRecordBatch = 256;
constexpr milliseconds kRecordDelay{20};
// The most bytes of request bodies the worker holds at once: claimed and
// waiting in the engine's queue, or in flight. A payload may be up to 1 MiB,
// and claims run kClaimAhead x max_in_flight deliveries ahead (512 by
// default), so without a bound a backlog of large payloads took over half a
// gigabyte. Ordinary payloads (a few kB) never come near it.
constexpr std::int64_t kHeldBodyBudget = 32 * 1024 * 1024;
// Once the bodies reach the budget, the next claim waits until this much of
// it is free again, so that it brings a batch: claiming whenever an answer
// has freed one body's bytes could cost a transaction per delivery when
// answers trickle in (payloads of 64 kB or more fill the budget before the
// claim-ahead count does).
constexpr std::int64_t kHeldBodyFreeToClaim = kHeldBodyBudget / 4;

SenderSettings current_sender_settings() {
    SenderSettings settings;
    settings.max_in_flight = webhook::pg::setting_max_in_flight;
    settings.connect_timeout_ms = webhook::pg::setting_connect_timeout_ms;
    settings.request_timeout_ms = webhook::pg::setting_request_timeout_ms;
    settings.response_body_limit =
        static_cast<std::size_t>(webhook::pg::setting_response_body_limit);
    settings.allowed_networks =
        webhook::pg::setting_allowed_networks ? webhook::pg::setting_allowed_networks : "";
    settings.tls_ca_file = webhook::pg::setting_tls_ca_file ? webhook::pg::setting_tls_ca_file : "";
    return settings;
}

void log_message(const std::string& message) {
    call_postgres([&] { ereport(LOG, (errmsg("pg_webhook worker: %s", message.c_str()))); });
}

class Dispatcher {
  public:
    explicit Dispatcher(MemoryContext loop_context)
        : loop_context_(loop_context), random_(make_unit_random()) {}

    [[noreturn]] void run() {
        for (;;) {
            call_postgres([&] {
                MemoryContextSwitchTo(loop_context_);
                MemoryContextReset(loop_context_);
                CHECK_FOR_INTERRUPTS();
            });
            reload_settings_if_asked();
            drive_engine();
            if (database_pass_wanted()) database_pass();
            report_table_statistics();
            // After the claim: what it took may already be out of date.
            withdraw_changed_requests();
            drive_engine();
            publish_state();
            wait_for_work();
        }
    }

  private:
    // --- configuration -------------------------------------------------------

    void reload_settings_if_asked() {
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            call_postgres([] { ProcessConfigFile(PGC_SIGHUP); });
        }
        // Parsed once per change, not once per attempt.
        std::string schedule_text =
            webhook::pg::setting_retry_schedule ? webhook::pg::setting_retry_schedule : "";
        if (retry_schedule_text_ != schedule_text) {
            retry_schedule_ = webhook::pg::current_retry_schedule();
            retry_schedule_text_ = schedule_text;
        }
        SenderSettings wanted = current_sender_settings();
        if (!sender_) {
            create_sender(wanted);
            return;
        }
        // New settings apply to the requests that start from now on, a new
        // webhook.allowed_networks too: the engine judges each request's peer
        // again before it is sent, also on a connection it kept open under
        // the old networks, so nothing has to drain first (draining stopped
        // the claims for as long as the slowest request in flight took).
        if (wanted != sender_settings_) {
            try {
                sender_->reconfigure(wanted);
            } catch (const Error& error) {
                report_error("the new settings cannot be used: " + error.message() + " " +
                             error.detail());
            }
            sender_settings_ = wanted;  // the same bad settings are reported once
        }
    }

    // Settings that cannot be used here end the worker: there is nothing to
    // send with (later changes are only reported, see above).
    void create_sender(const SenderSettings& wanted) {
        sender_ = make_http_sender(wanted);
        build_wait_set();
        sender_settings_ = wanted;
    }

    // --- the network side ----------------------------------------------------

    void drive_engine() {
        sender_->perform();
        for (SentAttempt& sent : sender_->take_finished()) {
            auto found = in_flight_.find(sent.tag);
            if (found == in_flight_.end()) continue;
            held_body_bytes_ -= found->second.body_bytes;
            if (sent.withdrawn) {
                // No attempt was made. Leaving in_flight_ releases the
                // delivery: the next claim takes it again if it is still
                // due (with its endpoint as it is now).
                in_flight_.erase(found);
                claim_wanted_ = true;
                continue;
            }
            note_finished();
            finished_.push_back(finish_attempt(found->second.delivery, sent.observation,
                                               retry_schedule_,
                                               Clock::now(), random_,
                                               sender_settings_.response_body_limit));
            in_flight_.erase(found);
        }
    }

    void submit(std::vector<ClaimedDelivery> claimed) {
        for (ClaimedDelivery& delivery : claimed) {
            OutgoingRequest request;
            request.tag = ++last_tag_;
            request.url = delivery.url;
            request.timeout_ms = delivery.timeout_ms;
            try {
                request.headers = delivery_extra_headers(delivery);
                // Signed when the request starts, which may be long after
                // this claim: webhook-timestamp must say when it was sent.
                request.headers_at_start = [signer = DeliverySigner(delivery)](
                                               std::int64_t unix_seconds, const std::string& body) {
                    return signer.headers(unix_seconds, body);
                };
            } catch (const Error& error) {
                // A secret that cannot sign: a failed attempt, never sent.
                AttemptObservation observation;
                observation.error = "request not sent: " + error.message();
                observation.started_at = Clock::now();
                note_finished();
                finished_.push_back(finish_attempt(delivery, observation, retry_schedule_,
                                                   Clock::now(), random_,
                                                   sender_settings_.response_body_limit));
                continue;
            }
            // The body lives in the request alone: nothing reads it from the
            // claimed delivery again.
            auto body_bytes = static_cast<std::int64_t>(delivery.body.size());
            request.body = std::move(delivery.body);
            held_body_bytes_ += body_bytes;
            in_flight_.emplace(request.tag, InFlightDelivery{std::move(delivery), body_bytes});
            sender_->submit(std::move(request));
        }
    }

    // Requests claimed before a change that committed since (a cancel, a
    // retry, an endpoint edited or disabled) are taken back from the
    // engine's queue if they have not started (api/withdrawal_trigger.cpp).
    void withdraw_changed_requests() {
        int count = take_withdrawals(&withdrawals_seen_, withdrawals_);
        if (count == 0 || in_flight_.empty()) return;
        std::vector<std::uint64_t> tags;
        for (const auto& [tag, entry] : in_flight_) {
            // -1: more were posted than the ring keeps, so any may be concerned.
            if (count < 0 || concerned_by_withdrawals(entry.delivery, count)) tags.push_back(tag);
        }
        if (!tags.empty()) sender_->withdraw(std::move(tags));
    }

    bool concerned_by_withdrawals(const ClaimedDelivery& delivery, int count) const {
        for (int i = 0; i < count; ++i) {
            const Withdrawal& withdrawal = withdrawals_[i];
            if (withdrawal.database_id != MyDatabaseId) continue;
            if (withdrawal.kind == WithdrawalKind::kEverything) return true;
            const UuidBytes& named = withdrawal.kind == WithdrawalKind::kDelivery ? delivery.id
                                     : withdrawal.kind == WithdrawalKind::kEndpoint
                                         ? delivery.endpoint_id
                                         : delivery.workspace_id;
            if (std::memcmp(withdrawal.id, named.data(), sizeof withdrawal.id) == 0) return true;
        }
        return false;
    }

    // Claims run ahead of the network: the engine holds up to kClaimAhead
    // times max_in_flight requests, the rest waiting in its queue. The engine runs
    // on its own thread, so while this thread spends a pass in the database
    // (recording and claiming a few hundred deliveries takes longer than the
    // engine needs to send them), it keeps sending from that queue instead
    // of running dry. A claimed delivery waiting in the queue is leased
    // exactly like one in flight: its id is passed to every claim until it
    // is recorded.
    int claim_room() const {
        long busy = static_cast<long>(sender_->busy());
        return static_cast<int>(std::max(0L, kClaimAhead * in_flight_limit() - busy));
    }

    long in_flight_limit() const { return std::max(sender_settings_.max_in_flight, 1); }

    // A claim is worth a transaction once the engine's queue has room for
    // kClaimAhead - kClaimWhenBusyAtMost times max_in_flight, and the body
    // budget kHeldBodyFreeToClaim bytes: a claim then brings a batch of a
    // useful size.
    bool claim_due() const {
        return claim_room() > 0 &&
               held_body_bytes_ <= kHeldBodyBudget - kHeldBodyFreeToClaim &&
               static_cast<long>(sender_->busy()) <= kClaimWhenBusyAtMost * in_flight_limit();
    }

    void note_finished() {
        if (finished_.empty()) record_due_at_ = SteadyClock::now() + kRecordDelay;
    }

    bool record_due() const {
        if (finished_.empty()) return false;
        if (finished_.size() >= kRecordBatch || sender_->busy() == 0) return true;
        return SteadyClock::now() >= record_due_at_;
    }

    // --- the database side ---------------------------------------------------

    // A client backend hands its table statistics (rows inserted, updated,
    // dead) to the shared statistics when it goes idle; a background worker
    // must do it itself. Without this, autovacuum never learned of the
    // worker's writes: the attempt log, which only the worker inserts into,
    // was never vacuumed or analyzed, and the dead versions that recording
    // leaves in webhook.delivery were not counted. Between transactions,
    // at most once a second (Postgres limits it); the worker wakes at least
    // that often while it has work, and a pending report waits at most until
    // the next pass.
    void report_table_statistics() {
        call_postgres([] { pgstat_report_stat(false); });
    }

    bool claim_wanted_now() const {
        if (!claim_due()) return false;
        return claim_wanted_ || SteadyClock::now() >= next_look_;
    }

    bool database_pass_wanted() {
        if (record_due()) return true;
        if (!locked_out_.empty() && SteadyClock::now() >= locked_retry_at_) return true;
        return claim_wanted_now();
    }

    void database_pass() {
        ClaimRequest claim;
        // A pass that records also claims when a claim is due anyway.
        claim.batch_size = claim_wanted_now() ? std::min(claim_room(), kMaxClaimBatch) : 0;
        claim.body_budget = std::max<std::int64_t>(kHeldBodyBudget - held_body_bytes_, 1);
        if (!locked_out_.empty() && SteadyClock::now() >= locked_retry_at_) {
            for (FinishedAttempt& attempt : locked_out_) finished_.push_back(std::move(attempt));
            locked_out_.clear();
        }
        claim.in_flight.reserve(in_flight_.size() + finished_.size() + locked_out_.size());
        for (const auto& [tag, entry] : in_flight_) claim.in_flight.push_back(entry.delivery.id);
        for (const FinishedAttempt& attempt : finished_) claim.in_flight.push_back(attempt.id);
        for (const FinishedAttempt& attempt : locked_out_) claim.in_flight.push_back(attempt.id);
        if (claim.batch_size > 0) claim_wanted_ = false;

        StoreResult result;
        try {
            result = record_and_claim(finished_, claim);
        } catch (const Error& error) {
            report_error(error.message() + (error.detail().empty() ? "" : " " + error.detail()));
            if (++failed_record_passes_ >= kRecordRetries) {
                finished_.clear();
                failed_record_passes_ = 0;
            }
            next_look_ = SteadyClock::now() + kFallbackInterval;
            return;
        }
        failed_record_passes_ = 0;
        if (!result.extension_installed) {
            // Results of a dropped extension have nowhere to go.
            finished_.clear();
            locked_out_.clear();
            extension_missing_ = true;
            next_look_ = SteadyClock::now() + kFallbackInterval;
            return;
        }
        if (extension_missing_ || had_error_) {
            extension_missing_ = false;
            had_error_ = false;
            set_last_error(nullptr);
        }
        if (!finished_.empty()) {
            keep_locked_out(result.locked_out);
            auto now_second =
                std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch())
                    .count();
            count_finished_attempts(now_second, static_cast<int>(finished_.size()));
            finished_.clear();
        }
        if (claim.batch_size == 0) return;
        // Places taken by parked deliveries count: more may be due behind them.
        // So may more behind a claim cut short by the body budget; the next
        // claim waits until answers have freed bytes (claim_due).
        bool full = static_cast<int>(result.claimed.size()) + result.parked == claim.batch_size ||
                    result.budget_reached;
        submit(std::move(result.claimed));
        claim_wanted_ = full;
        schedule_next_look(result.next_due);
    }

    // Moves the attempts whose deliveries were locked out of finished_, to be
    // recorded again after kLockedRetryInterval.
    void keep_locked_out(const std::vector<UuidBytes>& locked_ids) {
        if (locked_ids.empty()) return;
        auto is_locked = [&](const FinishedAttempt& attempt) {
            return std::find(locked_ids.begin(), locked_ids.end(), attempt.id) != locked_ids.end();
        };
        for (FinishedAttempt& attempt : finished_) {
            if (is_locked(attempt)) locked_out_.push_back(std::move(attempt));
        }
        finished_.erase(std::remove_if(finished_.begin(), finished_.end(), is_locked),
                        finished_.end());
        locked_retry_at_ = SteadyClock::now() + kLockedRetryInterval;
    }

    void schedule_next_look(const std::optional<PgTimestamp>& next_due) {
        auto now = SteadyClock::now();
        auto wait = kFallbackInterval;
        if (next_due) {
            auto until_due = std::chrono::duration_cast<milliseconds>(from_pg_timestamp(*next_due) -
                                                                      Clock::now());
            // A due delivery that was not claimed is locked by someone else
            // (or in flight): look again after the fallback interval.
            if (until_due > milliseconds(0)) wait = std::min(wait, until_due);
        }
        next_look_ = now + wait;
    }

    void report_error(const std::string& message) {
        had_error_ = true;
        set_last_error(message.c_str());
        auto now = SteadyClock::now();
        // The same error over and over is logged once a minute.
        if (message != last_logged_error_ || now - last_logged_at_ > std::chrono::minutes(1)) {
            log_message(message);
            last_logged_error_ = message;
            last_logged_at_ = now;
        }
    }

    void publish_state() {
        WorkerState state = extension_missing_   ? WorkerState::kWaitingForExtension
                            : in_flight_.empty() ? WorkerState::kIdle
                                                 : WorkerState::kDispatching;
        // Claimed deliveries waiting in the engine's queue are not in flight.
        set_worker_state(state, static_cast<int>(sender_->on_the_wire()));
    }

    // --- sleeping ------------------------------------------------------------

    void build_wait_set() {
        call_postgres([&] {
            if (wait_set_) FreeWaitEventSet(wait_set_);
            wait_set_ = CreateWaitEventSet(TopMemoryContext, 3);
            AddWaitEventToSet(wait_set_, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, nullptr);
            AddWaitEventToSet(wait_set_, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, nullptr, nullptr);
            AddWaitEventToSet(wait_set_, WL_SOCKET_READABLE, sender_->event_fd(), nullptr, nullptr);
        });
    }

    long wait_timeout_ms() {
        if (database_pass_wanted()) return 0;
        long timeout = -1;
        if (!finished_.empty()) {
            auto until_record =
                std::chrono::ceil<milliseconds>(record_due_at_ - SteadyClock::now()).count();
            timeout = std::max(0L, static_cast<long>(until_record));
        }
        if (!locked_out_.empty()) {
            auto until_retry =
                std::chrono::duration_cast<milliseconds>(locked_retry_at_ - SteadyClock::now())
                    .count();
            until_retry = std::max(0L, static_cast<long>(until_retry));
            timeout = timeout < 0 ? until_retry : std::min(timeout, static_cast<long>(until_retry));
        }
        if (claim_due()) {
            auto until_look =
                std::chrono::duration_cast<milliseconds>(next_look_ - SteadyClock::now()).count();
            long look = std::max(0L, static_cast<long>(until_look));
            timeout = timeout < 0 ? look : std::min(timeout, look);
        }
        long engine = sender_->timeout_ms();
        if (engine >= 0 && (timeout < 0 || engine < timeout)) timeout = engine;
        return timeout < 0 ? kFallbackInterval.count() : timeout;
    }

    void wait_for_work() {
        long timeout = wait_timeout_ms();
        WaitEvent events[3];
        int count = call_postgres(
            [&] { return WaitEventSetWait(wait_set_, timeout, events, 3, PG_WAIT_EXTENSION); });
        for (int i = 0; i < count; ++i) {
            if (events[i].events & WL_LATCH_SET) {
                call_postgres([] { ResetLatch(MyLatch); });
                // Woken by a commit (or a signal): look for due work now.
                claim_wanted_ = true;
            }
        }
    }

    MemoryContext loop_context_;
    std::unique_ptr<RequestSender> sender_;
    SenderSettings sender_settings_;
    WaitEventSet* wait_set_ = nullptr;
    UnitRandom random_;
    RetrySchedule retry_schedule_;
    std::optional<std::string> retry_schedule_text_;  // the setting it was parsed from

    struct InFlightDelivery {
        ClaimedDelivery delivery;  // its body moved into the request
        std::int64_t body_bytes;
    };
    std::unordered_map<std::uint64_t, InFlightDelivery> in_flight_;
    std::int64_t held_body_bytes_ = 0;  // of the requests of in_flight_
    // Withdrawals are read from the ring from where it stood at start.
    uint64 withdrawals_seen_ = withdrawals_posted();
    Withdrawal withdrawals_[kWithdrawalSlots];
    std::vector<FinishedAttempt> finished_;
    SteadyClock::time_point record_due_at_;  // when finished_ must be recorded at the latest
    std::vector<FinishedAttempt> locked_out_;
    SteadyClock::time_point locked_retry_at_;
    std::uint64_t last_tag_ = 0;

    bool claim_wanted_ = true;
    SteadyClock::time_point next_look_ = SteadyClock::now();
    int failed_record_passes_ = 0;
    bool extension_missing_ = false;
    bool had_error_ = false;
    std::string last_logged_error_;
    SteadyClock::time_point last_logged_at_;
};

}  // namespace

void run_dispatcher(MemoryContext loop_context) {
    Dispatcher dispatcher(loop_context);
    dispatcher.run();
}

}  // namespace webhook::worker
