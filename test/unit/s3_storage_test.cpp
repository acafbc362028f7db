// The S3 driver without a real S3: spec and endpoint parsing, addressing, part sizes, error
// bodies and their messages, the retry policy with an injected clock, and the driver's requests
// against a fake S3 on a loopback socket (fake_s3_server.hpp). Integration with real S3
// implementations is in the TAP tests.
#include "core/storage/open_storage.hpp"
#include "core/http/http_client.hpp"
#include "core/http/http_retry.hpp"
#include "core/s3/s3_address.hpp"
#include "core/s3/s3_error.hpp"
#include "core/s3/s3_object_writer.hpp"
#include "core/storage/s3_storage.hpp"
#include "core/storage/upload_sweep.hpp"
#include "core/s3/xml_text.hpp"

#include "fake_s3_server.hpp"
#include "test_support.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace lokbackup
{
namespace
{

using test::error_message;
using test::FakeRequest;
using test::FakeResponse;

constexpr std::uint64_t mib = 1024 * 1024;
const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

// --- The storage spec and the endpoint ------------------------------------------------------

TEST(S3Spec, BucketAndOptionalPrefix)
{
    S3Location plain = parse_s3_spec("s3://my-bucket");
    EXPECT_EQ(plain.bucket, "my-bucket");
    EXPECT_EQ(plain.prefix, "");
    S3Location nested = parse_s3_spec("s3://backups.example-1/pg/main/");
    EXPECT_EQ(nested.bucket, "backups.example-1");
    EXPECT_EQ(nested.prefix, "pg/main");
    EXPECT_EQ(parse_s3_spec("s3://abc/").prefix, "");
    EXPECT_NO_THROW(check_storage_spec("s3://abc/x"));
    EXPECT_TRUE(is_s3_spec("s3://abc"));
    EXPECT_FALSE(is_s3_spec("/s3://abc"));
}

TEST(S3Spec, InvalidBucketNamesSayWhatIsAllowed)
{
    for (std::string spec : std::vector<std::string>{
             "s3://", "s3://ab", "s3://Upper", "s3://-bucket", "s3://bucket-", "s3://a..b",
             "s3://192.168.1.1", "s3://under_score", "s3://" + std::string(64, 'a')}) {
        EXPECT_THROW(check_storage_spec(spec), InvalidValue) << spec;
        EXPECT_EQ(error_message([&] { check_storage_spec(spec); }),
                  "invalid storage \"" + spec +
                      "\": use s3://bucket[/prefix], where the bucket name has 3 to 63 "
                      "lowercase letters, digits, dots and hyphens, begins and ends with a "
                      "letter or digit, and is not an IP address");
    }
    EXPECT_NO_THROW(parse_s3_spec("s3://" + std::string(63, 'a')));
}

TEST(S3Spec, PrefixMustBeAPlainPath)
{
    for (std::string spec : {"s3://bucket//x", "s3://bucket/a/../b", "s3://bucket/./b"})
        EXPECT_EQ(error_message([&] { parse_s3_spec(spec); }),
                  "invalid storage \"" + spec +
                      "\": use s3://bucket[/prefix], where the prefix is a path whose segments "
                      "are names other than \".\" and \"..\"")
            << spec;
}

TEST(S3Endpoint, DefaultIsAwsInTheRegion)
{
    S3Endpoint endpoint = parse_s3_endpoint("", "eu-west-1");
    EXPECT_EQ(endpoint.scheme, "https");
    EXPECT_EQ(endpoint.host, "s3.eu-west-1.amazonaws.com");
}

TEST(S3Endpoint, SchemeHostAndPort)
{
    S3Endpoint local = parse_s3_endpoint("http://127.0.0.1:8080/", "us-east-1");
    EXPECT_EQ(local.scheme, "http");
    EXPECT_EQ(local.host, "127.0.0.1:8080");
    S3Endpoint r2 = parse_s3_endpoint("https://0123abc.r2.cloudflarestorage.com", "auto");
    EXPECT_EQ(r2.scheme, "https");
    EXPECT_EQ(r2.host, "0123abc.r2.cloudflarestorage.com");
}

TEST(S3Endpoint, InvalidEndpointsAndRegionsAreRefused)
{
    for (std::string endpoint :
         {"ftp://host", "host:9000", "https://", "https://host/path", "https://user@host"})
        EXPECT_EQ(error_message([&] { parse_s3_endpoint(endpoint, "us-east-1"); }),
                  "invalid lokbackup.s3_endpoint \"" + endpoint +
                      "\": use http(s)://host[:port], such as "
                      "https://<account>.r2.cloudflarestorage.com or http://127.0.0.1:9000")
            << endpoint;
    EXPECT_EQ(error_message([] { parse_s3_endpoint("", "auto"); }),
              "lokbackup.s3_region auto (Cloudflare R2) needs lokbackup.s3_endpoint, such as "
              "https://<account>.r2.cloudflarestorage.com");
    EXPECT_EQ(error_message([] { parse_s3_endpoint("", "US East"); }),
              "invalid lokbackup.s3_region \"US East\": use an S3 region such as us-east-1, or "
              "auto for Cloudflare R2");
}

// --- Addressing -------------------------------------------------------------------------------

TEST(S3Address, VirtualHostedPutsTheBucketInTheHost)
{
    S3Address address(parse_s3_spec("s3://test/pg"), parse_s3_endpoint("", "us-east-1"), false);
    EXPECT_EQ(address.host(), "test.s3.us-east-1.amazonaws.com");
    EXPECT_EQ(address.object_key("db/x y.sql"), "pg/db/x y.sql");
    EXPECT_EQ(address.path("pg/db/x y.sql"), "/pg/db/x y.sql");
    EXPECT_EQ(address.path(""), "/");
    EXPECT_EQ(address.url(address.path("pg/~roles/a%2Fb"), {{"uploadId", "a/b"}}),
              "https://test.s3.us-east-1.amazonaws.com/pg/~roles/a%252Fb?uploadId=a%2Fb");
    EXPECT_EQ(address.describe(), "s3://test/pg at https://s3.us-east-1.amazonaws.com");
}

TEST(S3Address, PathStylePutsTheBucketInThePath)
{
    S3Address address(parse_s3_spec("s3://test"),
                      parse_s3_endpoint("http://127.0.0.1:9000", "auto"), true);
    EXPECT_EQ(address.host(), "127.0.0.1:9000");
    EXPECT_EQ(address.object_key("db/x"), "db/x");
    EXPECT_EQ(address.path("db/x"), "/test/db/x");
    EXPECT_EQ(address.path(""), "/test");
    EXPECT_EQ(address.url("/test", {{"list-type", "2"}, {"prefix", "db/"}}),
              "http://127.0.0.1:9000/test?list-type=2&prefix=db%2F");
    EXPECT_EQ(address.describe(), "s3://test at http://127.0.0.1:9000");
    EXPECT_EQ(address.name("db/x"), "s3://test/db/x");
}

TEST(S3Address, KeysAreRelativeToThePrefix)
{
    S3Address prefixed(parse_s3_spec("s3://test/a/b/"), parse_s3_endpoint("", "us-east-1"), true);
    EXPECT_EQ(prefixed.list_prefix(""), "a/b/");
    EXPECT_EQ(prefixed.list_prefix("db"), "a/b/db");
    EXPECT_EQ(prefixed.storage_key("a/b/db/x.sql"), "db/x.sql");
    S3Address bare(parse_s3_spec("s3://test"), parse_s3_endpoint("", "us-east-1"), true);
    EXPECT_EQ(bare.list_prefix(""), "");
    EXPECT_EQ(bare.storage_key("db/x.sql"), "db/x.sql");
}

// --- Part sizes -------------------------------------------------------------------------------

TEST(S3PartSize, DefaultReachesThreeHundredGigabytes)
{
    S3Options options;
    EXPECT_EQ(options.part_size, 32 * mib);
    EXPECT_GE(max_object_size(options.part_size), 300ull * 1024 * mib);
    EXPECT_EQ(max_object_size(5 * mib), 50000 * mib);
}

TEST(S3PartSize, BetweenFiveMebibytesAndFiveGibibytes)
{
    EXPECT_NO_THROW(check_part_size(5 * mib));
    EXPECT_NO_THROW(check_part_size(5 * 1024 * mib));
    EXPECT_THROW(check_part_size(5 * mib - 1), InvalidValue);
    EXPECT_THROW(check_part_size(5 * 1024 * mib + 1), InvalidValue);
    EXPECT_EQ(error_message([] { check_part_size(1024); }),
              "invalid lokbackup.s3_part_size 1024 bytes: it must be between 5 MiB and 5 GiB");
}

// --- XML and S3 errors ------------------------------------------------------------------------

TEST(XmlText, ValuesByElementName)
{
    std::string xml = "<?xml version=\"1.0\"?>\n<ListBucketResult xmlns=\"x\"><KeyCount>2"
                      "</KeyCount><Contents><Key>a&amp;b &lt;&#65;&#x42;&gt;</Key></Contents>"
                      "<Contents><Key attr=\"1\">c</Key></Contents><Contents><Key/></Contents>"
                      "</ListBucketResult>";
    EXPECT_EQ(xml_root_name(xml), "ListBucketResult");
    EXPECT_EQ(xml_values(xml, "Key"), (std::vector<std::string>{"a&b <AB>", "c", ""}));
    EXPECT_EQ(xml_value(xml, "KeyCount"), "2");
    EXPECT_EQ(xml_value(xml, "Missing"), "");
    EXPECT_EQ(xml_elements(xml, "Contents").size(), 3u);
    EXPECT_EQ(xml_value("<a>&unknown; &amp</a>", "a"), "&unknown; &amp");
    EXPECT_EQ(xml_root_name("not xml"), "");
    EXPECT_EQ(xml_escape("\"a\"&<b>"), "\"a\"&amp;&lt;b&gt;");
}

TEST(S3Errors, CodeAndMessageOfTheBody)
{
    S3ErrorBody error =
        parse_s3_error(test::fake_error(503, "SlowDown", "Reduce &amp; retry").body);
    EXPECT_EQ(error.code, "SlowDown");
    EXPECT_EQ(error.message, "Reduce & retry");
    EXPECT_EQ(parse_s3_error("<html>Bad gateway</html>").code, "");
    EXPECT_EQ(parse_s3_error("").code, "");
}

std::string message_for(long status, const std::string &code)
{
    return s3_error("PUT s3://test/k", status, test::fake_error(status, code, "S3 says so").body)
        .what();
}

TEST(S3Errors, MessagesSayWhatToCheck)
{
    EXPECT_EQ(message_for(403, "SignatureDoesNotMatch"),
              "PUT s3://test/k: S3 rejected the credentials (SignatureDoesNotMatch: S3 says so): "
              "check lokbackup.s3_access_key_id and lokbackup.s3_secret_access_key");
    EXPECT_EQ(message_for(403, "InvalidAccessKeyId"),
              "PUT s3://test/k: S3 rejected the credentials (InvalidAccessKeyId: S3 says so): "
              "check lokbackup.s3_access_key_id and lokbackup.s3_secret_access_key");
    EXPECT_EQ(message_for(403, "RequestTimeTooSkewed"),
              "PUT s3://test/k: S3 refused the request time (RequestTimeTooSkewed: S3 says so): "
              "check the server's clock (it must be within 15 minutes of S3's)");
    EXPECT_EQ(message_for(404, "NoSuchBucket"),
              "PUT s3://test/k: the bucket does not exist (NoSuchBucket: S3 says so): check the "
              "bucket name in lokbackup.storage");
    EXPECT_TRUE(contains(message_for(403, "AccessDenied"),
                         "S3 denied access (AccessDenied: S3 says so): check that the access key "
                         "may read, write, list and delete objects"));
    EXPECT_TRUE(
        contains(message_for(400, "AuthorizationHeaderMalformed"), ": check lokbackup.s3_region"));
    EXPECT_EQ(message_for(500, "InternalError"),
              "PUT s3://test/k: S3 answered HTTP 500 (InternalError: S3 says so)");
    EXPECT_EQ(std::string(s3_error("GET s3://test/k", 502, "<html/>").what()),
              "GET s3://test/k: S3 answered HTTP 502");
    S3Error error = s3_error("GET s3://test/k", 404, test::fake_error(404, "NoSuchKey", "x").body);
    EXPECT_EQ(error.status(), 404);
    EXPECT_EQ(error.code(), "NoSuchKey");
}

// --- Retries ------------------------------------------------------------------------------------

TEST(HttpRetry, TransientFailuresAreTheRetryableOnes)
{
    for (long status : {500L, 502L, 503L, 504L, 408L, 429L})
        EXPECT_TRUE(is_transient_status(status)) << status;
    for (long status : {400L, 401L, 403L, 404L, 412L, 501L, 505L})
        EXPECT_FALSE(is_transient_status(status)) << status;
    for (CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_PARTIAL_FILE,
                          CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING})
        EXPECT_TRUE(is_transient_transport_error(code)) << code;
    for (CURLcode code : {CURLE_URL_MALFORMAT, CURLE_PEER_FAILED_VERIFICATION, CURLE_WRITE_ERROR,
                          CURLE_UNSUPPORTED_PROTOCOL})
        EXPECT_FALSE(is_transient_transport_error(code)) << code;
    EXPECT_TRUE(is_transient(HttpStatusError("x", 503)));
    EXPECT_TRUE(is_transient(TransportError("x", CURLE_COULDNT_CONNECT)));
    EXPECT_FALSE(is_transient(S3Error("x", 403, "AccessDenied")));
    EXPECT_FALSE(is_transient(Error("x")));
}

// A clock that only moves when the policy sleeps, and a chosen random draw.
struct FakeClock {
    std::chrono::steady_clock::time_point now{};
    std::vector<std::chrono::milliseconds> waits;
    double draw = 0.999;

    RetryClock clock()
    {
        return {[this] { return now; },
                [this](std::chrono::milliseconds wait) {
                    waits.push_back(wait);
                    now += wait;
                },
                [this] { return draw; }};
    }
};

TEST(HttpRetry, BackoffDoublesUpToItsCeiling)
{
    RetryLimits limits;
    limits.first_backoff = std::chrono::milliseconds(500);
    limits.max_backoff = std::chrono::seconds(3);
    RetryPolicy policy(limits);
    EXPECT_EQ(policy.backoff_ceiling(1).count(), 500);
    EXPECT_EQ(policy.backoff_ceiling(2).count(), 1000);
    EXPECT_EQ(policy.backoff_ceiling(3).count(), 2000);
    EXPECT_EQ(policy.backoff_ceiling(4).count(), 3000);
    EXPECT_EQ(policy.backoff_ceiling(40).count(), 3000);
}

TEST(HttpRetry, FullJitterWaitsAreDrawnBelowTheCeiling)
{
    FakeClock fake;
    std::vector<std::string> log;
    RetryPolicy policy(
        RetryLimits{}, [&log](const std::string &line) { log.push_back(line); }, fake.clock());
    int calls = 0;
    fake.draw = 0.5;
    int result = policy.run([&] {
        if (++calls < 4)
            throw HttpStatusError("PUT s3://test/k: S3 answered HTTP 503", 503);
        return 42;
    });
    EXPECT_EQ(result, 42);
    EXPECT_EQ(fake.waits, (std::vector<std::chrono::milliseconds>{
                              std::chrono::milliseconds(250), std::chrono::milliseconds(500),
                              std::chrono::milliseconds(1000)}));
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[0], "PUT s3://test/k: S3 answered HTTP 503; retrying in 0.2 s (attempt 1 of 5 "
                      "failed)");
    EXPECT_EQ(log[2], "PUT s3://test/k: S3 answered HTTP 503; retrying in 1.0 s (attempt 3 of 5 "
                      "failed)");

    fake.draw = 0.0;
    fake.waits.clear();
    calls = 0;
    policy.run([&] {
        if (++calls < 2)
            throw TransportError("GET s3://test/k: Connection refused", CURLE_COULDNT_CONNECT);
        return 0;
    });
    EXPECT_EQ(fake.waits, std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(0)});
}

TEST(HttpRetry, GivesUpAfterMaxAttempts)
{
    FakeClock fake;
    RetryLimits limits;
    limits.max_attempts = 3;
    RetryPolicy policy(limits, {}, fake.clock());
    int calls = 0;
    EXPECT_EQ(error_message([&] {
                  policy.run([&]() -> int {
                      ++calls;
                      throw TransportError("GET s3://test/k: timed out", CURLE_OPERATION_TIMEDOUT);
                  });
              }),
              "GET s3://test/k: timed out (gave up after 3 attempts)");
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(fake.waits.size(), 2u);
}

TEST(HttpRetry, GivesUpRatherThanWaitPastTheDeadline)
{
    FakeClock fake;
    RetryLimits limits;
    limits.max_attempts = 100;
    limits.deadline = std::chrono::seconds(10);
    limits.first_backoff = std::chrono::seconds(1);
    limits.max_backoff = std::chrono::seconds(4);
    RetryPolicy policy(limits, {}, fake.clock());
    int calls = 0;
    EXPECT_THROW(policy.run([&]() -> int {
        ++calls;
        fake.now += std::chrono::seconds(1); // each attempt takes a second
        throw HttpStatusError("x", 500);
    }),
                 Error);
    // Attempts end at 1, 3, 6 and 10 s; the waits were about 1, 2 and 4 s, and the next 4 s
    // wait would end past the deadline.
    EXPECT_EQ(calls, 4);
    auto waited = std::chrono::milliseconds(0);
    for (auto wait : fake.waits)
        waited += wait;
    EXPECT_LE(fake.now - std::chrono::steady_clock::time_point{}, std::chrono::seconds(11));
    EXPECT_GT(waited.count(), 0);
}

TEST(HttpRetry, PermanentFailuresAreNotRetried)
{
    FakeClock fake;
    RetryPolicy policy(RetryLimits{}, {}, fake.clock());
    int calls = 0;
    EXPECT_THROW(policy.run([&]() -> int {
        ++calls;
        throw S3Error("PUT s3://test/k: S3 denied access", 403, "AccessDenied");
    }),
                 S3Error);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(fake.waits.empty());
}

// --- Options ------------------------------------------------------------------------------------

S3Options options_for(const std::string &endpoint)
{
    S3Options options;
    options.endpoint = endpoint;
    options.path_style = true;
    options.access_key_id = "AKIDEXAMPLE";
    options.secret_access_key = secret;
    options.session_token = "session-token-secret";
    options.part_size = 5 * mib;
    options.max_attempts = 3;
    return options;
}

TEST(S3Options, AreCheckedWhenTheStorageIsOpened)
{
    auto opening = [](S3Options options) {
        return error_message([&] { open_storage(StorageConfig{"s3://test/pg", options}); });
    };
    S3Options options = options_for("http://127.0.0.1:9");
    EXPECT_EQ(opening(options), "(no error)");
    S3Options no_secret = options;
    no_secret.secret_access_key.clear();
    EXPECT_EQ(opening(no_secret),
              "S3 storage needs credentials: set lokbackup.s3_access_key_id and "
              "lokbackup.s3_secret_access_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in "
              "the environment");
    S3Options small_parts = options;
    small_parts.part_size = 4 * mib;
    EXPECT_TRUE(contains(opening(small_parts), "lokbackup.s3_part_size"));
    S3Options no_attempts = options;
    no_attempts.max_attempts = 0;
    EXPECT_EQ(opening(no_attempts),
              "invalid lokbackup.s3_max_attempts 0: it must be between 1 and 100");
    S3Options negative_deadline = options;
    negative_deadline.retry_deadline_seconds = -1;
    EXPECT_TRUE(contains(opening(negative_deadline), "lokbackup.s3_retry_deadline"));
    EXPECT_THROW(open_storage(StorageConfig{"s3://Bad", options}), InvalidValue);
}

// --- The driver against the fake S3 ------------------------------------------------------------

class S3StorageTest : public ::testing::Test
{
  protected:
    std::unique_ptr<Storage> open(const std::string &spec = "s3://test/pg")
    {
        return open_storage(StorageConfig{spec, options, [this](const std::string &line) {
                                              std::lock_guard<std::mutex> lock(log_mutex);
                                              log.push_back(line);
                                          }});
    }

    std::string get(const std::string &key)
    {
        auto reader = storage->open(key);
        std::string data;
        char buffer[100000];
        while (std::size_t got = reader->read(buffer, sizeof buffer))
            data.append(buffer, got);
        return data;
    }

    std::vector<FakeRequest> requests_where(const std::function<bool(const FakeRequest &)> &test)
    {
        std::vector<FakeRequest> found;
        for (const FakeRequest &request : fake.requests()) {
            if (test(request))
                found.push_back(request);
        }
        return found;
    }

    test::FakeS3 fake;
    S3Options options = options_for(fake.endpoint());
    std::mutex log_mutex;
    std::vector<std::string> log;
    std::unique_ptr<Storage> storage = open();
};

TEST_F(S3StorageTest, SmallObjectIsOnePutWithItsHashSigned)
{
    auto writer = storage->create("db/x.json");
    writer->write("{\"a\":", 5);
    writer->write("1}", 2);
    EXPECT_TRUE(fake.requests().empty()); // nothing is sent before finish()
    writer->finish();
    std::vector<FakeRequest> requests = fake.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].method, "PUT");
    EXPECT_EQ(requests[0].path, "pg/db/x.json");
    EXPECT_EQ(requests[0].header("x-amz-content-sha256"), sha256_hex("{\"a\":1}"));
    EXPECT_EQ(requests[0].header("x-amz-security-token"), "session-token-secret");
    EXPECT_TRUE(contains(requests[0].header("authorization"),
                         "SignedHeaders=host;x-amz-content-sha256;x-amz-date;"
                         "x-amz-security-token, Signature="));
    EXPECT_EQ(fake.objects().at("pg/db/x.json"), "{\"a\":1}");
    EXPECT_EQ(get("db/x.json"), "{\"a\":1}");
}

TEST_F(S3StorageTest, ObjectOfExactlyOnePartIsOnePut)
{
    std::string data = test::mixed_data(5 * mib);
    test::write_in_chunks(*storage->create("one-part"), data);
    EXPECT_EQ(fake.requests().size(), 1u);
    EXPECT_TRUE(fake.objects().at("pg/one-part") == data);
}

TEST_F(S3StorageTest, LargerObjectIsAMultipartUploadOfEqualParts)
{
    std::string data = test::mixed_data(10 * mib + 1234);
    test::write_in_chunks(*storage->create("db/big.dump"), data);
    std::vector<FakeRequest> parts =
        requests_where([](const FakeRequest &request) { return request.has("partNumber"); });
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0].query.at("partNumber"), "1");
    EXPECT_EQ(parts[0].body.size(), 5 * mib);
    EXPECT_EQ(parts[1].body.size(), 5 * mib);
    EXPECT_EQ(parts[2].body.size(), 1234u);
    for (const FakeRequest &part : parts)
        EXPECT_EQ(part.header("x-amz-content-sha256"), sha256_hex(part.body));
    EXPECT_TRUE(fake.objects().at("pg/db/big.dump") == data);
    EXPECT_TRUE(fake.open_uploads().empty());
    EXPECT_TRUE(get("db/big.dump") == data);
}

TEST_F(S3StorageTest, StorageClassIsSignedOnThePutAndTheMultipartStart)
{
    options.storage_class = "STANDARD_IA";
    storage = open();
    test::write_in_chunks(*storage->create("db/one.dump"), test::mixed_data(200 * 1024));
    test::write_in_chunks(*storage->create("db/big.dump"), test::mixed_data(6 * mib));
    std::vector<FakeRequest> classed = requests_where(
        [](const FakeRequest &request) { return !request.header("x-amz-storage-class").empty(); });
    ASSERT_EQ(classed.size(), 2u);
    EXPECT_EQ(classed[0].method, "PUT");
    EXPECT_EQ(classed[0].path, "pg/db/one.dump");
    EXPECT_EQ(classed[1].method, "POST");
    EXPECT_TRUE(classed[1].has("uploads"));
    for (const FakeRequest &request : classed) {
        EXPECT_EQ(request.header("x-amz-storage-class"), "STANDARD_IA");
        EXPECT_TRUE(contains(request.header("authorization"),
                             "x-amz-security-token;x-amz-storage-class, Signature="));
    }
}

TEST_F(S3StorageTest, ManifestsAndOtherSmallObjectsKeepTheDefaultClass)
{
    options.storage_class = "GLACIER";
    storage = open();
    test::write_in_chunks(*storage->create("db/one.dump.manifest.json"),
                          test::mixed_data(128 * 1024 - 1));
    ASSERT_EQ(fake.requests().size(), 1u);
    EXPECT_EQ(fake.requests()[0].header("x-amz-storage-class"), "");
}

TEST_F(S3StorageTest, NoStorageClassUnlessOneIsSet)
{
    test::write_in_chunks(*storage->create("db/one.dump"), test::mixed_data(200 * 1024));
    test::write_in_chunks(*storage->create("db/big.dump"), test::mixed_data(6 * mib));
    EXPECT_TRUE(requests_where([](const FakeRequest &request) {
                    return !request.header("x-amz-storage-class").empty();
                }).empty());
}

TEST_F(S3StorageTest, ServerSideEncryptionIsSignedOnEveryObjectManifestsToo)
{
    options.server_side_encryption = "aws:kms";
    options.sse_kms_key_id = "alias/lokbackup";
    storage = open();
    test::write_in_chunks(*storage->create("db/one.dump.manifest.json"), test::mixed_data(100));
    test::write_in_chunks(*storage->create("db/big.dump"), test::mixed_data(6 * mib));
    std::vector<FakeRequest> encrypted = requests_where([](const FakeRequest &request) {
        return !request.header("x-amz-server-side-encryption").empty();
    });
    ASSERT_EQ(encrypted.size(), 2u);
    EXPECT_EQ(encrypted[0].method, "PUT");
    EXPECT_EQ(encrypted[1].method, "POST");
    EXPECT_TRUE(encrypted[1].has("uploads"));
    for (const FakeRequest &request : encrypted) {
        EXPECT_EQ(request.header("x-amz-server-side-encryption"), "aws:kms");
        EXPECT_EQ(request.header("x-amz-server-side-encryption-aws-kms-key-id"), "alias/lokbackup");
        EXPECT_TRUE(contains(request.header("authorization"),
                             "x-amz-security-token;x-amz-server-side-encryption;"
                             "x-amz-server-side-encryption-aws-kms-key-id, Signature="));
    }
}

TEST_F(S3StorageTest, AKmsKeyWithoutAwsKmsIsRefusedBeforeAnyRequest)
{
    options.server_side_encryption = "AES256";
    options.sse_kms_key_id = "alias/lokbackup";
    storage = open();
    try {
        storage->create("db/one.dump");
        FAIL() << "a KMS key id with AES256 was accepted";
    } catch (const InvalidValue &error) {
        EXPECT_TRUE(contains(error.what(), "lokbackup.s3_sse_kms_key_id names a KMS key, but "
                                           "lokbackup.s3_sse is 'AES256'"))
            << error.what();
    }
    EXPECT_TRUE(fake.requests().empty());
}

TEST_F(S3StorageTest, EachPartIsAcknowledgedOnceS3TookIt)
{
    std::mutex mutex;
    std::vector<std::uint64_t> acknowledged;
    StorageConfig config{"s3://test/pg", options_for(fake.endpoint())};
    config.acknowledged = [&](std::uint64_t bytes) {
        std::lock_guard<std::mutex> lock(mutex);
        acknowledged.push_back(bytes);
    };
    auto writer = open_storage(config)->create("db/acknowledged.dump");
    std::string part = test::mixed_data(5 * mib);
    writer->write(part.data(), part.size());
    writer->write("x", 1);
    writer->finish();
    EXPECT_EQ(acknowledged, (std::vector<std::uint64_t>{5 * mib, 1}));
    acknowledged.clear();
    auto small = open_storage(config)->create("db/small.json");
    small->write("{}", 2);
    EXPECT_TRUE(acknowledged.empty()); // nothing is sent before finish()
    small->finish();
    EXPECT_EQ(acknowledged, (std::vector<std::uint64_t>{2}));
}

TEST_F(S3StorageTest, PartsAreSentWhileTheWriterIsFed)
{
    auto writer = storage->create("streamed");
    std::string part = test::mixed_data(5 * mib);
    for (int i = 0; i < 3; ++i)
        writer->write(part.data(), part.size());
    writer->write("x", 1);
    // Part 3 may still be in flight, but parts 1 and 2 have been sent before finish().
    EXPECT_GE(requests_where([](const FakeRequest &r) { return r.has("partNumber"); }).size(), 2u);
    EXPECT_TRUE(fake.objects().empty());
    writer->finish();
    EXPECT_EQ(fake.objects().at("pg/streamed").size(), 15 * mib + 1);
}

TEST_F(S3StorageTest, FailedPartAbortsTheUpload)
{
    fake.set_fault([](const FakeRequest &request) -> std::optional<FakeResponse> {
        if (request.has("partNumber") && request.query.at("partNumber") == "2")
            return test::fake_error(403, "AccessDenied", "Access Denied");
        return std::nullopt;
    });
    auto writer = storage->create("denied");
    std::string message =
        error_message([&] { test::write_in_chunks(*writer, test::mixed_data(11 * mib)); });
    EXPECT_TRUE(contains(message, "upload part 2 of s3://test/pg/denied: S3 denied access "
                                  "(AccessDenied: Access Denied): check that the access key"))
        << message;
    EXPECT_TRUE(fake.open_uploads().empty());
    EXPECT_EQ(requests_where([](const FakeRequest &r) {
                  return r.method == "DELETE" && r.has("uploadId");
              }).size(),
              1u);
    EXPECT_TRUE(fake.objects().empty());
    EXPECT_FALSE(contains(message, secret));
}

TEST_F(S3StorageTest, SweepAbortsOnlyOldUploadsBelowThePrefixThatNoBackupWrites)
{
    fake.start_upload("pg/db/old", "2026-11-30T10:00:00.000Z");
    fake.start_upload("pg/db/running", "2026-11-30T10:00:00.000Z");
    fake.start_upload("pg/db/fresh", "2026-12-02T09:00:00.000Z");
    fake.start_upload("pg/db/unknown-start");
    fake.start_upload("other/db/old", "2026-11-30T10:00:00.000Z");
    std::time_t now = 1796205600; // 2026-12-02T10:00:00Z

    std::vector<IncompleteUpload> listed = storage->incomplete_uploads();
    std::vector<std::string> keys;
    for (const IncompleteUpload &upload : listed)
        keys.push_back(upload.key);
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"db/fresh", "db/old", "db/running", "db/unknown-start"}));

    SweepResult result = sweep_stale_uploads(*storage, {"db/running"}, now);
    EXPECT_EQ(result.found, 4u);
    EXPECT_EQ(result.discarded, 1u);
    std::vector<std::string> open = fake.open_uploads();
    std::sort(open.begin(), open.end());
    EXPECT_EQ(open, (std::vector<std::string>{"other/db/old", "pg/db/fresh", "pg/db/running",
                                              "pg/db/unknown-start"}));
}

TEST_F(S3StorageTest, UnfinishedWriterAbortsItsUpload)
{
    {
        auto writer = storage->create("interrupted");
        std::string data = test::mixed_data(6 * mib);
        writer->write(data.data(), data.size());
        EXPECT_EQ(fake.open_uploads(), std::vector<std::string>{"pg/interrupted"});
    }
    EXPECT_TRUE(fake.open_uploads().empty());
    EXPECT_TRUE(fake.objects().empty());

    auto writer = storage->create("aborted");
    std::string data = test::mixed_data(6 * mib);
    writer->write(data.data(), data.size());
    writer->abort();
    EXPECT_TRUE(fake.open_uploads().empty());
    EXPECT_EQ(error_message([&] { writer->finish(); }),
              "writing s3://test/pg/aborted after it was finished or aborted");
}

TEST_F(S3StorageTest, TransientErrorsAreRetriedAndLogged)
{
    int failures = 0;
    fake.set_fault([&failures](const FakeRequest &) -> std::optional<FakeResponse> {
        if (failures++ < 2)
            return test::fake_error(503, "SlowDown", "Please reduce your request rate.");
        return std::nullopt;
    });
    test::write_in_chunks(*storage->create("retried"), "data");
    EXPECT_EQ(fake.objects().at("pg/retried"), "data");
    ASSERT_EQ(log.size(), 2u);
    EXPECT_TRUE(contains(log[0], "PUT s3://test/pg/retried: S3 answered HTTP 503 (SlowDown: "
                                 "Please reduce your request rate.); retrying in "))
        << log[0];
    EXPECT_TRUE(contains(log[1], " s (attempt 2 of 3 failed)")) << log[1];
}

TEST_F(S3StorageTest, GivesUpAfterMaxAttempts)
{
    fake.set_fault([](const FakeRequest &) -> std::optional<FakeResponse> {
        return test::fake_error(500, "InternalError", "We encountered an internal error.");
    });
    EXPECT_EQ(error_message([&] { storage->list(""); }),
              "list s3://test/pg/: S3 answered HTTP 500 (InternalError: We encountered an "
              "internal error.) (gave up after 3 attempts)");
    EXPECT_EQ(fake.requests().size(), 3u);
}

TEST_F(S3StorageTest, ErrorsRetryingCannotFixFailAtOnce)
{
    fake.set_fault([](const FakeRequest &) -> std::optional<FakeResponse> {
        return test::fake_error(403, "SignatureDoesNotMatch", "The signature does not match.");
    });
    std::string message = error_message([&] { storage->remove("x"); });
    EXPECT_EQ(message, "DELETE s3://test/pg/x: S3 rejected the credentials (SignatureDoesNotMatch: "
                       "The signature does not match.): check lokbackup.s3_access_key_id and "
                       "lokbackup.s3_secret_access_key");
    EXPECT_EQ(fake.requests().size(), 1u);
    EXPECT_TRUE(log.empty());
}

TEST_F(S3StorageTest, ErrorInASuccessfulCompleteIsRetried)
{
    int completes = 0;
    fake.set_fault([&completes](const FakeRequest &request) -> std::optional<FakeResponse> {
        if (request.method == "POST" && request.has("uploadId") && completes++ == 0)
            return FakeResponse{200, {}, test::fake_error(200, "InternalError", "retry").body};
        return std::nullopt;
    });
    std::string data = test::mixed_data(5 * mib + 1);
    test::write_in_chunks(*storage->create("completed"), data);
    EXPECT_EQ(completes, 2);
    EXPECT_TRUE(fake.objects().at("pg/completed") == data);
}

TEST_F(S3StorageTest, ListPagesThroughAndReturnsKeysBelowThePrefix)
{
    fake.set_page_size(2);
    for (std::string key :
         {"pg/db/1", "pg/db/2", "pg/db/3", "pg/db/4", "pg/db/5", "pg/other/6", "elsewhere/db/7"})
        fake.put_object(key, key);
    std::vector<std::string> keys = storage->list("db/");
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, (std::vector<std::string>{"db/1", "db/2", "db/3", "db/4", "db/5"}));
    EXPECT_EQ(requests_where([](const FakeRequest &r) { return r.has("list-type"); }).size(), 3u);
    EXPECT_EQ(storage->list("").size(), 6u);
    EXPECT_TRUE(storage->list("nothing/").empty());
}

TEST_F(S3StorageTest, RemoveToleratesAMissingObjectButNotAMissingBucket)
{
    fake.put_object("pg/x", "x");
    storage->remove("x");
    EXPECT_TRUE(fake.objects().empty());
    fake.set_fault([](const FakeRequest &) -> std::optional<FakeResponse> {
        return test::fake_error(404, "NoSuchKey", "gone");
    });
    EXPECT_NO_THROW(storage->remove("x"));
    fake.set_fault([](const FakeRequest &) -> std::optional<FakeResponse> {
        return test::fake_error(404, "NoSuchBucket", "The specified bucket does not exist");
    });
    EXPECT_EQ(error_message([&] { storage->remove("x"); }),
              "DELETE s3://test/pg/x: the bucket does not exist (NoSuchBucket: The specified "
              "bucket does not exist): check the bucket name in lokbackup.storage");
}

TEST_F(S3StorageTest, DiscardIncompleteAbortsTheUploadsOfThatKeyOnly)
{
    fake.start_upload("pg/db/k");
    fake.start_upload("pg/db/k");
    fake.start_upload("pg/db/k.manifest.json");
    storage->discard_incomplete("db/k");
    EXPECT_EQ(fake.open_uploads(), std::vector<std::string>{"pg/db/k.manifest.json"});
    storage->discard_incomplete("db/k");
}

TEST_F(S3StorageTest, DiscardIncompleteWhereUploadsCannotBeListedIsLogged)
{
    fake.set_fault([](const FakeRequest &) -> std::optional<FakeResponse> {
        return test::fake_error(501, "NotImplemented", "not implemented");
    });
    EXPECT_NO_THROW(storage->discard_incomplete("db/k"));
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0], "list the multipart uploads of s3://test/pg/db/k: S3 answered HTTP 501 "
                      "(NotImplemented: not implemented): incomplete uploads are left to the "
                      "bucket's lifecycle rules");
    EXPECT_EQ(fake.requests().size(), 1u);
}

TEST_F(S3StorageTest, ReadResumesADroppedConnectionWhereItStopped)
{
    std::string data = test::mixed_data(3 * mib + 17);
    fake.put_object("pg/db/big", data);
    int gets = 0;
    fake.set_fault([&](const FakeRequest &request) -> std::optional<FakeResponse> {
        if (request.method == "GET" && gets++ == 0)
            return FakeResponse{200, {{"ETag", "\"object\""}}, data, mib + 5};
        return std::nullopt;
    });
    EXPECT_TRUE(get("db/big") == data);
    std::vector<FakeRequest> requests = fake.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].header("range"), "");
    EXPECT_EQ(requests[1].header("range"), "bytes=" + std::to_string(mib + 5) + "-");
    EXPECT_EQ(requests[1].header("if-match"), "\"object\"");
    ASSERT_EQ(log.size(), 1u);
    EXPECT_TRUE(contains(log[0], "GET s3://test/pg/db/big: ")) << log[0];
}

TEST_F(S3StorageTest, ObjectReplacedDuringAReadIsAnError)
{
    std::string data = test::mixed_data(2 * mib);
    fake.put_object("pg/changing", data);
    int gets = 0;
    fake.set_fault([&](const FakeRequest &request) -> std::optional<FakeResponse> {
        if (request.method != "GET")
            return std::nullopt;
        if (gets++ == 0)
            return FakeResponse{200, {{"ETag", "\"old\""}}, data, mib};
        return test::fake_error(412, "PreconditionFailed", "At least one precondition failed");
    });
    EXPECT_EQ(error_message([&] { get("changing"); }),
              "GET s3://test/pg/changing: the object changed while it was being read");
}

TEST_F(S3StorageTest, MissingObjectIsNamed)
{
    EXPECT_EQ(error_message([&] { storage->open("db/none"); }),
              "backup object not found: s3://test/pg/db/none");
}

TEST_F(S3StorageTest, LocationIsAPresignedUrlThatReadsTheObject)
{
    fake.put_object("pg/db/x.sql", "backup");
    std::string url = storage->location("db/x.sql");
    EXPECT_EQ(url.rfind(fake.endpoint() + "/test/pg/db/x.sql?X-Amz-Algorithm=AWS4-HMAC-SHA256", 0),
              0u)
        << url;
    EXPECT_TRUE(contains(url, "&X-Amz-Expires=3600&"));
    EXPECT_TRUE(contains(url, "&X-Amz-Security-Token=session-token-secret&"));
    EXPECT_FALSE(contains(url, "wJalrXUtnFEMI"));
    auto reader = open_presigned_url(url, nullptr);
    char buffer[100];
    EXPECT_EQ(std::string(buffer, reader->read(buffer, sizeof buffer)), "backup");
    EXPECT_EQ(error_message([&] {
                  open_presigned_url(fake.endpoint() + "/test/none?X-Amz-Signature=1", nullptr);
              }),
              "backup object not found: " + fake.endpoint() + "/test/none");
}

TEST_F(S3StorageTest, PresignedUrlsLastAtMostSevenDays)
{
    EXPECT_TRUE(
        contains(storage->presigned_url("k", std::chrono::hours(24 * 7)), "X-Amz-Expires=604800&"));
    for (auto valid_for : {std::chrono::seconds(0), std::chrono::seconds(604801)})
        EXPECT_EQ(error_message([&] { storage->presigned_url("k", valid_for); }),
                  "a presigned URL is valid for 1 second to 7 days (604800 seconds), not " +
                      std::to_string(valid_for.count()) + " seconds");
}

TEST_F(S3StorageTest, DescriptionAndErrorsHoldNoSecret)
{
    EXPECT_EQ(storage->describe(), "s3://test/pg at " + fake.endpoint());
    fake.set_fault([](const FakeRequest &) -> std::optional<FakeResponse> {
        return test::fake_error(400, "InvalidArgument", "bad");
    });
    for (const std::string &message :
         {error_message([&] { storage->list(""); }), error_message([&] { storage->open("k"); }),
          error_message([&] { test::write_in_chunks(*storage->create("k"), "x"); })}) {
        EXPECT_FALSE(contains(message, secret)) << message;
        EXPECT_FALSE(contains(message, "session-token-secret")) << message;
    }
}

TEST_F(S3StorageTest, BadKeysAreRefusedBeforeAnyRequest)
{
    for (std::string key : {"", "/abs", "a//b", "a/../b"})
        EXPECT_THROW(storage->create(key), Error) << key;
    EXPECT_TRUE(fake.requests().empty());
}

TEST(S3Transport, RefusedConnectionIsRetriedThenReported)
{
    // Port 9 on the loopback interface: nothing listens there.
    S3Options options = options_for("http://127.0.0.1:9");
    options.max_attempts = 2;
    std::vector<std::string> log;
    auto storage = open_storage(StorageConfig{
        "s3://test", options, [&log](const std::string &line) { log.push_back(line); }});
    std::string message = error_message([&] { storage->list(""); });
    EXPECT_EQ(message.rfind("list s3://test/: cannot connect to the S3 endpoint "
                            "http://127.0.0.1:9 (",
                            0),
              0u)
        << message;
    EXPECT_TRUE(contains(message, "check lokbackup.s3_endpoint")) << message;
    EXPECT_TRUE(contains(message, "(gave up after 2 attempts)")) << message;
    EXPECT_EQ(log.size(), 1u);
}

} // namespace
} // namespace lokbackup
