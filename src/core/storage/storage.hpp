// One storage interface; each driver (local directory, S3) implements it. The backup and restore
// pipelines never know which driver they talk to.
#pragma once

#include "core/base/sink.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lokbackup
{

// finish() publishes the object atomically: the local driver writes to a temporary name and
// renames it durably (fsync, rename, fsync of the directory); S3 shows an object only once its
// upload is complete. Destroying a writer that was not finished discards what it wrote.
class ObjectWriter : public Sink
{
  public:
    virtual void abort() noexcept = 0;
};

class ObjectReader
{
  public:
    virtual ~ObjectReader() = default;
    // Returns the number of bytes read; 0 at the end of the object.
    virtual std::size_t read(char *buffer, std::size_t capacity) = 0;
    // The object's size as the storage tells it before any byte is read (a file's size, an S3
    // answer's Content-Length): a restore refuses an object of the wrong size before it starts.
    virtual std::optional<std::uint64_t> size() const = 0;
};

// What an interrupted writer left behind: an open S3 multipart upload, a local ".partial" file.
struct IncompleteUpload {
    std::string key;       // the storage key of the object it was writing
    std::string upload_id; // S3's; empty for the local driver
    std::time_t started;   // S3: when the upload was initiated; local: the file's last change
};

// A complete object, as a listing names it.
struct ListedObject {
    std::string key;
    std::uint64_t size = 0; // bytes
};

class Storage
{
  public:
    virtual ~Storage() = default;
    virtual std::unique_ptr<ObjectWriter> create(const std::string &key) = 0;
    // Throws Error when the object does not exist.
    virtual std::unique_ptr<ObjectReader> open(const std::string &key) = 0;
    // Removing an object that does not exist is not an error.
    virtual void remove(const std::string &key) = 0;
    // Removes what an interrupted writer of `key` may have left behind.
    virtual void discard_incomplete(const std::string &key) = 0;
    // Every incomplete upload in this storage (below its prefix), in no particular order.
    virtual std::vector<IncompleteUpload> incomplete_uploads() = 0;
    // Ends one incomplete upload; one that is gone already is not an error.
    virtual void discard_upload(const IncompleteUpload &upload) = 0;
    // Every complete object whose key starts with `prefix`, with its size, in no particular order.
    virtual std::vector<ListedObject> list_objects(const std::string &prefix) = 0;
    // Their keys alone.
    std::vector<std::string> list(const std::string &prefix);
    // Where a restore finds the object: an absolute path for the local driver, a presigned URL
    // valid for an hour for S3.
    virtual std::string location(const std::string &key) = 0;
    // A URL that fetches the object without credentials for `valid_for` (at most 7 days).
    // Throws Error for storage that has no such URLs (the local driver).
    virtual std::string presigned_url(const std::string &key, std::chrono::seconds valid_for) = 0;
    // Human-readable description for messages (never includes secrets).
    virtual std::string describe() const = 0;
};

// The settings of the S3 driver (AWS S3, Cloudflare R2, any S3-compatible store).
struct S3Options {
    std::string endpoint; // "https://<account>.r2.cloudflarestorage.com"; empty: AWS in `region`
    std::string region = "us-east-1"; // "auto" for R2
    bool path_style = false; // https://endpoint/bucket/key rather than https://bucket.endpoint/key
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token; // for temporary credentials
    // All parts of a multipart upload but the last have this size; at most 10,000 parts make an
    // object, so the default allows 312 GiB. Between 5 MiB and 5 GiB.
    std::uint64_t part_size = 32 * 1024 * 1024;
    int max_attempts = 5;             // of each request, transient failures included
    int retry_deadline_seconds = 120; // no retry starts later than this after the first attempt
    int stall_timeout_seconds = 60;   // an attempt that moves no byte for this long is abandoned
    std::string storage_class; // x-amz-storage-class of backup objects; empty: the bucket's default
    // x-amz-server-side-encryption of every object (AES256 or aws:kms); empty: the bucket's
    // default. With aws:kms, the key's id (empty: the account's AWS managed key).
    std::string server_side_encryption;
    std::string sse_kms_key_id;
};

// Receives notices worth a line in a log, such as retried requests; never secrets. It may be
// called from a thread of the driver.
using StorageLog = std::function<void(const std::string &message)>;
// Receives the size of each piece of an object that storage has acknowledged (an S3 part or
// object uploaded, bytes written to a file); it may be called from a thread of the driver.
using StorageAcknowledged = std::function<void(std::uint64_t bytes)>;

struct StorageConfig {
    // Local-only callers write open_storage(StorageConfig{directory}).
    explicit StorageConfig(std::string spec = {}, S3Options s3 = {}, StorageLog log = {})
        : spec(std::move(spec)), s3(std::move(s3)), log(std::move(log))
    {
    }
    std::string spec;                 // an absolute directory path, or s3://bucket[/prefix]
    S3Options s3;                     // for an s3:// spec
    StorageLog log;                   // may be empty
    StorageAcknowledged acknowledged; // may be empty
};

// Checks what every driver requires of an object key: a relative path whose segments are names
// other than "." and "..". Throws Error naming the key.
void check_object_key(const std::string &key);

} // namespace lokbackup
