#include "core/http/http_retry.hpp"

#include "core/http/http_client.hpp"

#include <algorithm>
#include <cstdio>
#include <curl/curl.h>
#include <random>
#include <thread>

namespace lokbackup
{

bool is_transient_status(long status)
{
    // 501 Not Implemented and 505 HTTP Version Not Supported stay so.
    bool server_error = status >= 500 && status != 501 && status != 505;
    return server_error || status == 408 || status == 429;
}

bool is_transient_transport_error(int curl_code)
{
    switch (curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

bool is_transient(const Error &error)
{
    if (auto *transport = dynamic_cast<const TransportError *>(&error))
        return is_transient_transport_error(transport->curl_code());
    if (auto *status = dynamic_cast<const HttpStatusError *>(&error))
        return is_transient_status(status->status());
    return false;
}

RetryClock RetryClock::system()
{
    return {[] { return std::chrono::steady_clock::now(); },
            [](std::chrono::milliseconds wait) { std::this_thread::sleep_for(wait); },
            [] {
                thread_local std::mt19937_64 generator{std::random_device{}()};
                return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
            }};
}

RetryPolicy::RetryPolicy(RetryLimits limits, std::function<void(const std::string &)> log,
                         RetryClock clock)
    : limits_(limits), log_(std::move(log)), clock_(std::move(clock))
{
}

std::chrono::milliseconds RetryPolicy::backoff_ceiling(int failures) const
{
    std::chrono::milliseconds ceiling = limits_.first_backoff;
    for (int i = 1; i < failures && ceiling < limits_.max_backoff; ++i)
        ceiling *= 2;
    return std::min(ceiling, limits_.max_backoff);
}

RetryPolicy::Attempts::Attempts(const RetryPolicy &policy)
    : policy_(policy), started_(policy.clock_.now())
{
}

bool RetryPolicy::Attempts::wait_for_retry(const Error &error)
{
    ++failures_;
    const RetryLimits &limits = policy_.limits_;
    if (!is_transient(error) || failures_ >= limits.max_attempts)
        return false;
    auto ceiling = policy_.backoff_ceiling(failures_);
    auto wait = std::chrono::milliseconds(
        static_cast<std::chrono::milliseconds::rep>(policy_.clock_.random() * ceiling.count()));
    if (policy_.clock_.now() + wait - started_ > limits.deadline)
        return false;
    if (policy_.log_) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", wait.count() / 1000.0);
        policy_.log_(std::string(error.what()) + "; retrying in " + seconds + " s (attempt " +
                     std::to_string(failures_) + " of " + std::to_string(limits.max_attempts) +
                     " failed)");
    }
    policy_.clock_.sleep(wait);
    return true;
}

} // namespace lokbackup
