#include "core/s3/s3_error.hpp"

#include "core/s3/xml_text.hpp"

#include <curl/curl.h>

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

namespace
{

// What went wrong on the way to the endpoint (the message puts the endpoint between `before`
// and `after`), and what to check besides lokbackup.s3_endpoint.
struct EndpointFailure {
    const char *before;
    const char *after;
    const char *check;
};

EndpointFailure endpoint_failure(int curl_code)
{
    switch (curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return {"cannot resolve the host of the S3 endpoint ", "", "the server's DNS"};
    case CURLE_COULDNT_CONNECT:
        return {"cannot connect to the S3 endpoint ", "",
                "that the endpoint is reachable from the database server"};
    case CURLE_OPERATION_TIMEDOUT:
        return {"the S3 endpoint ", " stalled",
                "the network to it; on a slow link raise lokbackup.s3_stall_timeout"};
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_USE_SSL_FAILED:
        return {"TLS failed with the S3 endpoint ", "",
                "that it speaks TLS (https://) with a certificate the database server trusts"};
    default:
        return {"the connection to the S3 endpoint ", " failed", "the network to it"};
    }
}

} // namespace

TransportError s3_endpoint_error(const std::string &request, const std::string &endpoint,
                                 const TransportError &error, std::chrono::seconds stall_timeout)
{
    // libcurl's explanation, without the request that the transfer put in front of it.
    std::string_view reason = error.what();
    std::string prefix = request + ": ";
    if (reason.substr(0, prefix.size()) == prefix)
        reason.remove_prefix(prefix.size());
    EndpointFailure failure = endpoint_failure(error.curl_code());
    std::string message =
        request + ": " + failure.before + endpoint + failure.after + " (" + std::string(reason);
    if (error.curl_code() == CURLE_OPERATION_TIMEDOUT)
        message +=
            "; lokbackup.s3_stall_timeout is " + std::to_string(stall_timeout.count()) + " s";
    message += "): check lokbackup.s3_endpoint and " + std::string(failure.check);
    return TransportError(message, error.curl_code());
}

} // namespace lokbackup
