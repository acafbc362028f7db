// The S3 client alone (signing, sending, retrying, presigning) against the fake S3 of
// fake_s3_server.hpp; the driver built on it is tested in s3_storage_test.cpp.
#include "core/s3/s3_client.hpp"
#include "core/pipeline/sha256.hpp"
#include "core/s3/s3_error.hpp"

#include "fake_s3_server.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;
using test::FakeRequest;
using test::FakeResponse;

// Retries without waiting.
RetryPolicy quick_retry(int max_attempts)
{
    RetryLimits limits;
    limits.max_attempts = max_attempts;
    return RetryPolicy(limits, {},
                       {[] { return std::chrono::steady_clock::now(); },
                        [](std::chrono::milliseconds) {}, [] { return 0.0; }});
}

class S3ClientTest : public ::testing::Test
{
  protected:
    S3Client client_for(const std::string &endpoint, const std::string &session_token = "")
    {
        return S3Client(
            S3Address(parse_s3_spec("s3://test"), parse_s3_endpoint(endpoint, "us-east-1"), true),
            {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", session_token}, "us-east-1",
            quick_retry(3), std::chrono::seconds(5));
    }

    test::FakeS3 fake;
};

TEST_F(S3ClientTest, RequestsAreSignedOverTheirPayloadAndToken)
{
    S3Client client = client_for(fake.endpoint(), "session-token");
    S3Request put{"PUT", "pg/x.json", {}, {{"Content-Type", "application/json"}}, "{\"id\": 1}"};
    HttpResponse response = client.send(put, "PUT s3://test/pg/x.json");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(fake.objects().at("pg/x.json"), "{\"id\": 1}");

    std::vector<FakeRequest> requests = fake.requests();
    ASSERT_EQ(requests.size(), 1u);
    const FakeRequest &sent = requests[0];
    EXPECT_EQ(sent.header("x-amz-content-sha256"), sha256_hex("{\"id\": 1}"));
    EXPECT_EQ(sent.header("x-amz-security-token"), "session-token");
    EXPECT_EQ(sent.header("content-type"), "application/json");
    std::string authorization = sent.header("authorization");
    EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0u);
    // The extra header is signed too.
    EXPECT_NE(authorization.find("content-type;host;"), std::string::npos) << authorization;
    EXPECT_EQ(authorization.find("EXAMPLEKEY"), std::string::npos);
}

TEST_F(S3ClientTest, WithoutATokenNoneIsSent)
{
    S3Client client = client_for(fake.endpoint());
    client.send({"PUT", "a", {}, {}, "x"}, "PUT");
    EXPECT_EQ(fake.requests().at(0).headers.count("x-amz-security-token"), 0u);
}

TEST_F(S3ClientTest, AnErrorInASuccessfulAnswerIsRetried)
{
    int answered = 0;
    fake.set_fault([&](const FakeRequest &) -> std::optional<FakeResponse> {
        if (answered++ > 0)
            return std::nullopt;
        FakeResponse error = test::fake_error(200, "InternalError", "try again");
        return error;
    });
    S3Client client = client_for(fake.endpoint());
    EXPECT_EQ(client.send({"PUT", "a", {}, {}, "data"}, "PUT s3://test/a").status, 200);
    EXPECT_EQ(fake.requests().size(), 2u);
    EXPECT_EQ(fake.objects().at("a"), "data");
}

TEST_F(S3ClientTest, TransientFailuresStopAtMaxAttempts)
{
    fake.set_fault([](const FakeRequest &) -> std::optional<FakeResponse> {
        return test::fake_error(503, "SlowDown", "reduce your request rate");
    });
    S3Client client = client_for(fake.endpoint());
    std::string message = error_message([&] { client.send({"GET", "a", {}, {}, ""}, "GET a"); });
    EXPECT_EQ(message, "GET a: S3 answered HTTP 503 (SlowDown: reduce your request rate) (gave up "
                       "after 3 attempts)");
    EXPECT_EQ(fake.requests().size(), 3u);
}

TEST_F(S3ClientTest, PermanentErrorsFailAtOnceAndLeaveTheClientUsable)
{
    bool missing = true;
    fake.set_fault([&](const FakeRequest &) -> std::optional<FakeResponse> {
        if (!missing)
            return std::nullopt;
        return test::fake_error(404, "NoSuchBucket", "The specified bucket does not exist");
    });
    S3Client client = client_for(fake.endpoint());
    try {
        client.send({"PUT", "a", {}, {}, "x"}, "PUT s3://test/a");
        FAIL() << "no error";
    } catch (const S3Error &e) {
        EXPECT_EQ(e.status(), 404);
        EXPECT_EQ(e.code(), "NoSuchBucket");
        EXPECT_EQ(std::string(e.what()).rfind("PUT s3://test/a: the bucket does not exist", 0), 0u)
            << e.what();
    }
    EXPECT_EQ(fake.requests().size(), 1u);
    missing = false;
    EXPECT_EQ(client.send({"PUT", "a", {}, {}, "x"}, "PUT s3://test/a").status, 200);
}

TEST_F(S3ClientTest, AnUnreachableEndpointStopsLaterRequests)
{
    // A port of the loopback interface that nothing listens on (the fake's, once it is gone).
    std::string endpoint;
    {
        test::FakeS3 gone;
        endpoint = gone.endpoint();
    }
    S3Client client = client_for(endpoint);
    std::string first = error_message([&] { client.send({"GET", "a", {}, {}, ""}, "GET a"); });
    EXPECT_NE(first.find("cannot connect to the S3 endpoint " + endpoint), std::string::npos)
        << first;
    EXPECT_NE(first.find("(gave up after 3 attempts)"), std::string::npos) << first;
    EXPECT_EQ(error_message([&] {
                  client.send({"DELETE", "a", {}, {}, ""}, "DELETE a");
              }),
              "DELETE a: not sent, since an earlier request gave up: " + first);
}

TEST_F(S3ClientTest, PresignedGetNeedsNoCredentials)
{
    fake.put_object("pg/app.sql.zst", "the backup");
    S3Client client = client_for(fake.endpoint());
    std::string url = client.presigned_get("pg/app.sql.zst", std::chrono::seconds(600));
    EXPECT_EQ(url.rfind(fake.endpoint() + "/test/pg/app.sql.zst?", 0), 0u) << url;
    EXPECT_NE(url.find("X-Amz-Expires=600"), std::string::npos) << url;
    EXPECT_EQ(url.find("EXAMPLEKEY"), std::string::npos) << url;

    HttpRequest get;
    get.url = url;
    HttpResponse response = http_perform(get, "GET presigned");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "the backup");
    EXPECT_EQ(fake.requests().back().header("authorization"), "");
}

} // namespace
} // namespace lokbackup
