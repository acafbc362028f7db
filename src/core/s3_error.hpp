// S3's error responses: the code and message of the XML error body, and messages that say what to
// check for the errors that another attempt cannot cure.
#pragma once

#include "core/http_client.hpp"

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

} // namespace lokbackup
