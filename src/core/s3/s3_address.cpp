#include "core/s3/s3_address.hpp"

#include "core/base/error.hpp"
#include "core/storage/storage.hpp"

#include <algorithm>
#include <cctype>

namespace lokbackup
{

namespace
{

constexpr std::string_view scheme_prefix = "s3://";

bool is_lower_alnum(char c)
{
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
}

// S3's rules for bucket names (those of new buckets, which R2 and others follow too).
bool valid_bucket(std::string_view bucket)
{
    if (bucket.size() < 3 || bucket.size() > 63 || !is_lower_alnum(bucket.front()) ||
        !is_lower_alnum(bucket.back()))
        return false;
    for (char c : bucket) {
        if (!is_lower_alnum(c) && c != '.' && c != '-')
            return false;
    }
    bool looks_like_ip_address = std::all_of(bucket.begin(), bucket.end(), [](char c) {
        return c == '.' || std::isdigit(static_cast<unsigned char>(c));
    });
    return bucket.find("..") == std::string_view::npos && !looks_like_ip_address;
}

} // namespace

bool is_s3_spec(std::string_view spec)
{
    return spec.substr(0, scheme_prefix.size()) == scheme_prefix;
}

S3Location parse_s3_spec(const std::string &spec)
{
    auto reject = [&spec](const std::string &what) {
        throw InvalidValue("invalid storage \"" + spec + "\": use s3://bucket[/prefix], " + what);
    };
    std::string_view rest = std::string_view(spec).substr(scheme_prefix.size());
    std::size_t slash = rest.find('/');
    S3Location location;
    location.bucket = std::string(rest.substr(0, slash));
    if (!valid_bucket(location.bucket))
        reject("where the bucket name has 3 to 63 lowercase letters, digits, dots and hyphens, "
               "begins and ends with a letter or digit, and is not an IP address");
    if (slash != std::string_view::npos) {
        location.prefix = std::string(rest.substr(slash + 1));
        if (!location.prefix.empty() && location.prefix.back() == '/')
            location.prefix.pop_back();
    }
    if (!location.prefix.empty()) {
        try {
            check_object_key(location.prefix);
        } catch (const Error &) {
            reject("where the prefix is a path whose segments are names other than \".\" and "
                   "\"..\"");
        }
    }
    return location;
}

S3Endpoint parse_s3_endpoint(const std::string &endpoint, const std::string &region)
{
    bool valid_region = !region.empty() && std::all_of(region.begin(), region.end(), [](char c) {
        return is_lower_alnum(c) || c == '-';
    });
    if (!valid_region)
        throw InvalidValue("invalid lokbackup.s3_region \"" + region +
                           "\": use an S3 region such as us-east-1, or auto for Cloudflare R2");
    if (endpoint.empty()) {
        if (region == "auto")
            throw InvalidValue("lokbackup.s3_region auto (Cloudflare R2) needs "
                               "lokbackup.s3_endpoint, such as "
                               "https://<account>.r2.cloudflarestorage.com");
        return {"https", "s3." + region + ".amazonaws.com"};
    }
    S3Endpoint parsed;
    std::string_view rest = endpoint;
    for (std::string_view scheme : {"https", "http"}) {
        std::string separator = std::string(scheme) + "://";
        if (rest.substr(0, separator.size()) == separator) {
            parsed.scheme = std::string(scheme);
            rest.remove_prefix(separator.size());
            break;
        }
    }
    if (!rest.empty() && rest.back() == '/')
        rest.remove_suffix(1);
    bool valid_host = !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
               c == '[' || c == ']';
    });
    if (parsed.scheme.empty() || !valid_host)
        throw InvalidValue("invalid lokbackup.s3_endpoint \"" + endpoint +
                           "\": use http(s)://host[:port], such as "
                           "https://<account>.r2.cloudflarestorage.com or http://127.0.0.1:9000");
    parsed.host = std::string(rest);
    return parsed;
}

S3Address::S3Address(S3Location location, S3Endpoint endpoint, bool path_style)
    : location_(std::move(location)), endpoint_(std::move(endpoint)), path_style_(path_style)
{
}

std::string S3Address::object_key(const std::string &key) const
{
    return list_prefix(key);
}

std::string S3Address::storage_key(const std::string &object_key) const
{
    return object_key.substr(list_prefix("").size());
}

std::string S3Address::list_prefix(const std::string &prefix) const
{
    return location_.prefix.empty() ? prefix : location_.prefix + "/" + prefix;
}

std::string S3Address::host() const
{
    return path_style_ ? endpoint_.host : location_.bucket + "." + endpoint_.host;
}

std::string S3Address::path(const std::string &object_key) const
{
    std::string bucket_path = path_style_ ? "/" + location_.bucket : "";
    if (object_key.empty())
        return bucket_path.empty() ? "/" : bucket_path;
    return bucket_path + "/" + object_key;
}

std::string S3Address::url(const std::string &path, const sigv4::Parameters &query) const
{
    std::string url = endpoint_.scheme + "://" + host() + sigv4::canonical_uri(path);
    if (!query.empty())
        url += "?" + sigv4::canonical_query(query);
    return url;
}

std::string S3Address::name(const std::string &object_key) const
{
    return std::string(scheme_prefix) + location_.bucket + "/" + object_key;
}

std::string S3Address::endpoint() const
{
    return endpoint_.scheme + "://" + endpoint_.host;
}

std::string S3Address::describe() const
{
    std::string spec = std::string(scheme_prefix) + location_.bucket;
    if (!location_.prefix.empty())
        spec += "/" + location_.prefix;
    return spec + " at " + endpoint();
}

} // namespace lokbackup
