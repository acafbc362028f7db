#include "core/storage/s3_storage.hpp"

#include "core/schedule/civil_time.hpp"
#include "core/base/error.hpp"
#include "core/s3/s3_client.hpp"
#include "core/s3/s3_error.hpp"
#include "core/s3/s3_object_reader.hpp"
#include "core/s3/s3_object_writer.hpp"
#include "core/s3/xml_text.hpp"

#include <cstdio>
#include <ctime>

namespace lokbackup
{

namespace
{

constexpr std::chrono::seconds location_validity = std::chrono::hours(1);
constexpr std::chrono::seconds max_presigned_validity = std::chrono::hours(24 * 7);
constexpr int max_stall_timeout = 3600;

RetryLimits retry_limits(const S3Options &options)
{
    if (options.max_attempts < 1 || options.max_attempts > 100)
        throw InvalidValue("invalid lokbackup.s3_max_attempts " +
                           std::to_string(options.max_attempts) + ": it must be between 1 and 100");
    if (options.retry_deadline_seconds < 0)
        throw InvalidValue("invalid lokbackup.s3_retry_deadline " +
                           std::to_string(options.retry_deadline_seconds) +
                           ": it must be 0 seconds or more");
    RetryLimits limits;
    limits.max_attempts = options.max_attempts;
    limits.deadline = std::chrono::seconds(options.retry_deadline_seconds);
    return limits;
}

std::chrono::seconds stall_timeout(const S3Options &options)
{
    if (options.stall_timeout_seconds < 1 || options.stall_timeout_seconds > max_stall_timeout)
        throw InvalidValue(
            "invalid lokbackup.s3_stall_timeout " + std::to_string(options.stall_timeout_seconds) +
            " seconds: it must be between 1 and " + std::to_string(max_stall_timeout) + " seconds");
    return std::chrono::seconds(options.stall_timeout_seconds);
}

sigv4::Credentials credentials(const S3Options &options)
{
    if (options.access_key_id.empty() || options.secret_access_key.empty())
        throw InvalidValue("S3 storage needs credentials: set lokbackup.s3_access_key_id and "
                           "lokbackup.s3_secret_access_key, or AWS_ACCESS_KEY_ID and "
                           "AWS_SECRET_ACCESS_KEY in the environment");
    return {options.access_key_id, options.secret_access_key, options.session_token};
}

// An upload's <Initiated>, "2026-12-02T23:00:00.000Z". One that cannot be read counts as just
// begun: a sweep of old uploads then leaves it alone rather than abort a running one.
std::time_t initiated_time(const std::string &text)
{
    CivilTime time;
    if (text.empty() || text.back() != 'Z' ||
        std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &time.year, &time.month, &time.day,
                    &time.hour, &time.minute, &time.second) != 6)
        return std::time(nullptr);
    return static_cast<std::time_t>(seconds_from_civil(time));
}

// A listed object's <Size>; 0 when it cannot be read (sizes only measure the WAL archive).
std::uint64_t object_size(const std::string &text)
{
    if (text.empty() || text.size() > 19 ||
        text.find_first_not_of("0123456789") != std::string::npos)
        return 0;
    return std::stoull(text);
}

// The GET of an object, signed anew for each connection.
ObjectRequest object_request(std::shared_ptr<const S3Client> client, std::string key)
{
    return [client, key](const HttpHeaders &extra_headers) {
        return client->sign({"GET", key, {}, extra_headers, {}}, sha256_hex(""));
    };
}

class S3Storage : public Storage
{
  public:
    S3Storage(std::shared_ptr<const S3Client> client, S3Options options, StorageLog log,
              StorageAcknowledged acknowledged)
        : client_(std::move(client)), options_(std::move(options)), log_(std::move(log)),
          acknowledged_(std::move(acknowledged))
    {
    }

    std::unique_ptr<ObjectWriter> create(const std::string &key) override
    {
        return create_s3_object(client_, object_key(key), options_, log_, acknowledged_);
    }

    std::unique_ptr<ObjectReader> open(const std::string &key) override
    {
        std::string in_bucket = object_key(key);
        return open_s3_object(object_request(client_, in_bucket), client_->retry(),
                              address().name(in_bucket));
    }

    void remove(const std::string &key) override
    {
        std::string in_bucket = object_key(key);
        try {
            client_->send({"DELETE", in_bucket, {}, {}, {}}, "DELETE " + address().name(in_bucket));
        } catch (const S3Error &error) {
            if (error.status() != 404 || error.code() == "NoSuchBucket")
                throw;
        }
    }

    void discard_incomplete(const std::string &key) override
    {
        std::string in_bucket = object_key(key);
        for (const IncompleteUpload &upload : list_uploads(
                 in_bucket, "list the multipart uploads of " + address().name(in_bucket))) {
            // The prefix also matches longer keys, whose uploads are not this key's.
            if (upload.key == in_bucket)
                abort_multipart_upload(*client_, in_bucket, upload.upload_id);
        }
    }

    std::vector<IncompleteUpload> incomplete_uploads() override
    {
        std::string in_bucket = address().list_prefix("");
        std::vector<IncompleteUpload> uploads =
            list_uploads(in_bucket, "list the multipart uploads in " + address().name(in_bucket));
        for (IncompleteUpload &upload : uploads)
            upload.key = address().storage_key(upload.key);
        return uploads;
    }

    void discard_upload(const IncompleteUpload &upload) override
    {
        abort_multipart_upload(*client_, object_key(upload.key), upload.upload_id);
    }

    std::vector<ListedObject> list_objects(const std::string &prefix) override
    {
        std::string in_bucket = address().list_prefix(prefix);
        std::string what = "list " + address().name(in_bucket);
        std::vector<ListedObject> keys;
        std::string token;
        do {
            sigv4::Parameters query = {{"list-type", "2"}, {"prefix", in_bucket}};
            if (!token.empty())
                query.emplace_back("continuation-token", token);
            std::string body = client_->send({"GET", "", query, {}, {}}, what).body;
            for (std::string_view object : xml_elements(body, "Contents"))
                keys.push_back({address().storage_key(xml_value(object, "Key")),
                                object_size(xml_value(object, "Size"))});
            token = xml_value(body, "IsTruncated") == "true"
                        ? xml_value(body, "NextContinuationToken")
                        : "";
        } while (!token.empty());
        return keys;
    }

    std::string location(const std::string &key) override
    {
        return presigned_url(key, location_validity);
    }

    std::string presigned_url(const std::string &key, std::chrono::seconds valid_for) override
    {
        if (valid_for.count() < 1 || valid_for > max_presigned_validity)
            throw InvalidValue("a presigned URL is valid for 1 second to 7 days (604800 seconds), "
                               "not " +
                               std::to_string(valid_for.count()) + " seconds");
        return client_->presigned_get(object_key(key), valid_for);
    }

    std::string describe() const override { return address().describe(); }

  private:
    const S3Address &address() const { return client_->address(); }

    // The open multipart uploads whose key in the bucket starts with `in_bucket`, with that key.
    std::vector<IncompleteUpload> list_uploads(const std::string &in_bucket,
                                               const std::string &what)
    {
        std::vector<IncompleteUpload> uploads;
        sigv4::Parameters query = {{"uploads", ""}, {"prefix", in_bucket}};
        for (;;) {
            std::string body;
            try {
                body = client_->send({"GET", "", query, {}, {}}, what).body;
            } catch (const S3Error &error) {
                // Some S3-compatible stores (s3rver) cannot list uploads; removing a backup must
                // not fail for that.
                if (error.status() != 501)
                    throw;
                if (log_)
                    log_(std::string(error.what()) + ": incomplete uploads are left to the "
                                                     "bucket's lifecycle rules");
                return uploads;
            }
            for (std::string_view upload : xml_elements(body, "Upload"))
                uploads.push_back({xml_value(upload, "Key"), xml_value(upload, "UploadId"),
                                   initiated_time(xml_value(upload, "Initiated"))});
            std::string next_key = xml_value(body, "NextKeyMarker");
            std::string next_upload = xml_value(body, "NextUploadIdMarker");
            if (xml_value(body, "IsTruncated") != "true" ||
                (next_key.empty() && next_upload.empty()))
                return uploads;
            query = {{"uploads", ""},
                     {"prefix", in_bucket},
                     {"key-marker", next_key},
                     {"upload-id-marker", next_upload}};
        }
    }

    std::string object_key(const std::string &key) const
    {
        check_object_key(key);
        return address().object_key(key);
    }

    std::shared_ptr<const S3Client> client_;
    S3Options options_; // what the objects are written with
    StorageLog log_;
    StorageAcknowledged acknowledged_;
};

} // namespace

std::unique_ptr<Storage> open_s3_storage(const StorageConfig &config)
{
    const S3Options &options = config.s3;
    S3Address address(parse_s3_spec(config.spec),
                      parse_s3_endpoint(options.endpoint, options.region), options.path_style);
    check_part_size(options.part_size);
    auto client = std::make_shared<const S3Client>(
        std::move(address), credentials(options), options.region,
        RetryPolicy(retry_limits(options), config.log), stall_timeout(options));
    return std::make_unique<S3Storage>(std::move(client), options, config.log, config.acknowledged);
}

std::unique_ptr<ObjectReader> open_presigned_url(const std::string &url, const StorageLog &log)
{
    // The name in messages leaves out the query, which holds the signature.
    std::string name = url.substr(0, url.find('?'));
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
        throw InvalidValue("invalid URL \"" + name + "\": use an http(s) URL");
    ObjectRequest request = [url](const HttpHeaders &extra_headers) {
        return HttpRequest{"GET", url, extra_headers, {}};
    };
    return open_s3_object(std::move(request), RetryPolicy(RetryLimits{}, log), name);
}

} // namespace lokbackup
