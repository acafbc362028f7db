// S3's error responses: the code and message of the XML error body, and messages that say what to
// check for the errors that another attempt cannot cure; and the failures to reach the endpoint at
// all, which name it and lokbackup.s3_endpoint.
#pragma once

#include "core/http/http_client.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace lokbackup
{

struct S3ErrorBody {
    std::string code;     // "NoSuchBucket"; empty when the body is not an S3 error
    std::string message;  // S3's own explanation
    std::string endpoint; // where a PermanentRedirect says the bucket is
};

S3ErrorBody parse_s3_error(std::string_view body);

class S3Error : public HttpStatusError
{
  public:
    S3Error(const std::string &message, long status, std::string code)
        : HttpStatusError(message, status), code_(std::move(code))
    {
    }
    const std::string &code() const { return code_; }

  private:
    std::string code_;
};

// The error for a failed request, `request` naming it ("PUT s3://bucket/key"). The message
// quotes S3's code and message, and for the errors a user can fix says what to check.
S3Error s3_error(const std::string &request, long status, std::string_view body);

// `error`, a failed attempt of `request` at `endpoint` ("https://host:port", which never holds
// credentials), said so that the endpoint and lokbackup.s3_endpoint are named with what to check:
// a host that does not resolve, a connection refused, TLS that fails, an endpoint that stalls.
// Keeps libcurl's code, so that the retry policy judges it as before.
TransportError s3_endpoint_error(const std::string &request, const std::string &endpoint,
                                 const TransportError &error, std::chrono::seconds stall_timeout);

} // namespace lokbackup
