// An S3 endpoint that cannot be reached or stalls: the messages name the endpoint and
// lokbackup.s3_endpoint, an attempt that moves no byte ends after lokbackup.s3_stall_timeout, and
// once a request gave up the storage sends nothing more. The stalled endpoint is real: a loopback
// socket that listens and never accepts, so the kernel completes each connection and nothing ever
// answers.
#include "core/storage/open_storage.hpp"
#include "core/http/http_client.hpp"
#include "core/s3/s3_error.hpp"
#include "core/storage/s3_storage.hpp"

#include "test_support.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace lokbackup
{
namespace
{

using test::error_message;
using namespace std::chrono_literals;

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

std::string endpoint_message(int curl_code, const std::string &reason)
{
    TransportError error("PUT s3://test/k: " + reason, curl_code);
    TransportError said = s3_endpoint_error("PUT s3://test/k", "http://127.0.0.1:9000", error, 60s);
    EXPECT_EQ(said.curl_code(), curl_code);
    return said.what();
}

TEST(S3EndpointErrors, NameTheEndpointTheSettingAndWhatToCheck)
{
    EXPECT_EQ(endpoint_message(CURLE_OPERATION_TIMEDOUT,
                               "Operation too slow. Less than 1 bytes/sec transferred the last 60 "
                               "seconds"),
              "PUT s3://test/k: the S3 endpoint http://127.0.0.1:9000 stalled (Operation too slow. "
              "Less than 1 bytes/sec transferred the last 60 seconds; lokbackup.s3_stall_timeout "
              "is 60 s): check lokbackup.s3_endpoint and the network to it; on a slow link raise "
              "lokbackup.s3_stall_timeout");
    EXPECT_EQ(endpoint_message(CURLE_COULDNT_CONNECT, "Connection refused"),
              "PUT s3://test/k: cannot connect to the S3 endpoint http://127.0.0.1:9000 "
              "(Connection refused): check lokbackup.s3_endpoint and that the endpoint is "
              "reachable from the database server");
    EXPECT_EQ(endpoint_message(CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: nowhere"),
              "PUT s3://test/k: cannot resolve the host of the S3 endpoint http://127.0.0.1:9000 "
              "(Could not resolve host: nowhere): check lokbackup.s3_endpoint and the server's "
              "DNS");
    EXPECT_TRUE(contains(endpoint_message(CURLE_PEER_FAILED_VERIFICATION, "bad certificate"),
                         "TLS failed with the S3 endpoint http://127.0.0.1:9000 (bad certificate): "
                         "check lokbackup.s3_endpoint and that it speaks TLS"));
    EXPECT_TRUE(contains(endpoint_message(CURLE_RECV_ERROR, "Connection reset by peer"),
                         "the connection to the S3 endpoint http://127.0.0.1:9000 failed "
                         "(Connection reset by peer): check lokbackup.s3_endpoint"));
}

// A loopback port that takes connections and never answers.
class SilentListener
{
  public:
    SilentListener()
    {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr *>(&address), length) != 0 ||
            listen(fd_, 16) != 0 ||
            getsockname(fd_, reinterpret_cast<sockaddr *>(&address), &length) != 0)
            throw std::runtime_error("cannot listen on the loopback interface");
        port_ = ntohs(address.sin_port);
    }
    ~SilentListener() { close(fd_); }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  private:
    int fd_ = -1;
    int port_ = 0;
};

S3Options stalling_options(const std::string &endpoint)
{
    S3Options options;
    options.endpoint = endpoint;
    options.path_style = true;
    options.access_key_id = "AKIDEXAMPLE";
    options.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    options.max_attempts = 2;
    options.stall_timeout_seconds = 1;
    return options;
}

TEST(S3EndpointStall, AnEndpointThatNeverAnswersFailsAfterTheStallTimeout)
{
    SilentListener silent;
    auto storage = open_storage(StorageConfig{"s3://test", stalling_options(silent.endpoint())});
    auto started = std::chrono::steady_clock::now();
    std::string message = error_message([&] { storage->list(""); });
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(
        contains(message, "list s3://test/: the S3 endpoint " + silent.endpoint() + " stalled"))
        << message;
    EXPECT_TRUE(contains(message, "check lokbackup.s3_endpoint")) << message;
    EXPECT_TRUE(contains(message, "(gave up after 2 attempts)")) << message;
    // Two attempts of a second each and a backoff below half a second; not libcurl's defaults.
    EXPECT_GE(waited, 2s);
    EXPECT_LT(waited, 10s);
}

TEST(S3EndpointStall, AfterARequestGaveUpTheStorageSendsNothingMore)
{
    SilentListener silent;
    auto storage = open_storage(StorageConfig{"s3://test", stalling_options(silent.endpoint())});
    error_message([&] { storage->list(""); });
    auto started = std::chrono::steady_clock::now();
    std::string message = error_message([&] { storage->remove("db/1.sql.zst"); });
    EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
    EXPECT_TRUE(contains(message, "DELETE s3://test/db/1.sql.zst: not sent, since an earlier "
                                  "request gave up: list s3://test/: the S3 endpoint"))
        << message;
}

TEST(S3EndpointStall, TheStallTimeoutIsChecked)
{
    for (int seconds : {0, -1, 3601}) {
        S3Options options = stalling_options("http://127.0.0.1:9");
        options.stall_timeout_seconds = seconds;
        EXPECT_EQ(error_message([&] {
                      open_storage(StorageConfig{"s3://test", options});
                  }),
                  "invalid lokbackup.s3_stall_timeout " + std::to_string(seconds) +
                      " seconds: it must be between 1 and 3600 seconds");
    }
}

} // namespace
} // namespace lokbackup
