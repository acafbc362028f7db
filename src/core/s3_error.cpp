#include "core/s3_error.hpp"

#include "core/xml_text.hpp"

namespace lokbackup
{

namespace
{

struct Advice {
    const char *code;
    const char *problem;
    const char *check;
};

// The errors that a setting or the environment causes, and where to look.
const Advice advice[] = {
    {"SignatureDoesNotMatch", "S3 rejected the credentials",
     "check lokbackup.s3_access_key_id and lokbackup.s3_secret_access_key"},
    {"InvalidAccessKeyId", "S3 rejected the credentials",
     "check lokbackup.s3_access_key_id and lokbackup.s3_secret_access_key"},
    {"InvalidToken", "S3 rejected the session token", "check lokbackup.s3_session_token"},
    {"ExpiredToken", "S3 rejected the session token",
     "check lokbackup.s3_session_token: temporary credentials expire"},
    {"RequestTimeTooSkewed", "S3 refused the request time",
     "check the server's clock (it must be within 15 minutes of S3's)"},
    {"RequestExpired", "S3 refused the request time", "check the server's clock"},
    {"NoSuchBucket", "the bucket does not exist", "check the bucket name in lokbackup.storage"},
    {"AccessDenied", "S3 denied access",
     "check that the access key may read, write, list and delete objects and abort multipart "
     "uploads in the bucket and prefix of lokbackup.storage"},
    {"AuthorizationHeaderMalformed", "S3 refused the signing region", "check lokbackup.s3_region"},
    {"PermanentRedirect", "the bucket is not at this endpoint",
     "check lokbackup.s3_endpoint and lokbackup.s3_region"},
};

} // namespace

S3ErrorBody parse_s3_error(std::string_view body)
{
    S3ErrorBody error;
    if (xml_root_name(body) != "Error")
        return error;
    error.code = xml_value(body, "Code");
    error.message = xml_value(body, "Message");
    error.endpoint = xml_value(body, "Endpoint");
    return error;
}

S3Error s3_error(const std::string &request, long status, std::string_view body)
{
    S3ErrorBody error = parse_s3_error(body);
    std::string quoted = error.code;
    if (!error.message.empty())
        quoted += (quoted.empty() ? "" : ": ") + error.message;
    if (!error.endpoint.empty())
        quoted += " (endpoint " + error.endpoint + ")";
    for (const Advice &entry : advice) {
        if (error.code == entry.code)
            return S3Error(request + ": " + entry.problem + " (" + quoted + "): " + entry.check,
                           status, error.code);
    }
    std::string message = request + ": S3 answered HTTP " + std::to_string(status);
    if (!quoted.empty())
        message += " (" + quoted + ")";
    return S3Error(message, status, error.code);
}

} // namespace lokbackup
