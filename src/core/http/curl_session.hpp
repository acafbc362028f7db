// One libcurl transfer of a notification (mail or webhook): the easy handle and the lists it
// points to, freed together; the limits every delivery shares; errors that name the target and
// never a secret. Internal to smtp_mail.cpp and webhook.cpp.
#pragma once

#include "core/base/error.hpp"
#include "core/notify/notification.hpp"

#include <curl/curl.h>
#include <memory>
#include <string>
#include <vector>

namespace lokbackup
{

// "https://hooks.example.com:8443": scheme, host and port of `url`, for messages, without the
// user, password, path or query, which may hold secrets (a Slack webhook's path is its key).
// Throws InvalidValue naming `setting`, but not quoting the URL, when `url` is not a URL with one
// of `schemes` (comma-separated).
std::string url_target(const std::string &url, const std::string &schemes,
                       const std::string &setting);

class CurlSession
{
  public:
    // `protocols`: libcurl's comma-separated list of the only schemes allowed ("http,https").
    CurlSession(const std::string &url, const char *protocols, const DeliveryTimeouts &timeouts);
    // Not movable either: libcurl holds the address of the error buffer.
    CurlSession(const CurlSession &) = delete;
    CurlSession &operator=(const CurlSession &) = delete;

    template <typename Value> void set(CURLoption option, Value value)
    {
        check(curl_easy_setopt(handle_.get(), option, value));
    }
    // A list option (headers, recipients); the list lives as long as the session.
    void set_list(CURLoption option, const std::vector<std::string> &items);
    // Replaced by "***" in error messages (a password).
    void hide(std::string secret) { secret_ = std::move(secret); }

    // Runs the transfer. Throws Error "<what>: <libcurl's explanation>".
    void perform(const std::string &what);
    long response_code();

  private:
    void check(CURLcode code);
    std::string without_secret(std::string message) const;

    struct FreeHandle {
        void operator()(CURL *handle) const { curl_easy_cleanup(handle); }
    };
    struct FreeList {
        void operator()(curl_slist *list) const { curl_slist_free_all(list); }
    };

    std::unique_ptr<CURL, FreeHandle> handle_;
    std::vector<std::unique_ptr<curl_slist, FreeList>> lists_;
    char error_[CURL_ERROR_SIZE] = "";
    std::string secret_;
};

} // namespace lokbackup
