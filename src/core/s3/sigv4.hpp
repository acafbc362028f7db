// AWS Signature Version 4, as S3 checks it: the canonical request, the string to sign, the signing
// key (HMAC-SHA256 chain) and the Authorization header, or the same signature carried in the query
// string of a presigned URL. Pure functions of a request description and a fixed time.
#pragma once

#include "core/pipeline/sha256.hpp"

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lokbackup::sigv4
{

using Parameters = std::vector<std::pair<std::string, std::string>>;

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token; // empty unless the credentials are temporary
};

struct Scope {
    std::string region; // "us-east-1", or "auto" for Cloudflare R2
    std::string service = "s3";
};

struct Request {
    std::string method;
    std::string path;           // not encoded: the signer encodes each segment once, as S3 expects
    Parameters query;           // names and values not encoded
    Parameters headers;         // every header to sign, Host included; names in any case
    std::string payload_sha256; // lower-case hex, or "UNSIGNED-PAYLOAD"
};

struct Signature {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signature; // lower-case hex
    std::string authorization;
};

// RFC 3986 percent-encoding of every byte but the unreserved ones; '/' is kept when `keep_slash`.
std::string uri_encode(std::string_view text, bool keep_slash);
// The path as sent and as signed.
std::string canonical_uri(std::string_view path);
// Encoded, sorted by name then value: the query string as sent and as signed.
std::string canonical_query(const Parameters &query);
// "20130524T000000Z"
std::string amz_date(std::time_t time);

// The request's headers must already include X-Amz-Date for `time` (S3 also wants
// X-Amz-Content-Sha256 and, with temporary credentials, X-Amz-Security-Token).
Signature sign(const Request &request, const Credentials &credentials, const Scope &scope,
               std::time_t time);

// The query string of a presigned URL (the request's own query, the X-Amz-* parameters and the
// signature), for a request whose only header is Host and whose payload is not signed.
std::string presigned_query(const Request &request, const Credentials &credentials,
                            const Scope &scope, std::time_t time, std::chrono::seconds expires);

} // namespace lokbackup::sigv4
