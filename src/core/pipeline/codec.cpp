#include "core/pipeline/codec.hpp"

#include "core/base/error.hpp"

#include <algorithm>
#include <climits>
#include <vector>
#include <zlib.h>
#include <zstd.h>

namespace lokbackup
{

namespace
{

constexpr const char *truncated_message = "compressed stream is truncated";

// zlib's output buffer; large enough that each write downstream is a sizeable chunk.
constexpr std::size_t gzip_buffer_size = 128 * 1024;

class PassThrough : public Sink
{
  public:
    explicit PassThrough(Sink &out) : out_(out) {}
    void write(const char *data, std::size_t size) override { out_.write(data, size); }
    void finish() override { out_.finish(); }

  private:
    Sink &out_;
};

struct ZstdCompressorFree {
    void operator()(ZSTD_CCtx *context) const { ZSTD_freeCCtx(context); }
};

struct ZstdDecompressorFree {
    void operator()(ZSTD_DCtx *context) const { ZSTD_freeDCtx(context); }
};

std::size_t check_zstd(std::size_t result, const char *what)
{
    if (ZSTD_isError(result))
        throw Error(std::string(what) + ": " + ZSTD_getErrorName(result));
    return result;
}

class ZstdCompressor : public Sink
{
  public:
    ZstdCompressor(int level, Sink &out)
        : context_(ZSTD_createCCtx()), buffer_(ZSTD_CStreamOutSize()), out_(out)
    {
        if (!context_)
            throw Error("cannot allocate a zstd compression context");
        check_zstd(ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_compressionLevel, level),
                   "cannot set the zstd compression level");
        // The frame checksum lets any zstd reader detect a damaged object on its own.
        check_zstd(ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_checksumFlag, 1),
                   "cannot enable zstd frame checksums");
    }

    void write(const char *data, std::size_t size) override
    {
        ZSTD_inBuffer input{data, size, 0};
        while (input.pos < input.size)
            compress(input, ZSTD_e_continue);
    }

    void finish() override
    {
        ZSTD_inBuffer input{nullptr, 0, 0};
        while (compress(input, ZSTD_e_end) != 0) {
        }
        out_.finish();
    }

  private:
    // Returns what zstd still holds back (0 once a frame end is fully flushed).
    std::size_t compress(ZSTD_inBuffer &input, ZSTD_EndDirective mode)
    {
        ZSTD_outBuffer output{buffer_.data(), buffer_.size(), 0};
        std::size_t remaining = check_zstd(
            ZSTD_compressStream2(context_.get(), &output, &input, mode), "zstd compression failed");
        if (output.pos > 0)
            out_.write(buffer_.data(), output.pos);
        return remaining;
    }

    std::unique_ptr<ZSTD_CCtx, ZstdCompressorFree> context_;
    std::vector<char> buffer_;
    Sink &out_;
};

class ZstdDecompressor : public Sink
{
  public:
    explicit ZstdDecompressor(Sink &out)
        : context_(ZSTD_createDCtx()), buffer_(ZSTD_DStreamOutSize()), out_(out)
    {
        if (!context_)
            throw Error("cannot allocate a zstd decompression context");
    }

    void write(const char *data, std::size_t size) override
    {
        // An empty write would make zstd report "frame not started" after a complete frame.
        if (size == 0)
            return;
        ZSTD_inBuffer input{data, size, 0};
        ZSTD_outBuffer output;
        do {
            output = {buffer_.data(), buffer_.size(), 0};
            std::size_t hint = ZSTD_decompressStream(context_.get(), &output, &input);
            if (ZSTD_isError(hint))
                throw Error(std::string("corrupt zstd data: ") + ZSTD_getErrorName(hint));
            frame_complete_ = hint == 0;
            if (output.pos > 0)
                out_.write(buffer_.data(), output.pos);
            // A full output buffer may mean zstd holds more decoded bytes for this input.
        } while (input.pos < input.size || (output.pos == output.size && !frame_complete_));
    }

    void finish() override
    {
        if (!frame_complete_)
            throw Error(truncated_message);
        out_.finish();
    }

  private:
    std::unique_ptr<ZSTD_DCtx, ZstdDecompressorFree> context_;
    std::vector<char> buffer_;
    Sink &out_;
    bool frame_complete_ = false; // no input at all is a truncated stream too
};

// zlib counts input in uInt, so larger writes are fed to it in pieces.
template <typename Feed>
void feed_in_pieces(z_stream &stream, const char *data, std::size_t size, Feed feed)
{
    while (size > 0) {
        std::size_t piece = std::min<std::size_t>(size, UINT_MAX);
        stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
        stream.avail_in = static_cast<uInt>(piece);
        feed();
        data += piece;
        size -= piece;
    }
}

std::string zlib_message(const z_stream &stream, int result)
{
    return stream.msg ? stream.msg : "zlib error " + std::to_string(result);
}

class GzipCompressor : public Sink
{
  public:
    GzipCompressor(int level, Sink &out) : buffer_(gzip_buffer_size), out_(out)
    {
        // windowBits 15 + 16: the gzip wrapper, readable by gunzip.
        int result = deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        if (result != Z_OK)
            throw Error("cannot start gzip compression: " + zlib_message(stream_, result));
    }
    ~GzipCompressor() override { deflateEnd(&stream_); }
    GzipCompressor(const GzipCompressor &) = delete;
    GzipCompressor &operator=(const GzipCompressor &) = delete;

    void write(const char *data, std::size_t size) override
    {
        feed_in_pieces(stream_, data, size, [this] {
            do
                deflate_step(Z_NO_FLUSH);
            while (stream_.avail_out == 0);
        });
    }

    void finish() override
    {
        stream_.avail_in = 0;
        while (deflate_step(Z_FINISH) != Z_STREAM_END) {
        }
        out_.finish();
    }

  private:
    int deflate_step(int flush)
    {
        stream_.next_out = reinterpret_cast<Bytef *>(buffer_.data());
        stream_.avail_out = static_cast<uInt>(buffer_.size());
        int result = deflate(&stream_, flush);
        // Z_BUF_ERROR only says that this call could make no progress.
        if (result != Z_OK && result != Z_STREAM_END && result != Z_BUF_ERROR)
            throw Error("gzip compression failed: " + zlib_message(stream_, result));
        std::size_t produced = buffer_.size() - stream_.avail_out;
        if (produced > 0)
            out_.write(buffer_.data(), produced);
        return result;
    }

    z_stream stream_{};
    std::vector<char> buffer_;
    Sink &out_;
};

class GzipDecompressor : public Sink
{
  public:
    explicit GzipDecompressor(Sink &out) : buffer_(gzip_buffer_size), out_(out)
    {
        // windowBits 15 + 32: accept the gzip wrapper (and zlib's, which is harmless).
        int result = inflateInit2(&stream_, 15 + 32);
        if (result != Z_OK)
            throw Error("cannot start gzip decompression: " + zlib_message(stream_, result));
    }
    ~GzipDecompressor() override { inflateEnd(&stream_); }
    GzipDecompressor(const GzipDecompressor &) = delete;
    GzipDecompressor &operator=(const GzipDecompressor &) = delete;

    void write(const char *data, std::size_t size) override
    {
        feed_in_pieces(stream_, data, size, [this] {
            do
                inflate_step();
            while (stream_.avail_in > 0 || (stream_.avail_out == 0 && !member_complete_));
        });
    }

    void finish() override
    {
        if (!member_complete_)
            throw Error(truncated_message);
        out_.finish();
    }

  private:
    void inflate_step()
    {
        // Input after the end of a member starts the next one (gzip files may be concatenated);
        // anything else there fails the header check as corrupt data.
        if (member_complete_) {
            inflateReset(&stream_);
            member_complete_ = false;
        }
        stream_.next_out = reinterpret_cast<Bytef *>(buffer_.data());
        stream_.avail_out = static_cast<uInt>(buffer_.size());
        int result = inflate(&stream_, Z_NO_FLUSH);
        if (result == Z_STREAM_END)
            member_complete_ = true;
        else if (result != Z_OK && result != Z_BUF_ERROR)
            throw Error("corrupt gzip data: " + zlib_message(stream_, result));
        std::size_t produced = buffer_.size() - stream_.avail_out;
        if (produced > 0)
            out_.write(buffer_.data(), produced);
    }

    z_stream stream_{};
    std::vector<char> buffer_;
    Sink &out_;
    bool member_complete_ = false; // no input at all is a truncated stream too
};

} // namespace

const Vocabulary<Compression> &compression_vocabulary()
{
    static const Vocabulary<Compression> vocabulary(
        "compression",
        {{Compression::zstd, "zstd"}, {Compression::gzip, "gzip"}, {Compression::none, "none"}});
    return vocabulary;
}

Compression parse_compression(std::string_view name)
{
    return compression_vocabulary().parse(name);
}

std::string_view compression_name(Compression compression)
{
    return compression_vocabulary().name(compression);
}

std::string_view compression_extension(Compression compression)
{
    switch (compression) {
    case Compression::none:
        return "";
    case Compression::gzip:
        return ".gz";
    case Compression::zstd:
        return ".zst";
    }
    throw Error("unknown compression");
}

LevelRange compression_levels(Compression compression)
{
    switch (compression) {
    case Compression::none:
        return {0, 0, 0};
    case Compression::gzip:
        return {1, 9, 6};
    case Compression::zstd:
        return {1, 19, 3};
    }
    throw Error("unknown compression");
}

int effective_level(Compression compression, int level)
{
    LevelRange range = compression_levels(compression);
    if (level == 0)
        return range.fallback;
    if (level >= range.min && level <= range.max)
        return level;
    std::string message = "compression level " + std::to_string(level) + " is out of range for " +
                          std::string(compression_name(compression)) + ": ";
    if (range.min == range.max)
        message += "the only allowed level is " + std::to_string(range.min);
    else
        message += "allowed levels are " + std::to_string(range.min) + " to " +
                   std::to_string(range.max) + " (0 for the default, " +
                   std::to_string(range.fallback) + ")";
    throw InvalidValue(message);
}

std::unique_ptr<Sink> make_compressor(Compression compression, int level, Sink &out)
{
    int effective = effective_level(compression, level);
    switch (compression) {
    case Compression::none:
        return std::make_unique<PassThrough>(out);
    case Compression::gzip:
        return std::make_unique<GzipCompressor>(effective, out);
    case Compression::zstd:
        return std::make_unique<ZstdCompressor>(effective, out);
    }
    throw Error("unknown compression");
}

std::unique_ptr<Sink> make_decompressor(Compression compression, Sink &out)
{
    switch (compression) {
    case Compression::none:
        return std::make_unique<PassThrough>(out);
    case Compression::gzip:
        return std::make_unique<GzipDecompressor>(out);
    case Compression::zstd:
        return std::make_unique<ZstdDecompressor>(out);
    }
    throw Error("unknown compression");
}

} // namespace lokbackup
