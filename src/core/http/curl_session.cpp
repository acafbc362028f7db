#include "core/http/curl_session.hpp"

#include "core/http/curl_global.hpp"

#include <algorithm>

namespace lokbackup
{

namespace
{

struct FreeUrl {
    void operator()(CURLU *url) const { curl_url_cleanup(url); }
};

struct FreeText {
    void operator()(char *text) const { curl_free(text); }
};

// The part, or "" when the URL has none.
std::string url_part(CURLU *url, CURLUPart part)
{
    char *text = nullptr;
    if (curl_url_get(url, part, &text, 0) != CURLUE_OK)
        return "";
    std::unique_ptr<char, FreeText> owned(text);
    return text;
}

} // namespace

std::string url_target(const std::string &url, const std::string &schemes,
                       const std::string &setting)
{
    // The messages never quote the URL: it may hold a secret.
    std::string prefixes;
    for (std::size_t start = 0, comma; start <= schemes.size(); start = comma + 1) {
        comma = std::min(schemes.find(',', start), schemes.size());
        prefixes += (prefixes.empty() ? "" : " or ") + schemes.substr(start, comma - start) + "://";
    }
    InvalidValue wrong_form("invalid " + setting + ": it must be a URL starting with " + prefixes);

    std::unique_ptr<CURLU, FreeUrl> parsed(curl_url());
    if (!parsed)
        throw Error("out of memory");
    if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        throw wrong_form;
    std::string scheme = url_part(parsed.get(), CURLUPART_SCHEME);
    if (("," + schemes + ",").find("," + scheme + ",") == std::string::npos)
        throw wrong_form;
    std::string port = url_part(parsed.get(), CURLUPART_PORT);
    return scheme + "://" + url_part(parsed.get(), CURLUPART_HOST) +
           (port.empty() ? "" : ":" + port);
}

CurlSession::CurlSession(const std::string &url, const char *protocols,
                         const DeliveryTimeouts &timeouts)
{
    initialize_curl_once();
    handle_.reset(curl_easy_init());
    if (!handle_)
        throw Error("cannot create a libcurl handle");
    set(CURLOPT_ERRORBUFFER, error_);
    set(CURLOPT_URL, url.c_str());
    set(CURLOPT_PROTOCOLS_STR, protocols);
    // No SIGALRM for name lookups: the worker has its own signal handlers.
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_CONNECTTIMEOUT, timeouts.connect_seconds);
    set(CURLOPT_TIMEOUT, timeouts.total_seconds);
}

void CurlSession::set_list(CURLoption option, const std::vector<std::string> &items)
{
    curl_slist *list = nullptr;
    for (const std::string &item : items) {
        curl_slist *longer = curl_slist_append(list, item.c_str());
        if (!longer) {
            curl_slist_free_all(list);
            throw Error("out of memory");
        }
        list = longer;
    }
    lists_.emplace_back(list);
    set(option, list);
}

void CurlSession::perform(const std::string &what)
{
    error_[0] = '\0';
    CURLcode code = curl_easy_perform(handle_.get());
    if (code != CURLE_OK) {
        std::string why = curl_easy_strerror(code);
        if (error_[0] != '\0' && why != error_)
            why += " (" + std::string(error_) + ")";
        throw Error(without_secret(what + ": " + why));
    }
}

long CurlSession::response_code()
{
    long code = 0;
    check(curl_easy_getinfo(handle_.get(), CURLINFO_RESPONSE_CODE, &code));
    return code;
}

void CurlSession::check(CURLcode code)
{
    if (code != CURLE_OK)
        throw Error(std::string("libcurl: ") + curl_easy_strerror(code));
}

std::string CurlSession::without_secret(std::string message) const
{
    if (secret_.empty())
        return message;
    for (std::size_t found; (found = message.find(secret_)) != std::string::npos;)
        message.replace(found, secret_.size(), "***");
    return message;
}

} // namespace lokbackup
