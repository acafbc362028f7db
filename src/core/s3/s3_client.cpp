#include "core/s3/s3_client.hpp"

#include "core/s3/s3_error.hpp"
#include "core/s3/xml_text.hpp"

#include <ctime>

namespace lokbackup
{

S3Client::S3Client(S3Address address, sigv4::Credentials credentials, std::string region,
                   RetryPolicy retry, std::chrono::seconds stall_timeout)
    : address_(std::move(address)),
      credentials_(std::move(credentials)), scope_{std::move(region), "s3"},
      retry_(std::move(retry)), stall_timeout_(stall_timeout)
{
}

HttpRequest S3Client::sign(const S3Request &request, const std::string &payload_sha256) const
{
    std::time_t now = std::time(nullptr);
    sigv4::Request signable;
    signable.method = request.method;
    signable.path = address_.path(request.key);
    signable.query = request.query;
    signable.headers = request.headers;
    signable.headers.insert(signable.headers.end(), {{"Host", address_.host()},
                                                     {"X-Amz-Date", sigv4::amz_date(now)},
                                                     {"X-Amz-Content-Sha256", payload_sha256}});
    if (!credentials_.session_token.empty())
        signable.headers.emplace_back("X-Amz-Security-Token", credentials_.session_token);
    signable.payload_sha256 = payload_sha256;

    HttpRequest http;
    http.method = request.method;
    http.url = address_.url(signable.path, signable.query);
    http.headers = signable.headers;
    http.headers.emplace_back("Authorization",
                              sigv4::sign(signable, credentials_, scope_, now).authorization);
    http.body = request.payload;
    http.stall_timeout = stall_timeout_;
    return http;
}

HttpResponse S3Client::send(const S3Request &request, const std::string &what) const
{
    {
        std::lock_guard<std::mutex> lock(failure_mutex_);
        if (!endpoint_failure_.empty())
            throw Error(what +
                        ": not sent, since an earlier request gave up: " + endpoint_failure_);
    }
    std::string payload_sha256 = sha256_hex(request.payload);
    bool unreachable = false; // the last attempt got no answer, and another one might have
    try {
        return retry_.run([&] {
            unreachable = false;
            HttpResponse response;
            try {
                // Signed again for each attempt: a signature is only valid for 15 minutes.
                response = http_perform(sign(request, payload_sha256), what);
            } catch (const TransportError &error) {
                unreachable = is_transient(error);
                throw s3_endpoint_error(what, address_.endpoint(), error, stall_timeout_);
            }
            if (response.status >= 200 && response.status < 300 &&
                xml_root_name(response.body) == "Error")
                throw s3_error(what, 500, response.body);
            if (response.status < 200 || response.status >= 300)
                throw s3_error(what, response.status, response.body);
            return response;
        });
    } catch (const Error &error) {
        if (unreachable) {
            std::lock_guard<std::mutex> lock(failure_mutex_);
            endpoint_failure_ = error.what();
        }
        throw;
    }
}

std::string S3Client::presigned_get(const std::string &key, std::chrono::seconds valid_for) const
{
    sigv4::Request request;
    request.method = "GET";
    request.path = address_.path(key);
    request.headers = {{"Host", address_.host()}};
    return address_.url(request.path, {}) + "?" +
           sigv4::presigned_query(request, credentials_, scope_, std::time(nullptr), valid_for);
}

} // namespace lokbackup
