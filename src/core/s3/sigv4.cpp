#include "core/s3/sigv4.hpp"

#include "core/base/text.hpp"

#include "core/crypto/key_derivation.hpp"
#include "core/pipeline/sha256.hpp"

#include <algorithm>
#include <cctype>

namespace lokbackup::sigv4
{

namespace
{

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

std::string hex(const unsigned char *bytes, std::size_t size)
{
    static const char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(2 * size);
    for (std::size_t i = 0; i < size; ++i) {
        text += digits[bytes[i] >> 4];
        text += digits[bytes[i] & 0xf];
    }
    return text;
}

// Leading and trailing blanks go, and runs of spaces inside become one.
std::string trimmed_value(std::string_view value)
{
    std::string result;
    bool blank = false;
    for (char c : value) {
        if (c == ' ' || c == '\t') {
            blank = !result.empty();
            continue;
        }
        if (blank)
            result += ' ';
        blank = false;
        result += c;
    }
    return result;
}

struct CanonicalHeaders {
    std::string lines;        // "name:value\n" for each name, sorted
    std::string signed_names; // "host;x-amz-date"
};

// Headers of the same name are joined with ',' in the order given.
CanonicalHeaders canonical_headers(const Parameters &headers)
{
    std::vector<std::pair<std::string, std::string>> sorted;
    for (const auto &[name, value] : headers)
        sorted.emplace_back(to_lower(name), trimmed_value(value));
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    CanonicalHeaders result;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        bool same_as_previous = i > 0 && sorted[i].first == sorted[i - 1].first;
        if (same_as_previous) {
            result.lines.back() = ',';
        } else {
            if (!result.signed_names.empty())
                result.signed_names += ';';
            result.signed_names += sorted[i].first;
            result.lines += sorted[i].first + ':';
        }
        result.lines += sorted[i].second + '\n';
    }
    return result;
}

std::string date_of(std::time_t time)
{
    return amz_date(time).substr(0, 8);
}

std::string credential_scope(const Scope &scope, std::time_t time)
{
    return date_of(time) + '/' + scope.region + '/' + scope.service + "/aws4_request";
}

std::string canonical_request(const Request &request, const CanonicalHeaders &headers)
{
    return request.method + '\n' + canonical_uri(request.path) + '\n' +
           canonical_query(request.query) + '\n' + headers.lines + '\n' + headers.signed_names +
           '\n' + request.payload_sha256;
}

// Fills in everything but the authorization header.
Signature signature_of(const Request &request, const CanonicalHeaders &headers,
                       const Credentials &credentials, const Scope &scope, std::time_t time)
{
    Signature result;
    result.canonical_request = canonical_request(request, headers);
    result.string_to_sign = std::string(algorithm) + '\n' + amz_date(time) + '\n' +
                            credential_scope(scope, time) + '\n' +
                            sha256_hex(result.canonical_request);
    std::string key = hmac_sha256("AWS4" + credentials.secret_access_key, date_of(time));
    key = hmac_sha256(key, scope.region);
    key = hmac_sha256(key, scope.service);
    key = hmac_sha256(key, "aws4_request");
    std::string digest = hmac_sha256(key, result.string_to_sign);
    result.signature = hex(reinterpret_cast<const unsigned char *>(digest.data()), digest.size());
    return result;
}

} // namespace

std::string uri_encode(std::string_view text, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string encoded;
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~' ||
            (keep_slash && c == '/')) {
            encoded += c;
        } else {
            encoded += '%';
            encoded += digits[byte >> 4];
            encoded += digits[byte & 0xf];
        }
    }
    return encoded;
}

std::string canonical_uri(std::string_view path)
{
    return path.empty() ? "/" : uri_encode(path, true);
}

std::string canonical_query(const Parameters &query)
{
    std::vector<std::pair<std::string, std::string>> encoded;
    for (const auto &[name, value] : query)
        encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
    std::sort(encoded.begin(), encoded.end());
    std::string text;
    for (const auto &[name, value] : encoded) {
        if (!text.empty())
            text += '&';
        text += name + '=' + value;
    }
    return text;
}

std::string amz_date(std::time_t time)
{
    std::tm fields{};
    gmtime_r(&time, &fields);
    char text[32];
    return std::string(text, std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &fields));
}

Signature sign(const Request &request, const Credentials &credentials, const Scope &scope,
               std::time_t time)
{
    CanonicalHeaders headers = canonical_headers(request.headers);
    Signature result = signature_of(request, headers, credentials, scope, time);
    result.authorization = std::string(algorithm) + " Credential=" + credentials.access_key_id +
                           '/' + credential_scope(scope, time) +
                           ", SignedHeaders=" + headers.signed_names +
                           ", Signature=" + result.signature;
    return result;
}

std::string presigned_query(const Request &request, const Credentials &credentials,
                            const Scope &scope, std::time_t time, std::chrono::seconds expires)
{
    CanonicalHeaders headers = canonical_headers(request.headers);
    Request presigned = request;
    presigned.payload_sha256 = "UNSIGNED-PAYLOAD";
    presigned.query.insert(
        presigned.query.end(),
        {{"X-Amz-Algorithm", std::string(algorithm)},
         {"X-Amz-Credential", credentials.access_key_id + '/' + credential_scope(scope, time)},
         {"X-Amz-Date", amz_date(time)},
         {"X-Amz-Expires", std::to_string(expires.count())},
         {"X-Amz-SignedHeaders", headers.signed_names}});
    if (!credentials.session_token.empty())
        presigned.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
    Signature result = signature_of(presigned, headers, credentials, scope, time);
    return canonical_query(presigned.query) + "&X-Amz-Signature=" + result.signature;
}

} // namespace lokbackup::sigv4
