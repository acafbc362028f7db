// Where S3 objects are: the storage spec s3://bucket[/prefix], the endpoint, and the host, path
// and URL of each request in virtual-hosted (bucket.endpoint/key) or path-style
// (endpoint/bucket/key) addressing.
#pragma once

#include "core/s3/sigv4.hpp"

#include <string>
#include <string_view>

namespace lokbackup
{

struct S3Location {
    std::string bucket;
    std::string prefix; // "" or "backups/pg1", no slash at either end
};

bool is_s3_spec(std::string_view spec);
// Throws InvalidValue saying what is allowed.
S3Location parse_s3_spec(const std::string &spec);

struct S3Endpoint {
    std::string scheme; // "https" or "http"
    std::string host;   // with ":port" when the endpoint names one
};

// `endpoint` is http(s)://host[:port][/], or empty for AWS S3 in `region`. Throws InvalidValue.
S3Endpoint parse_s3_endpoint(const std::string &endpoint, const std::string &region);

class S3Address
{
  public:
    S3Address(S3Location location, S3Endpoint endpoint, bool path_style);

    // The key in the bucket of a storage key: "<prefix>/<key>".
    std::string object_key(const std::string &key) const;
    // The storage key of a key listed in the bucket, which starts with list_prefix("").
    std::string storage_key(const std::string &object_key) const;
    // What keys in the bucket start with for storage keys starting with `prefix`.
    std::string list_prefix(const std::string &prefix) const;

    std::string host() const;
    // The request path, not encoded, for an object (or for the bucket when `object_key` is "").
    std::string path(const std::string &object_key) const;
    // The URL of a request; path and query are encoded as sigv4 signs them.
    std::string url(const std::string &path, const sigv4::Parameters &query) const;

    // "s3://bucket/key", to name an object in messages.
    std::string name(const std::string &object_key) const;
    // "https://endpoint": what lokbackup.s3_endpoint says, or AWS S3's endpoint in the region.
    std::string endpoint() const;
    // "s3://bucket/prefix at https://endpoint"
    std::string describe() const;

  private:
    S3Location location_;
    S3Endpoint endpoint_;
    bool path_style_;
};

} // namespace lokbackup
