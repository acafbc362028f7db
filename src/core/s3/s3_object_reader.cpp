#include "core/s3/s3_object_reader.hpp"

#include "core/s3/s3_error.hpp"

#include <algorithm>
#include <optional>

namespace lokbackup
{

namespace
{

// Error bodies are a few hundred bytes; more is not read.
constexpr std::size_t max_error_body = 64 * 1024;

std::optional<std::uint64_t> content_length(const HttpResponse &head)
{
    const std::string length = head.header("content-length");
    if (length.empty() || length.size() > 19 ||
        length.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoull(length);
}

class S3ObjectReader : public ObjectReader
{
  public:
    S3ObjectReader(ObjectRequest request, RetryPolicy retry, std::string name)
        : request_(std::move(request)), retry_(std::move(retry)), name_(std::move(name)),
          what_("GET " + name_)
    {
        attempts_.emplace(retry_);
        connect();
    }

    std::optional<std::uint64_t> size() const override { return size_; }

    std::size_t read(char *buffer, std::size_t capacity) override
    {
        for (;;) {
            try {
                if (!transfer_)
                    connect();
                std::size_t got = transfer_->read(buffer, capacity);
                offset_ += got;
                if (got > 0 && attempts_->failures() > 0)
                    attempts_.emplace(retry_); // progress: failures start over
                return got;
            } catch (const TransportError &error) {
                transfer_.reset();
                if (!attempts_->wait_for_retry(error))
                    throw;
            }
        }
    }

  private:
    void connect()
    {
        for (;;) {
            try {
                start();
                return;
            } catch (const Error &error) {
                transfer_.reset();
                if (!attempts_->wait_for_retry(error))
                    throw;
            }
        }
    }

    void start()
    {
        HttpHeaders headers;
        if (offset_ > 0) {
            headers.emplace_back("Range", "bytes=" + std::to_string(offset_) + "-");
            if (!etag_.empty())
                headers.emplace_back("If-Match", etag_);
        }
        transfer_ = std::make_unique<HttpTransfer>(request_(headers), what_);
        const HttpResponse &head = transfer_->head();
        if (head.status == 200 || head.status == 206) {
            if (offset_ == 0) {
                etag_ = head.header("etag");
                size_ = content_length(head);
            } else if (head.status == 200)
                skip(offset_); // the server ignored the range
            return;
        }
        std::string body;
        char buffer[4096];
        while (std::size_t got = transfer_->read(buffer, sizeof buffer)) {
            if (body.size() < max_error_body)
                body.append(buffer, got);
        }
        S3Error error = s3_error(what_, head.status, body);
        if (head.status == 404 && (error.code().empty() || error.code() == "NoSuchKey"))
            throw BackupDamaged("backup object not found: " + name_);
        if (head.status == 412)
            throw Error(what_ + ": the object changed while it was being read");
        throw error;
    }

    void skip(std::uint64_t count)
    {
        char buffer[65536];
        while (count > 0) {
            std::size_t got =
                transfer_->read(buffer, std::min<std::uint64_t>(count, sizeof buffer));
            if (got == 0)
                throw Error(what_ + ": the object is shorter than on the first read");
            count -= got;
        }
    }

    ObjectRequest request_;
    RetryPolicy retry_;
    std::string name_;
    std::string what_;
    std::optional<RetryPolicy::Attempts> attempts_;
    std::unique_ptr<HttpTransfer> transfer_;
    std::uint64_t offset_ = 0;
    std::string etag_;
    std::optional<std::uint64_t> size_;
};

} // namespace

std::unique_ptr<ObjectReader> open_s3_object(ObjectRequest request, RetryPolicy retry,
                                             std::string name)
{
    return std::make_unique<S3ObjectReader>(std::move(request), std::move(retry), std::move(name));
}

} // namespace lokbackup
