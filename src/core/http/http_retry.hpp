// The one place that decides which failed requests are tried again, and when: transient failures
// (HTTP 5xx but 501 and 505, 408 and 429; connections refused, reset, timed out or cut short) are
// retried with exponential backoff and full jitter, within a number of attempts and a deadline,
// and every retry is reported through a log callback. Every other failure ends the request at
// once.
#pragma once

#include "core/base/error.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace lokbackup
{

bool is_transient_status(long status);
bool is_transient_transport_error(int curl_code);
// A TransportError or HttpStatusError that another attempt may cure.
bool is_transient(const Error &error);

struct RetryLimits {
    int max_attempts = 5;
    std::chrono::milliseconds deadline = std::chrono::seconds(120); // from the first attempt
    std::chrono::milliseconds first_backoff{500};
    std::chrono::milliseconds max_backoff = std::chrono::seconds(30);
};

// Time and chance, injectable so that tests decide them.
struct RetryClock {
    std::function<std::chrono::steady_clock::time_point()> now;
    std::function<void(std::chrono::milliseconds)> sleep;
    std::function<double()> random; // uniform in [0, 1)
    static RetryClock system();
};

class RetryPolicy
{
  public:
    // `log` receives one line per retry; it may be called from any thread that sends requests.
    explicit RetryPolicy(RetryLimits limits, std::function<void(const std::string &)> log = {},
                         RetryClock clock = RetryClock::system());

    // The longest wait after the `failures`-th failed attempt: first_backoff doubled each time,
    // up to max_backoff. The wait itself is drawn uniformly below it.
    std::chrono::milliseconds backoff_ceiling(int failures) const;

    // The attempts at one request (for requests that run their attempts themselves).
    class Attempts
    {
      public:
        explicit Attempts(const RetryPolicy &policy);
        // After a failed attempt: when `error` is transient and the limits allow another attempt,
        // reports the retry, waits, and returns true; otherwise returns false.
        bool wait_for_retry(const Error &error);
        int failures() const { return failures_; }

      private:
        const RetryPolicy &policy_;
        std::chrono::steady_clock::time_point started_;
        int failures_ = 0;
    };

    // Calls `attempt` until it returns or throws something that another attempt cannot cure. A
    // transient failure that outlasts the limits is reported with the number of attempts made.
    // The errors of attempts name their request, and so do the log lines that quote them.
    template <typename Attempt> auto run(Attempt &&attempt) const
    {
        Attempts attempts(*this);
        for (;;) {
            try {
                return attempt();
            } catch (const Error &error) {
                if (attempts.wait_for_retry(error))
                    continue;
                if (attempts.failures() > 1 && is_transient(error))
                    throw Error(std::string(error.what()) + " (gave up after " +
                                std::to_string(attempts.failures()) + " attempts)");
                throw;
            }
        }
    }

  private:
    RetryLimits limits_;
    std::function<void(const std::string &)> log_;
    RetryClock clock_;
};

} // namespace lokbackup
