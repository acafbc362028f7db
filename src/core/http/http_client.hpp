// HTTP through libcurl: one request at a time per object, with the body of the response either
// collected (http_perform) or read piece by piece with bounded memory (HttpTransfer).
#pragma once

#include "core/base/error.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lokbackup
{

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    HttpHeaders headers;   // sent as given, Host included
    std::string_view body; // must outlive the transfer
    // A transfer that moves no byte either way for this long (connecting included, which gets at
    // most connect_timeout of it) has stalled: it ends with CURLE_OPERATION_TIMEDOUT.
    std::chrono::seconds stall_timeout{60};
};

// The longest a connection may take to open, when the stall timeout is not shorter.
constexpr std::chrono::seconds connect_timeout{10};

struct HttpResponse {
    long status = 0;
    HttpHeaders headers; // names in lower case
    std::string body;
    // The first header named `name` (lower case), or "".
    std::string header(std::string_view name) const;
};

// No HTTP response: the connection failed, was reset or timed out, TLS failed...
class TransportError : public Error
{
  public:
    TransportError(const std::string &message, int curl_code) : Error(message), code_(curl_code) {}
    int curl_code() const { return code_; }

  private:
    int code_;
};

// A response whose status says the request failed; drivers derive their own errors from it.
class HttpStatusError : public Error
{
  public:
    HttpStatusError(const std::string &message, long status) : Error(message), status_(status) {}
    long status() const { return status_; }

  private:
    long status_;
};

// One request whose response body is read as it arrives. libcurl's multi interface drives the
// transfer from the calling thread, and pauses it while more than about a megabyte is unread.
class HttpTransfer
{
  public:
    // Starts the request; `what` names it in error messages ("GET s3://bucket/key").
    HttpTransfer(const HttpRequest &request, std::string what);
    ~HttpTransfer();
    HttpTransfer(const HttpTransfer &) = delete;
    HttpTransfer &operator=(const HttpTransfer &) = delete;

    // Waits for the status and headers (body empty). Throws TransportError.
    const HttpResponse &head();
    // Returns 0 at the end of the body. Throws TransportError, also when the connection closes
    // before the announced length.
    std::size_t read(char *buffer, std::size_t capacity);

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// Sends the request and collects the whole response. Throws TransportError.
HttpResponse http_perform(const HttpRequest &request, const std::string &what);

} // namespace lokbackup
