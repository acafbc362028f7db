#include "core/s3/s3_object_writer.hpp"

#include "core/base/error.hpp"
#include "core/s3/s3_error.hpp"
#include "core/s3/xml_text.hpp"

#include <algorithm>
#include <future>
#include <vector>

namespace lokbackup
{

namespace
{

// Objects smaller than this keep the bucket's default storage class: the manifests, which every
// restore --from reads (from GLACIER or DEEP_ARCHIVE it would first have to be restored), and
// other small objects, which the infrequent-access classes bill as 128 KiB anyway.
constexpr std::uint64_t smallest_classed_object = 128 * 1024;

HttpHeaders server_side_encryption_headers(const S3Options &options)
{
    // A key id without aws:kms would be dropped by S3 without a word: the objects would not be
    // encrypted with the key the DBA named.
    if (!options.sse_kms_key_id.empty() && options.server_side_encryption != "aws:kms")
        throw InvalidValue(
            "lokbackup.s3_sse_kms_key_id names a KMS key, but lokbackup.s3_sse is '" +
            options.server_side_encryption +
            "': set lokbackup.s3_sse = 'aws:kms' to use the key, or empty the key id");
    HttpHeaders headers;
    if (!options.server_side_encryption.empty())
        headers.emplace_back("x-amz-server-side-encryption", options.server_side_encryption);
    if (!options.sse_kms_key_id.empty())
        headers.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", options.sse_kms_key_id);
    return headers;
}

std::string mebibytes(std::uint64_t bytes)
{
    return std::to_string(bytes / (1024 * 1024)) + " MiB";
}

class S3ObjectWriter : public ObjectWriter
{
  public:
    S3ObjectWriter(std::shared_ptr<const S3Client> client, std::string key,
                   const S3Options &options, StorageLog log, StorageAcknowledged acknowledged)
        : client_(std::move(client)), key_(std::move(key)), name_(client_->address().name(key_)),
          part_size_(options.part_size), storage_class_(options.storage_class),
          encryption_headers_(server_side_encryption_headers(options)), log_(std::move(log)),
          acknowledged_(std::move(acknowledged))
    {
    }

    ~S3ObjectWriter() override { abort(); }

    void write(const char *data, std::size_t size) override
    {
        failing_safely([&] {
            while (size > 0) {
                // A full part is sent only once more bytes come, so that the last part is never
                // empty and an object of exactly one part needs no multipart upload.
                if (filling_.size() == part_size_) {
                    if (next_part_ == max_parts)
                        throw_too_large();
                    send_part();
                }
                // A whole part's room at once: only the pages written become resident, so an
                // object smaller than a part costs its own size. Growing the buffer by doubling
                // held the old and the new buffer during each copy, nearly twice the object at
                // its peak (26 MB for a 13.8 MB object).
                if (filling_.capacity() < part_size_)
                    filling_.reserve(part_size_);
                std::size_t length = std::min<std::uint64_t>(size, part_size_ - filling_.size());
                filling_.append(data, length);
                data += length;
                size -= length;
            }
        });
    }

    void finish() override
    {
        failing_safely([&] {
            if (upload_id_.empty()) {
                client_->send({"PUT", key_, {}, object_headers(filling_.size()), filling_},
                              "PUT " + name_);
                acknowledge(filling_.size());
            } else {
                send_part();
                collect_part();
                complete();
            }
            done_ = true;
        });
    }

    void abort() noexcept override
    {
        if (done_)
            return;
        done_ = true;
        if (in_flight_.valid())
            in_flight_.wait();
        if (upload_id_.empty())
            return;
        try {
            abort_multipart_upload(*client_, key_, upload_id_);
        } catch (const std::exception &e) {
            // Nothing to raise from here; discard_incomplete() of the key removes it later.
            if (log_)
                log_(std::string(e.what()) + " (upload id " + upload_id_ + ")");
        }
    }

  private:
    template <typename Action> void failing_safely(Action action)
    {
        if (done_)
            throw Error("writing " + name_ + " after it was finished or aborted");
        try {
            action();
        } catch (...) {
            abort();
            throw;
        }
    }

    [[noreturn]] void throw_too_large() const
    {
        throw Error("cannot store " + name_ + ": it is larger than " + std::to_string(max_parts) +
                    " parts of " + mebibytes(part_size_) + " (" +
                    std::to_string(max_object_size(part_size_) >> 30) +
                    " GiB): raise lokbackup.s3_part_size");
    }

    // What an object of `size` bytes is stored with, signed like every x-amz-* header: the
    // server-side encryption, and the storage class unless the object is small.
    HttpHeaders object_headers(std::uint64_t size) const
    {
        HttpHeaders headers = encryption_headers_;
        if (!storage_class_.empty() && size >= smallest_classed_object)
            headers.emplace_back("x-amz-storage-class", storage_class_);
        return headers;
    }

    // Starts the upload of the full part being filled, after the previous one has finished.
    void send_part()
    {
        if (upload_id_.empty())
            start_upload();
        collect_part();
        std::swap(filling_, sending_);
        filling_.clear();
        int number = next_part_++;
        in_flight_ = std::async(std::launch::async, [this, number] {
            std::string what = "upload part " + std::to_string(number) + " of " + name_;
            HttpResponse response =
                client_->send({"PUT",
                               key_,
                               {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}},
                               {},
                               sending_},
                              what);
            std::string etag = response.header("etag");
            if (etag.empty())
                throw Error(what + ": the response has no ETag");
            acknowledge(sending_.size());
            return etag;
        });
    }

    void acknowledge(std::uint64_t bytes) const
    {
        if (acknowledged_)
            acknowledged_(bytes);
    }

    // Waits for the part in flight, if any, and keeps its ETag.
    void collect_part()
    {
        if (in_flight_.valid())
            etags_.push_back(in_flight_.get());
    }

    void start_upload()
    {
        std::string what = "start a multipart upload of " + name_;
        // A multipart upload is at least one part, 5 MiB: never a small object.
        HttpResponse response =
            client_->send({"POST", key_, {{"uploads", ""}}, object_headers(part_size_), {}}, what);
        upload_id_ = xml_value(response.body, "UploadId");
        if (upload_id_.empty())
            throw Error(what + ": the response has no UploadId");
    }

    void complete()
    {
        std::string body = "<CompleteMultipartUpload>";
        for (std::size_t i = 0; i < etags_.size(); ++i)
            body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
                    xml_escape(etags_[i]) + "</ETag></Part>";
        body += "</CompleteMultipartUpload>";
        client_->send({"POST", key_, {{"uploadId", upload_id_}}, {}, body},
                      "complete the multipart upload of " + name_);
    }

    std::shared_ptr<const S3Client> client_;
    std::string key_;
    std::string name_;
    std::uint64_t part_size_;
    std::string storage_class_;
    HttpHeaders encryption_headers_;
    StorageLog log_;
    StorageAcknowledged acknowledged_;
    std::string filling_;
    std::string sending_;   // read by the part upload in flight
    std::string upload_id_; // empty until the object needs more than one part
    int next_part_ = 1;
    std::vector<std::string> etags_; // of the parts uploaded, in order
    std::future<std::string> in_flight_;
    bool done_ = false; // completed or aborted
};

} // namespace

void abort_multipart_upload(const S3Client &client, const std::string &key,
                            const std::string &upload_id)
{
    try {
        client.send({"DELETE", key, {{"uploadId", upload_id}}, {}, {}},
                    "abort the multipart upload of " + client.address().name(key));
    } catch (const S3Error &error) {
        if (error.code() != "NoSuchUpload")
            throw;
    }
}

void check_part_size(std::uint64_t part_size)
{
    if (part_size < min_part_size || part_size > max_part_size)
        throw InvalidValue("invalid lokbackup.s3_part_size " + std::to_string(part_size) +
                           " bytes: it must be between 5 MiB and 5 GiB");
}

std::uint64_t max_object_size(std::uint64_t part_size)
{
    return part_size * max_parts;
}

std::unique_ptr<ObjectWriter> create_s3_object(std::shared_ptr<const S3Client> client,
                                               std::string key, const S3Options &options,
                                               StorageLog log, StorageAcknowledged acknowledged)
{
    return std::make_unique<S3ObjectWriter>(std::move(client), std::move(key), options,
                                            std::move(log), std::move(acknowledged));
}

} // namespace lokbackup
