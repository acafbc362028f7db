// A fake S3 on a loopback socket for the S3 driver's unit tests: path-style requests to one
// bucket, objects and multipart uploads in memory, every request recorded, and faults injected
// by the test. One connection at a time, one request per connection.
#pragma once

#include "core/s3/sigv4.hpp"
#include "test_support.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace lokbackup::test
{

struct FakeRequest {
    std::string method;
    std::string path; // decoded, without the bucket: "" for the bucket itself
    std::map<std::string, std::string> query;
    std::map<std::string, std::string> headers; // names in lower case
    std::string body;

    bool has(const std::string &parameter) const { return query.count(parameter) > 0; }
    std::string header(const std::string &name) const
    {
        auto found = headers.find(name);
        return found == headers.end() ? "" : found->second;
    }
};

struct FakeResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Closes the connection after this many bytes of the body, as a dropped connection would.
    std::size_t cut_after = std::string::npos;
};

inline FakeResponse fake_error(int status, const std::string &code, const std::string &message)
{
    return {status,
            {},
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
                "</Code><Message>" + message + "</Message><RequestId>1</RequestId></Error>"};
}

class FakeS3
{
  public:
    // Answers instead of the fake S3 when it returns a response. Called with the fake locked: it
    // must not call the fake.
    using Fault = std::function<std::optional<FakeResponse>(const FakeRequest &)>;

    explicit FakeS3(std::string bucket = "test") : bucket_(std::move(bucket))
    {
        listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr *>(&address), length) != 0 ||
            listen(listener_, 16) != 0 ||
            getsockname(listener_, reinterpret_cast<sockaddr *>(&address), &length) != 0)
            throw std::runtime_error("cannot listen on the loopback interface");
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }

    ~FakeS3()
    {
        stop_ = true;
        thread_.join();
        close(listener_);
    }

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

    void set_fault(Fault fault)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        fault_ = std::move(fault);
    }
    void set_page_size(std::size_t keys)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        page_size_ = keys;
    }

    std::vector<FakeRequest> requests() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }
    std::map<std::string, std::string> objects() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return objects_;
    }
    void put_object(const std::string &key, const std::string &data)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        objects_[key] = data;
    }
    // Keys of the multipart uploads still open.
    std::vector<std::string> open_uploads() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<std::string> keys;
        for (const auto &[id, upload] : uploads_)
            keys.push_back(upload.key);
        return keys;
    }
    // `initiated`, "2026-12-02T23:00:00.000Z", is what a listing of uploads shows as its start;
    // empty: nothing (an upload started by the driver shows none either).
    std::string start_upload(const std::string &key, const std::string &initiated = "")
    {
        std::lock_guard<std::mutex> lock(mutex_);
        std::string id = new_upload(key);
        uploads_[id].initiated = initiated;
        return id;
    }

  private:
    struct Upload {
        std::string key;
        std::map<int, std::string> parts;
        std::string initiated;
    };

    static std::string lower(std::string text)
    {
        for (char &c : text)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return text;
    }

    void serve()
    {
        while (!stop_) {
            pollfd ready{listener_, POLLIN, 0};
            if (poll(&ready, 1, 50) <= 0)
                continue;
            int connection = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (connection < 0)
                continue;
            handle(connection);
            close(connection);
        }
    }

    static bool receive(int connection, std::string &data)
    {
        char buffer[65536];
        ssize_t got = recv(connection, buffer, sizeof buffer, 0);
        if (got <= 0)
            return false;
        data.append(buffer, static_cast<std::size_t>(got));
        return true;
    }

    void handle(int connection)
    {
        std::string data;
        std::size_t head_end;
        while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
            if (!receive(connection, data))
                return;
        }
        FakeRequest request;
        std::string head = data.substr(0, head_end);
        std::size_t line_end = head.find("\r\n");
        std::string request_line = head.substr(0, line_end);
        request.method = request_line.substr(0, request_line.find(' '));
        std::string target = request_line.substr(request.method.size() + 1);
        target = target.substr(0, target.rfind(' '));
        std::string raw_path = target.substr(0, target.find('?'));
        if (target.find('?') != std::string::npos) {
            std::string query = target.substr(target.find('?') + 1);
            for (std::size_t start = 0; start <= query.size();) {
                std::size_t end = std::min(query.find('&', start), query.size());
                std::string pair = query.substr(start, end - start);
                std::size_t equals = std::min(pair.find('='), pair.size());
                request.query[test::percent_decode(pair.substr(0, equals))] =
                    test::percent_decode(pair.substr(std::min(equals + 1, pair.size())));
                start = end + 1;
            }
        }
        std::string bucket_path = "/" + bucket_;
        std::string path = test::percent_decode(raw_path);
        request.path = path.size() > bucket_path.size() ? path.substr(bucket_path.size() + 1) : "";
        for (std::size_t start = line_end + 2; start < head.size();) {
            std::size_t end = std::min(head.find("\r\n", start), head.size());
            std::string line = head.substr(start, end - start);
            std::size_t colon = line.find(':');
            std::size_t value = line.find_first_not_of(' ', colon + 1);
            request.headers[lower(line.substr(0, colon))] =
                value == std::string::npos ? "" : line.substr(value);
            start = end + 2;
        }
        std::size_t length = request.headers.count("content-length")
                                 ? std::stoul(request.headers["content-length"])
                                 : 0;
        request.body = data.substr(head_end + 4);
        while (request.body.size() < length) {
            if (!receive(connection, request.body))
                return;
        }

        FakeResponse response = respond(request);
        std::string out = "HTTP/1.1 " + std::to_string(response.status) +
                          " Fake\r\nConnection: close\r\nContent-Length: " +
                          std::to_string(response.body.size()) + "\r\n";
        for (const auto &[name, value] : response.headers)
            out += name + ": " + value + "\r\n";
        out += "\r\n" + response.body.substr(0, response.cut_after);
        for (std::size_t sent = 0; sent < out.size();) {
            ssize_t wrote = send(connection, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (wrote <= 0)
                return;
            sent += static_cast<std::size_t>(wrote);
        }
    }

    FakeResponse respond(const FakeRequest &request)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(request);
        bool presigned = request.has("X-Amz-Signature");
        if (!presigned &&
            request.header("authorization").rfind("AWS4-HMAC-SHA256 Credential=", 0) != 0)
            return fake_error(403, "AccessDenied", "no signature");
        if (!presigned && request.header("x-amz-content-sha256") != sha256_hex(request.body))
            return fake_error(400, "XAmzContentSHA256Mismatch", "payload hash");
        if (fault_) {
            if (std::optional<FakeResponse> injected = fault_(request))
                return *injected;
        }
        if (request.path.empty())
            return request.has("uploads") ? list_uploads(request) : list_objects(request);
        if (request.method == "POST" && request.has("uploads"))
            return {200,
                    {},
                    "<InitiateMultipartUploadResult><UploadId>" + new_upload(request.path) +
                        "</UploadId>"
                        "</InitiateMultipartUploadResult>"};
        if (request.has("uploadId"))
            return upload_request(request);
        if (request.method == "PUT") {
            objects_[request.path] = request.body;
            return {200, {{"ETag", "\"object\""}}, ""};
        }
        if (request.method == "DELETE") {
            objects_.erase(request.path);
            return {204, {}, ""};
        }
        return get_object(request);
    }

    std::string new_upload(const std::string &key)
    {
        std::string id = "upload-" + std::to_string(++upload_count_);
        uploads_[id] = {key, {}, {}};
        return id;
    }

    FakeResponse upload_request(const FakeRequest &request)
    {
        auto upload = uploads_.find(request.query.at("uploadId"));
        if (upload == uploads_.end())
            return fake_error(404, "NoSuchUpload", "The specified upload does not exist.");
        if (request.method == "PUT") {
            int number = std::stoi(request.query.at("partNumber"));
            upload->second.parts[number] = request.body;
            return {200, {{"ETag", "\"etag-" + std::to_string(number) + "\""}}, ""};
        }
        if (request.method == "DELETE") {
            uploads_.erase(upload);
            return {204, {}, ""};
        }
        std::string assembled;
        int expected = 1;
        const std::string etag = "<ETag>\"etag-";
        for (std::size_t at = 0; (at = request.body.find(etag, at)) != std::string::npos; ++at) {
            int number = std::stoi(request.body.substr(at + etag.size()));
            if (number != expected++ || !upload->second.parts.count(number))
                return fake_error(400, "InvalidPartOrder", "parts out of order");
            assembled += upload->second.parts[number];
        }
        if (expected == 1)
            return fake_error(400, "MalformedXML", "no parts");
        objects_[upload->second.key] = assembled;
        uploads_.erase(upload);
        return {200, {}, "<CompleteMultipartUploadResult/>"};
    }

    FakeResponse list_objects(const FakeRequest &request)
    {
        std::string prefix = request.query.count("prefix") ? request.query.at("prefix") : "";
        std::size_t start = request.has("continuation-token")
                                ? std::stoul(request.query.at("continuation-token"))
                                : 0;
        std::vector<std::string> keys;
        for (const auto &[key, data] : objects_) {
            if (key.rfind(prefix, 0) == 0)
                keys.push_back(key);
        }
        std::string body = "<ListBucketResult>";
        std::size_t end = std::min(keys.size(), start + page_size_);
        for (std::size_t i = start; i < end; ++i)
            body += "<Contents><Key>" + keys[i] + "</Key><Size>1</Size></Contents>";
        if (end < keys.size())
            body += "<IsTruncated>true</IsTruncated><NextContinuationToken>" + std::to_string(end) +
                    "</NextContinuationToken>";
        else
            body += "<IsTruncated>false</IsTruncated>";
        return {200, {}, body + "</ListBucketResult>"};
    }

    FakeResponse list_uploads(const FakeRequest &request)
    {
        std::string prefix = request.query.count("prefix") ? request.query.at("prefix") : "";
        std::string body = "<ListMultipartUploadsResult>";
        for (const auto &[id, upload] : uploads_) {
            if (upload.key.rfind(prefix, 0) == 0)
                body +=
                    "<Upload><Key>" + upload.key + "</Key><UploadId>" + id + "</UploadId>" +
                    (upload.initiated.empty() ? ""
                                              : "<Initiated>" + upload.initiated + "</Initiated>") +
                    "</Upload>";
        }
        return {200, {}, body + "<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"};
    }

    FakeResponse get_object(const FakeRequest &request)
    {
        auto object = objects_.find(request.path);
        if (object == objects_.end())
            return fake_error(404, "NoSuchKey", "The specified key does not exist.");
        std::string range = request.header("range");
        if (range.empty())
            return {200, {{"ETag", "\"object\""}}, object->second};
        if (request.header("if-match") != "\"object\"")
            return fake_error(412, "PreconditionFailed", "If-Match");
        std::size_t start = std::stoul(range.substr(range.find('=') + 1));
        return {206,
                {{"Content-Range", "bytes " + std::to_string(start) + "-" +
                                       std::to_string(object->second.size() - 1) + "/" +
                                       std::to_string(object->second.size())}},
                object->second.substr(start)};
    }

    std::string bucket_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    Fault fault_;
    std::size_t page_size_ = 1000;
    std::vector<FakeRequest> requests_;
    std::map<std::string, std::string> objects_;
    std::map<std::string, Upload> uploads_;
    int upload_count_ = 0;
};

} // namespace lokbackup::test
