// Signed requests to one bucket: every request is signed with SigV4 (the payload's real SHA-256
// in X-Amz-Content-Sha256, so that S3 checks the bytes it received), sent through libcurl, and
// retried through the RetryPolicy. Once a request gave up because the endpoint could not be
// reached or stalled, the client sends nothing more: each later request (the clean-up of a failed
// backup) would wait the whole retry deadline again. Safe to use from one thread at a time.
#pragma once

#include "core/http/http_client.hpp"
#include "core/http/http_retry.hpp"
#include "core/s3/s3_address.hpp"
#include "core/s3/sigv4.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

namespace lokbackup
{

struct S3Request {
    std::string method;
    std::string key; // in the bucket, prefix included; "" for a request to the bucket
    sigv4::Parameters query;
    HttpHeaders headers; // signed too
    std::string_view payload;
};

class S3Client
{
  public:
    // `stall_timeout`: see HttpRequest.
    S3Client(S3Address address, sigv4::Credentials credentials, std::string region,
             RetryPolicy retry, std::chrono::seconds stall_timeout);

    const S3Address &address() const { return address_; }
    const RetryPolicy &retry() const { return retry_; }

    // Sends the request, retrying transient failures, and returns its successful response.
    // Throws S3Error (or TransportError, or Error once the endpoint failed) naming the request as
    // `what`. A 200 response whose body is an S3 <Error> (CompleteMultipartUpload may answer so)
    // is a failure, as a 500 would be.
    HttpResponse send(const S3Request &request, const std::string &what) const;

    // The request signed for now, for transfers that the caller runs itself.
    HttpRequest sign(const S3Request &request, const std::string &payload_sha256) const;

    // A GET URL for the object `key` (in the bucket) that needs no credentials for `valid_for`.
    std::string presigned_get(const std::string &key, std::chrono::seconds valid_for) const;

  private:
    S3Address address_;
    sigv4::Credentials credentials_;
    sigv4::Scope scope_;
    RetryPolicy retry_;
    std::chrono::seconds stall_timeout_;
    // Why the endpoint failed for good; empty while it has not.
    mutable std::mutex failure_mutex_;
    mutable std::string endpoint_failure_;
};

} // namespace lokbackup
